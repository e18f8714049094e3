"""A live (non-durable) subscription queue: never blocks the publisher, drops oldest."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence

from kuzet.core import Event
from kuzet.events.base import Delivery


class LiveSubscription:
    """What a WebSocket viewer reads; a slow viewer loses its oldest events, counted."""

    def __init__(
        self, name: str, max_pending: int, on_close: Callable[[LiveSubscription], None]
    ) -> None:
        self.name = name
        self._on_close = on_close
        self._cond = threading.Condition()
        self._queue: deque[Event] = deque(maxlen=max_pending)
        self.dropped = 0
        self.received = 0
        self.closed = False

    def offer(self, event: Event) -> None:
        with self._cond:
            if len(self._queue) == self._queue.maxlen:
                self.dropped += 1
            self._queue.append(event)
            self.received += 1
            self._cond.notify()

    def pending(self) -> int:
        return len(self._queue)

    def fetch(self, max_n: int, timeout: float) -> list[Delivery]:
        end = time.monotonic() + timeout
        with self._cond:
            while not self._queue and not self.closed:
                left = end - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            n = min(max_n, len(self._queue))
            return [Delivery(self._queue.popleft()) for _ in range(n)]

    def ack(self, deliveries: Sequence[Delivery]) -> None:
        """Nothing to do: live deliveries are never redelivered."""

    def mark_closed(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def close(self) -> None:
        if not self.closed:
            self.mark_closed()
            self._on_close(self)
