"""The operations engine: turns bus events into incidents and runs the SLA clock.

It reads a *durable* bus group (``ops``), so with several nodes each event makes an
incident once, and acks only after the incident is committed. Listeners (the WebSocket
hub, evidence holds, webhooks) are told of every incident that changed, from the engine's
threads; viewers also of what other processes' engines changed. The service
owns it (starts and stops it with the pipeline); the API only reads and steps it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from kuzet.core.records import CameraInfo, DeviceInfo
from kuzet.events.base import Bus, Subscription
from kuzet.events.batches import batches
from kuzet.incidents.book import BATCH, IncidentBook
from kuzet.incidents.model import Change
from kuzet.store.ports import StoreReader

log = logging.getLogger(__name__)
Listener = Callable[[list[Change]], None]
GROUP = "ops"


class CameraCache:
    """Camera (and device) registry lookups for routing, refreshed at most every ``ttl_s``."""

    def __init__(self, store: StoreReader, ttl_s: float = 30.0) -> None:
        self._store, self._ttl = store, ttl_s
        self._cams: dict[str, CameraInfo | DeviceInfo] = {}
        self._at = float("-inf")

    def __call__(self, camera_id: str) -> CameraInfo | DeviceInfo | None:
        age = time.monotonic() - self._at
        # An unknown camera re-reads the registry, but at most once a second.
        if age > self._ttl or (camera_id not in self._cams and age > 1.0):
            self._cams = {c.id: c for c in self._store.list_cameras()}
            self._cams.update((d.id, d) for d in self._store.list_devices())
            self._at = time.monotonic()
        return self._cams.get(camera_id)


class OpsEngine:
    def __init__(self, book: IncidentBook, bus: Bus, store: StoreReader) -> None:
        self.book = book
        self._bus = bus
        self._cameras = CameraCache(store)
        self._listeners: list[Listener] = []
        self._viewers: list[Listener] = []  # also told of changes other processes made
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._sub: Subscription | None = None

    def listen(self, fn: Listener, *, elsewhere: bool = False) -> None:
        """``fn`` is told of the changes this engine makes (to act on each once: holds,
        webhooks, the relay to other processes); with ``elsewhere`` also of those the
        city's other engines made (to show them: the operators' WebSocket)."""
        (self._viewers if elsewhere else self._listeners).append(fn)

    def unlisten(self, fn: Listener) -> None:
        for group in (self._listeners, self._viewers):
            if fn in group:
                group.remove(fn)

    def notify(self, changes: list[Change]) -> None:
        """Changes made here (ingest, SLA clock, an operator's step through this API)."""
        self._tell([*self._listeners, *self._viewers], changes)

    def heard(self, changes: list[Change]) -> None:
        """Changes another process's engine made (:mod:`kuzet.incidents.share`)."""
        self._tell(list(self._viewers), changes)

    @staticmethod
    def _tell(listeners: list[Listener], changes: list[Change]) -> None:
        if not changes:
            return
        for fn in listeners:
            try:
                fn(changes)
            except Exception:
                log.exception("incident listener failed")

    def start(self) -> None:
        self._sub = self._bus.subscribe(GROUP, durable=True)
        for name, target in (("ops-ingest", self._ingest_loop), ("ops-sla", self._sla_loop)):
            t = threading.Thread(target=target, name=name, daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=3.0)
        self._threads.clear()
        if self._sub is not None:
            try:
                self._sub.close()
            except Exception:
                log.debug("closing the ops subscription failed", exc_info=True)
            self._sub = None

    def _ingest_loop(self) -> None:
        assert self._sub is not None
        for deliveries in batches(self._sub, self._stop, "ops", max_n=BATCH):
            try:
                opened: set[str] = set()
                changed = self.book.ingest([d.event for d in deliveries], self._cameras, opened)
            except Exception:
                log.exception("ops: ingest failed; events will be redelivered")
                self._stop.wait(1.0)
                continue
            self._sub.ack(deliveries)
            self.notify([Change(inc, created=inc.id in opened) for inc in changed])

    def _sla_loop(self) -> None:
        while not self._stop.wait(self.book.cfg.sla_check_s):
            try:
                self.notify(self.book.escalate_due())
            except Exception:
                log.exception("ops: SLA check failed")
