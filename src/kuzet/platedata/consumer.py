"""The ``plates`` bus consumer: plate reads into the store, watchlist hits onto the bus.

It reads the durable group ``plates``; for each batch it writes the reads
(``plate_reads``) and the matches (``plate_matches``), publishes one ``plate_match``
event per hit, and only then acks. A batch that fails is redelivered: rows are keyed by
event id and match ids are deterministic, so a second pass stores and publishes nothing
new (the store and the incident book ignore an id they hold).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from sqlalchemy import Engine
from sqlalchemy.dialects import postgresql, sqlite

from kuzet.core.event import Event
from kuzet.events.base import Bus, Delivery, Subscription
from kuzet.events.batches import batches
from kuzet.platedata.matcher import Matcher, match_event
from kuzet.platedata.reads import read_row, write_reads
from kuzet.platedata.tables import PlateMatchRow

log = logging.getLogger(__name__)
GROUP = "plates"
BATCH = 200


class PlateConsumer:
    def __init__(self, engine: Engine, bus: Bus, matcher: Matcher) -> None:
        self.engine = engine
        self.bus = bus
        self.matcher = matcher
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sub: Subscription | None = None
        self.reads = 0
        self.matches = 0

    def handle(self, events: Sequence[Event]) -> list[Event]:
        """Store the reads and their matches; returns the ``plate_match`` events (the
        caller publishes them, then acks)."""
        rows, out, match_rows = [], [], []
        for ev in events:
            row = read_row(ev)
            if row is None:
                continue
            rows.append(row)
            for m in self.matcher.match(row["plate"], row["ts"]):
                hit = match_event(ev, m)
                out.append(hit)
                match_rows.append({
                    "event_id": hit.id, "read_event_id": ev.id, "list_id": m.list.id,
                    "entry_id": m.entry.id, "plate": row["plate"], "entry_plate": m.entry.plate,
                    "distance": m.distance, "camera_id": ev.camera_id, "ts": row["ts"],
                })  # fmt: skip
        self.reads += write_reads(self.engine, rows)
        if match_rows:
            ins = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
            stmt = ins(PlateMatchRow).on_conflict_do_nothing(index_elements=["event_id"])
            with self.engine.begin() as c:
                c.execute(stmt, match_rows)
        self.matches += len(out)
        return out

    def process(self, deliveries: Sequence[Delivery]) -> None:
        hits = self.handle([d.event for d in deliveries])
        for hit in hits:
            self.bus.publish(hit)
        if self._sub is not None:
            self._sub.ack(deliveries)

    def start(self) -> None:
        self._sub = self.bus.subscribe(GROUP, durable=True)
        self._thread = threading.Thread(target=self._loop, name="plates", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3.0)
            self._thread = None
        if self._sub is not None:
            try:
                self._sub.close()
            except Exception:
                log.debug("closing the plates subscription failed", exc_info=True)
            self._sub = None

    def _loop(self) -> None:
        assert self._sub is not None
        for deliveries in batches(self._sub, self._stop, "plates", max_n=BATCH):
            try:
                self.process(deliveries)
            except Exception:
                log.exception("plates: batch failed; its events will be redelivered")
                self._stop.wait(1.0)
