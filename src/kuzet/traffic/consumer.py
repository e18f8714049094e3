"""The ``traffic`` bus consumer: ``traffic_stats`` events -> per-lane rows, ``plate_read``
events -> hashed sightings and OD trips; acks only after the rows are committed.

Like the store sink and the operations centre it reads a durable group, so a database
outage delays figures but loses none; ids make redeliveries harmless.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from kuzet.config.traffic_analytics import TrafficConfig
from kuzet.core.event import Event
from kuzet.crypto import KeyRing
from kuzet.events.base import Bus, Subscription
from kuzet.traffic.od import OdLinker, PeriodKeys
from kuzet.traffic.plugin import EVENT_TYPE
from kuzet.traffic.stats import LaneBin
from kuzet.traffic.tables import TrafficBinRow, TrafficOdRow

log = logging.getLogger(__name__)
GROUP = "traffic"
BATCH = 200


def store_bins(engine: Engine, events: list[Event]) -> int:
    """The lanes of ``traffic_stats`` events as rows; rows already there are kept."""
    rows = []
    for ev in events:
        if ev.type != EVENT_TYPE:
            continue
        a = ev.attributes
        start = int(_epoch(a["bin_start"]))
        for lane in a.get("lanes", []):
            b = LaneBin.from_sums(lane)
            rows.append(
                TrafficBinRow(
                    event_id=ev.id,
                    lane=str(lane["lane"]),
                    camera_id=ev.camera_id,
                    approach=str(lane["approach"]),
                    segment=str(lane["segment"]),
                    bin_start=start,
                    bin_s=int(a.get("bin_s", 60)),
                    partial=bool(a.get("partial", False)),
                    count=b.count,
                    counts=b.counts,
                    speed_n=b.speed_n,
                    speed_sum_kmh=b.speed_sum_kmh,
                    observed_s=b.observed_s,
                    occupied_s=b.occupied_s,
                    queue_veh_s=b.queue_veh_s,
                    queue_max_veh=b.queue_max_veh,
                    queue_max_m=b.queue_max_m,
                )
            )
    if not rows:
        return 0
    with Session(engine) as s, s.begin():
        ids = {r.event_id for r in rows}
        have = set(
            s.execute(
                select(TrafficBinRow.event_id, TrafficBinRow.lane).where(
                    TrafficBinRow.event_id.in_(ids)
                )
            ).tuples()
        )
        new = [r for r in rows if (r.event_id, r.lane) not in have]
        s.add_all(new)
    return len(new)


def purge(engine: Engine, before: float) -> int:
    """Retention: lane rows and OD trips of bins that started before ``before``."""
    with Session(engine) as s, s.begin():
        n = s.execute(delete(TrafficBinRow).where(TrafficBinRow.bin_start < before))
        m = s.execute(delete(TrafficOdRow).where(TrafficOdRow.bin_start < before))
    return int(n.rowcount or 0) + int(m.rowcount or 0)  # type: ignore[attr-defined]


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


class TrafficConsumer:
    def __init__(
        self,
        bus: Bus,
        engine: Engine,
        cfg: TrafficConfig,
        ring: Callable[[], KeyRing],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.bus, self.engine, self.cfg, self.clock = bus, engine, cfg, clock
        self.keys = PeriodKeys(engine, ring, cfg.od.key_period_s)
        self.od = OdLinker(engine, self.keys, cfg.od)
        self.bins_stored = 0
        self._sub: Subscription | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._rotated = 0.0
        self._purged = 0.0

    def handle(self, events: list[Event]) -> None:
        now = self.clock()
        if now - self._rotated >= 60:
            self.keys.rotate(now)
            self._rotated = now
        if now - self._purged >= 3600:
            purge(self.engine, now - self.cfg.keep_days * 86400)
            self._purged = now
        self.bins_stored += store_bins(self.engine, events)
        if self.cfg.od.enabled:
            self.od.ingest(events, now)

    def start(self) -> TrafficConsumer:
        self._sub = self.bus.subscribe(GROUP, durable=True)
        self._thread = threading.Thread(target=self._run, name="traffic", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10.0)
        if self._sub is not None:
            try:
                self._sub.close()
            except Exception:
                log.debug("closing the traffic subscription failed", exc_info=True)
            self._sub = None

    def _run(self) -> None:
        """Until stopped; then what is already on the bus (the sources' last minutes)."""
        assert self._sub is not None
        while True:
            stopping = self._stop.is_set()
            try:
                deliveries = self._sub.fetch(BATCH, 0.0 if stopping else 0.2)
            except Exception as exc:  # bus down: the durable group keeps the events
                if stopping:
                    break
                log.warning("traffic: bus fetch failed: %s", exc)
                self._stop.wait(1.0)
                continue
            if not deliveries:
                if stopping:
                    break
                continue
            try:
                self.handle([d.event for d in deliveries])
            except Exception:
                log.exception("traffic: ingest failed; events will be redelivered")
                if stopping:
                    break
                self._stop.wait(1.0)
                continue
            self._sub.ack(deliveries)
