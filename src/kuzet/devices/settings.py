"""How the operations centre answers devices (issue 15): the settings live in the site
file's ``device_gateway.response`` (:class:`kuzet.config.devices.ResponseSettings`)."""

from __future__ import annotations

from kuzet.config.devices import ResponseSettings

__all__ = ["ResponseSettings"]
