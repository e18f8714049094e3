"""What publishers and consumers of events see, whatever carries them (memory, NATS)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from kuzet.core import Event


@dataclass(slots=True, eq=False)
class Delivery:
    """One event handed to a consumer; ``ack`` says it is safely processed.

    A durable group redelivers an un-acked delivery after the bus's ack wait, so
    consumers must ack only after their side effect (e.g. the store commit) is done.
    """

    event: Event
    _ack: Callable[[], None] | None = field(default=None, repr=False)
    redelivered: bool = False
    token: Any = field(default=None, repr=False)  # the carrier's handle (sequence, message)

    def ack(self) -> None:
        if self._ack is not None:
            ack, self._ack = self._ack, None
            ack()


@runtime_checkable
class Subscription(Protocol):
    def fetch(self, max_n: int, timeout: float) -> list[Delivery]:
        """Up to ``max_n`` deliveries, waiting at most ``timeout`` s; [] when none came."""
        ...

    def ack(self, deliveries: Sequence[Delivery]) -> None: ...

    def close(self) -> None: ...


@runtime_checkable
class Bus(Protocol):
    def publish(self, event: Event) -> None:
        """Thread-safe; blocks while the bus is full (backpressure), never drops silently."""
        ...

    def subscribe(self, group: str, *, durable: bool = True) -> Subscription:
        """Durable: at-least-once, competing consumers share the group's events.

        Non-durable: live fan-out; every such subscription sees every event published
        after it started, and a slow one loses its oldest events (counted as drops).
        """
        ...

    def announce(self, topic: str, key: str, data: bytes) -> None:
        """Best-effort fan-out of a state report to every process listening to ``topic``
        (for ``key``) now. Outside the event stream: never stored, never replayed, lost
        while nobody listens; for states that the next report replaces (traffic lights)."""
        ...

    def listen(
        self, topic: str, handler: Announced, keys: Sequence[str] | None = None
    ) -> Callable[[], None]:
        """``handler(key, data)`` for each announcement of ``topic`` (of ``keys`` only,
        when given), on the bus's thread: keep it short. Returns the call that stops it."""
        ...

    def close(self) -> None: ...


Announced = Callable[[str, bytes], None]


class StreamConfigError(RuntimeError):
    """The site file's bus stream cannot be used: another application's, or its limits
    refused by the server. ``kuzet serve`` says so and exits instead of a traceback."""


class BusClosed(RuntimeError):
    """Publishing or fetching on a bus that was closed."""
