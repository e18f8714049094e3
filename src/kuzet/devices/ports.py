"""The device registry as the operations centre reads it.

Written against the team's contract (issue 15): the registry is GATE's
``kuzet.devices.registry.DeviceRegistry`` (``get``, ``list``) and ``DeviceInfo``. These
structural types name only what the response side reads, so the real registry, or a test
double until it is merged, plugs in without this side importing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from kuzet.access.model import Principal


class DeviceLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def name(self) -> str | None: ...
    @property
    def latitude(self) -> float | None: ...
    @property
    def longitude(self) -> float | None: ...
    @property
    def agency(self) -> str | None: ...
    @property
    def category(self) -> str | None: ...
    @property
    def district(self) -> str | None: ...
    @property
    def linked_cameras(self) -> Sequence[str]: ...
    @property
    def command_topic(self) -> str | None: ...
    @property
    def ack_topic(self) -> str | None: ...


class DeviceDirectory(Protocol):
    def get(self, device_id: str) -> DeviceLike | None: ...
    def list(self) -> Sequence[DeviceLike]: ...


def device_visible(p: Principal, dev: DeviceLike) -> bool:
    """As for a camera: the device's agency (or the platform agency), within the person's
    scope (device ids share the camera id space, so a camera-id scope names devices too)."""
    if not (p.platform or p.agency_id == dev.agency):
        return False
    return p.scope.camera_allowed(dev.id, dev.category, dev.district)
