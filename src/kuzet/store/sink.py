"""The store sink: durable subscription -> ``Store.insert_events`` -> ack, on its own thread.

Ack only after commit, so a crash between the two redelivers (at-least-once); the
idempotent insert turns those redeliveries into duplicates that are counted, not stored.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from kuzet.core import Event
from kuzet.events.base import Bus, Delivery, Subscription

log = logging.getLogger(__name__)


class EventWriter(Protocol):
    def insert_events(self, events: Sequence[Event]) -> int: ...


@dataclass(slots=True)
class SinkStats:
    stored: int = 0  # new rows committed
    duplicates: int = 0  # delivered again but already stored
    batches: int = 0
    errors: int = 0  # failed store attempts (each retried)
    lag_s: float = 0.0  # wall time from the oldest event of the last batch to its commit
    last_commit_at: float | None = None  # time.time() of the last commit

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class EventSink:
    """Moves events from a durable subscription into the store, in batches.

    On a store error the same batch is retried with exponential backoff and nothing
    is acked, so a database outage delays events but never loses them.
    """

    def __init__(
        self,
        subscription: Subscription,
        store: EventWriter,
        *,
        batch_size: int = 1000,
        batch_wait_ms: int = 50,
        retry_initial_s: float = 0.1,
        retry_max_s: float = 10.0,
        on_batch: Callable[[Sequence[Event]], None] | None = None,
        name: str = "kuzet-event-sink",
    ) -> None:
        self.subscription = subscription
        self.store = store
        self.batch_size = batch_size
        self.batch_wait = batch_wait_ms / 1000
        self.retry_initial_s = retry_initial_s
        self.retry_max_s = retry_max_s
        self.on_batch = on_batch  # called after commit and ack (tests, metrics)
        self.stats = SinkStats()
        self._stop = threading.Event()
        self._drain = True
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._started = False

    @classmethod
    def for_bus(
        cls, bus: Bus, store: EventWriter, *, group: str = "kuzet-store", **kwargs: Any
    ) -> EventSink:
        return cls(bus.subscribe(group, durable=True), store, **kwargs)

    # ------------------------------------------------------------ lifecycle
    def start(self) -> EventSink:
        if not self._started:
            self._started = True
            self._thread.start()
        return self

    def stop(self, drain: bool = True, timeout: float = 30.0) -> bool:
        """Stop the thread; with ``drain`` first store what is already on the bus.

        Returns False when the thread did not finish within ``timeout``.
        """
        self._drain = drain
        self._stop.set()
        if self._started:
            self._thread.join(timeout)
        alive = self._thread.is_alive()
        if alive:
            log.error("event sink did not stop within %.1fs", timeout)
        else:
            self.subscription.close()
        return not alive

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    # ------------------------------------------------------------ work
    def _run(self) -> None:
        log.info("event sink started", extra={"batch_size": self.batch_size})
        while True:
            stopping = self._stop.is_set()
            if stopping and not self._drain:
                break
            try:
                batch = self.subscription.fetch(
                    self.batch_size, timeout=0.0 if stopping else self.batch_wait
                )
            except Exception:
                if stopping:
                    break
                log.exception("fetch from the bus failed")
                self._stop.wait(self.retry_initial_s)
                continue
            if not batch:
                if stopping:
                    break
                continue
            if not self._commit(batch):
                break  # stopped while the store was down: leave the batch un-acked
        log.info("event sink stopped", extra=self.stats.as_dict())

    def _commit(self, batch: list[Delivery]) -> bool:
        events = list({d.event.id: d.event for d in batch}.values())
        delay = self.retry_initial_s
        while True:
            try:
                new = self.store.insert_events(events)
                break
            except Exception as exc:
                self.stats.errors += 1
                log.warning(
                    "storing %d events failed (%s: %s); retrying in %.2fs",
                    len(events),
                    type(exc).__name__,
                    exc,
                    delay,
                )
                # Stopping: give up and leave the batch un-acked; the bus redelivers it.
                if self._stop.is_set() or self._stop.wait(delay):
                    return False
                delay = min(delay * 2, self.retry_max_s)
        self.subscription.ack(batch)
        now = time.time()
        oldest = min(e.ts for e in events)
        self.stats.stored += new
        self.stats.duplicates += len(batch) - new
        self.stats.batches += 1
        self.stats.last_commit_at = now
        self.stats.lag_s = max(0.0, now - oldest.timestamp()) if oldest.tzinfo else 0.0
        if self.on_batch is not None:
            self.on_batch(events)
        return True
