"""Section control as a bus consumer: durable group ``section``.

Reads ``plate_read`` events, pairs them (kuzet.rules.section) and publishes the
``average_speed`` violations back on the bus. Publishing happens on a second thread
from an outbox: the consumer's own group receives everything published, so a consumer
that blocked on a full bus while holding unacked deliveries would wait for itself.
A batch is acked once its reads are fed and its violations are in the outbox.

What is lost when the process dies: the outbox (violations not yet published) and the
reads waiting for their other end (held in memory, like the memory bus itself). Event
ids are deterministic, so a replay of the same reads gives the same violations.
"""

from __future__ import annotations

import logging
import threading
from collections import deque

from kuzet.core import Event
from kuzet.events.base import Bus, Subscription
from kuzet.events.batches import batches
from kuzet.rules.section import SectionControl

log = logging.getLogger(__name__)
GROUP = "section"
BATCH = 256


class SectionConsumer:
    def __init__(self, control: SectionControl, bus: Bus) -> None:
        self.control = control
        self._bus = bus
        self._stop = threading.Event()
        self._outbox: deque[Event] = deque()
        self._ready = threading.Condition()
        self._threads: list[threading.Thread] = []
        self._sub: Subscription | None = None
        self.published = 0

    def start(self) -> SectionConsumer:
        self._sub = self._bus.subscribe(GROUP, durable=True)
        for name, target in (("section-ingest", self._ingest), ("section-publish", self._publish)):
            t = threading.Thread(target=target, name=name, daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def stop(self) -> None:
        self._stop.set()
        with self._ready:
            self._ready.notify_all()
        for t in self._threads:
            t.join(timeout=3.0)
        self._threads.clear()
        if self._sub is not None:
            try:
                self._sub.close()
            except Exception:
                log.debug("closing the section subscription failed", exc_info=True)
            self._sub = None

    def _ingest(self) -> None:
        assert self._sub is not None
        for deliveries in batches(self._sub, self._stop, "section", max_n=BATCH):
            out: list[Event] = []
            for d in deliveries:
                try:
                    out += self.control.feed(d.event)
                except Exception:  # one malformed read must not stop the section
                    log.exception("section: read %s could not be used", d.event.id)
            if out:
                with self._ready:
                    self._outbox.extend(out)
                    self._ready.notify()
            self._sub.ack(deliveries)

    def _publish(self) -> None:
        while True:
            with self._ready:
                while not self._outbox and not self._stop.is_set():
                    self._ready.wait(0.5)
                if not self._outbox:
                    return
                ev = self._outbox.popleft()
            try:
                self._bus.publish(ev)
                self.published += 1
            except Exception:
                log.exception("section: publishing %s failed", ev.id)
                if self._stop.is_set():
                    return
