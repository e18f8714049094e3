"""What the API needs of the store, blob store and bus, as structural types.

The API depends on these narrow protocols rather than on ``kuzet.store`` /
``kuzet.events`` classes, so any implementation (SQLite, Postgres, memory, NATS,
test fakes) plugs in without the API importing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from kuzet.core.event import Event
from kuzet.store.ports import StoreReader


class StorePort(StoreReader, Protocol):
    def ping(self) -> bool: ...


class BlobReader(Protocol):
    def get(self, key: str) -> bytes | None: ...


class LiveFrames(Protocol):
    """The pipeline's frame tap, as the MJPEG route uses it."""

    def latest(self, camera_id: str) -> tuple[int, bytes, float] | None:
        """``(seq, jpeg, wall_time)`` of the newest frame (wall time: epoch seconds)."""

    def watch(self, camera_id: str) -> AbstractContextManager[None]: ...


class DeliveryPort(Protocol):
    @property
    def event(self) -> Event: ...


class SubscriptionPort(Protocol):
    def fetch(self, max_n: int, timeout: float) -> Sequence[DeliveryPort]: ...
    def ack(self, deliveries: Any) -> None: ...  # Any: implementations name their own type
    def close(self) -> None: ...


class BusPort(Protocol):
    def subscribe(self, group: str, *, durable: bool = True) -> SubscriptionPort: ...
