"""Every process's face gallery follows the watchlists: a wanted person enrolled through
one API replica is matched by the worker shards' cameras within seconds.

Each process keeps its gallery in memory (the FAISS index, and with pgvector the entries
and list thresholds), built from the store at start and changed in place by that
process's own watchlist edits. In a city the edit reaches one API replica while the
cameras run in the shards. The process that changed its gallery announces it over the bus
(core NATS, outside the event stream: the data itself is in the store), once its burst of
changes has settled; every other process then rebuilds its gallery from the store. An
announcement lost in a NATS restart is made good by a full rebuild every ``every_s``.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid

from kuzet.events.base import Bus
from kuzet.faces.gallery import Gallery

log = logging.getLogger(__name__)

TOPIC = "faces"
KEY = "gallery"


class GalleryShare:
    def __init__(
        self, bus: Bus, gallery: Gallery, *, settle_s: float = 0.5, every_s: float = 600.0
    ) -> None:
        self.bus, self.gallery = bus, gallery
        self.settle_s, self.every_s = settle_s, every_s
        self.origin = uuid.uuid4().hex.encode()
        self.reloads = 0  # rebuilds because another process changed the lists (or the timer)
        self.announced = 0
        self._cv = threading.Condition()
        self._stale_at: float | None = None  # another process changed the lists at
        self._changed_at: float | None = None  # this process changed its gallery at
        self._closed = False
        self._edits = 0  # this process's own changes, counted (see _rebuild)
        self._stop_listening = bus.listen(TOPIC, self._heard, [KEY])
        gallery.on_change(self._changed)
        self._thread = threading.Thread(target=self._run, name="gallery-share", daemon=True)
        self._thread.start()

    def _changed(self) -> None:
        with self._cv:
            self._changed_at = time.monotonic()
            self._edits += 1
            self._cv.notify()

    def _heard(self, _key: str, data: bytes) -> None:
        if data == self.origin:
            return
        with self._cv:
            self._stale_at = time.monotonic()
            self._cv.notify()

    def _due(self, now: float) -> tuple[bool, bool, float]:
        """(announce now, rebuild now, seconds to wait otherwise); under the lock."""
        waits = []
        announce = rebuild = False
        for stamp in (self._changed_at, self._stale_at):
            if stamp is not None:
                waits.append(stamp + self.settle_s - now)
        if self._changed_at is not None and now >= self._changed_at + self.settle_s:
            announce, self._changed_at = True, None
        if self._stale_at is not None and now >= self._stale_at + self.settle_s:
            rebuild, self._stale_at = True, None
        pending = [w for w in waits if w > 0]
        return announce, rebuild, min(pending) if pending else self.every_s

    def _run(self) -> None:
        last_rebuild = time.monotonic()
        while True:
            with self._cv:
                if self._closed:
                    return
                announce, rebuild, wait = self._due(time.monotonic())
                if not announce and not rebuild:
                    wait = min(wait, max(0.0, last_rebuild + self.every_s - time.monotonic()))
                    if wait > 0:
                        self._cv.wait(wait)
                        continue
                    rebuild = True  # the safety net: nothing heard for every_s
            if announce:
                self._announce()
            if rebuild:
                self._rebuild()
                last_rebuild = time.monotonic()

    def _announce(self) -> None:
        try:
            self.bus.announce(TOPIC, KEY, self.origin)
            self.announced += 1
        except Exception:  # the others catch up at their next timed rebuild
            log.warning("watchlist change not announced", exc_info=True)

    def _rebuild(self) -> None:
        with self._cv:
            edits = self._edits
        try:
            n = self.gallery.refresh()
            self.reloads += 1
            log.info("face gallery rebuilt from the store", extra={"templates": n})
        except Exception:  # the store down: the next announcement or the timer retries
            log.exception("face gallery rebuild failed")
        with self._cv:
            if self._edits != edits:  # an edit of its own may have been read before its
                self._stale_at = time.monotonic()  # commit and swapped out: read again
                self._cv.notify()

    def close(self) -> None:
        self.gallery.on_change(None)
        self._stop_listening()
        with self._cv:
            self._closed = True
            self._cv.notify()
        self._thread.join(timeout=5.0)
