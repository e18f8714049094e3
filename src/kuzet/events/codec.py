"""Event <-> bytes for buses that cross a process boundary (JSON, readable in tools)."""

from __future__ import annotations

from kuzet.core import Event


def encode_event(event: Event) -> bytes:
    return event.model_dump_json().encode()


def decode_event(data: bytes) -> Event:
    return Event.model_validate_json(data)
