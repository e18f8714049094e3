"""Origin-destination between cameras by plate re-identification, without keeping plates.

A ``plate_read`` becomes a sighting: camera, time and ``HMAC-SHA256(key, plate)``
under the key of its period (a UTC day by default). The same plate read at another
camera within ``max_trip_s`` and the same period is a trip origin -> destination,
counted in the arrival's time bin. Keys are random, made when their period starts,
sealed with the site's access key ring in the database (so every worker hashes alike)
and deleted with their period's sightings when it ends: a hash of an old period can
no longer be linked to any plate, nor to a hash of another period.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kuzet.config.traffic_analytics import OdConfig
from kuzet.core.event import Event
from kuzet.crypto import KeyRing
from kuzet.store.locks import lock_keys
from kuzet.traffic.tables import TrafficKeyRow, TrafficOdRow, TrafficSightingRow

log = logging.getLogger(__name__)


@dataclass(slots=True)
class OdStats:
    sightings: int = 0
    trips: int = 0
    unlinkable: int = 0  # reads of a period whose key is gone (late) or without a plate


class PeriodKeys:
    """The hashing key of the current period; older ones are dropped."""

    def __init__(self, engine: Engine, ring: Callable[[], KeyRing], period_s: int) -> None:
        self.engine, self._ring, self.period_s = engine, ring, period_s
        self._cache: dict[int, bytes] = {}

    def period(self, ts: float) -> int:
        return int(ts // self.period_s) * self.period_s

    def _context(self, period: int) -> str:
        return f"traffic-od-key:{period}"

    def key(self, period: int, now: float) -> bytes | None:
        """The period's key, made if it is the current one; None for a period gone."""
        if (k := self._cache.get(period)) is not None:
            return k
        with Session(self.engine) as s:
            row = s.get(TrafficKeyRow, period)
            if row is None:
                if period != self.period(now):
                    return None  # past: its key was dropped (or never made); future: refuse
                sealed = self._ring().seal(secrets.token_bytes(32), self._context(period))
                s.add(TrafficKeyRow(period_start=period, key_id=sealed.key_id, sealed=sealed.blob))
                try:
                    s.commit()
                except IntegrityError:  # another worker made it first: use theirs
                    s.rollback()
                    return self.key(period, now)
                row = s.get(TrafficKeyRow, period)
                assert row is not None
            key = self._ring().open(row.key_id, row.sealed, self._context(period))
        self._cache[period] = key
        return key

    def rotate(self, now: float) -> int:
        """Drop every key and sighting of a period before the current one; returns how
        many keys went."""
        current = self.period(now)
        self._cache = {p: k for p, k in self._cache.items() if p >= current}
        with Session(self.engine) as s, s.begin():
            n = s.execute(delete(TrafficKeyRow).where(TrafficKeyRow.period_start < current))
            s.execute(delete(TrafficSightingRow).where(TrafficSightingRow.period_start < current))
        return int(n.rowcount or 0)  # type: ignore[attr-defined]


def plate_hash(key: bytes, plate: str) -> str:
    return hmac.new(key, plate.encode(), hashlib.sha256).hexdigest()


class OdLinker:
    def __init__(self, engine: Engine, keys: PeriodKeys, cfg: OdConfig) -> None:
        self.engine, self.keys, self.cfg = engine, keys, cfg
        self.stats = OdStats()

    def ingest(self, events: list[Event], now: float) -> None:
        """Sightings and trips of a batch of events (other types are ignored), in one
        transaction; a redelivered read (same event id) changes nothing."""
        reads = [ev for ev in sorted(events, key=lambda e: e.ts) if ev.type == "plate_read"]
        hashed = [(ev, self._hashed(ev, now)) for ev in reads]
        with Session(self.engine) as s, s.begin():
            # two consumers of the group handling one plate's two sightings at once would
            # each miss the other's: one batch at a time per plate, all its plates locked
            # up front (in sorted order, so two batches cannot deadlock)
            lock_keys(s, (f"kuzet.od:{ph[0]}:{ph[1]}" for _, ph in hashed if ph is not None))
            for ev, ph in hashed:
                if ph is None:
                    self.stats.unlinkable += 1
                else:
                    self._one(s, ev, *ph)

    def _hashed(self, ev: Event, now: float) -> tuple[int, str] | None:
        """(key period, plate hash) of a read; None when it cannot be linked (no plate, or
        a period whose key is gone)."""
        plate = ev.attributes.get("plate")
        period = self.keys.period(ev.ts.timestamp())
        key = self.keys.key(period, now) if isinstance(plate, str) and plate else None
        return None if key is None else (period, plate_hash(key, str(plate)))

    def _one(self, s: Session, ev: Event, period: int, h: str) -> None:
        ts = ev.ts.timestamp()
        if s.get(TrafficSightingRow, ev.id) is not None:
            return
        mine = (TrafficSightingRow.period_start == period, TrafficSightingRow.plate_hash == h)
        cols = (TrafficSightingRow.camera_id, TrafficSightingRow.ts)
        max_s = self.cfg.max_trip_s
        prev = s.execute(
            select(*cols)
            .where(*mine, TrafficSightingRow.ts <= ts, TrafficSightingRow.ts >= ts - max_s)
            .order_by(TrafficSightingRow.ts.desc())
            .limit(1)
        ).first()
        # a later sighting already linked (reads reach the consumers out of order): this
        # one goes between it and its predecessor, so that trip becomes two
        nxt = s.execute(
            select(*cols)
            .where(*mine, TrafficSightingRow.ts > ts, TrafficSightingRow.ts <= ts + max_s)
            .order_by(TrafficSightingRow.ts.asc())
            .limit(1)
        ).first()
        s.add(
            TrafficSightingRow(
                event_id=ev.id, period_start=period, plate_hash=h, camera_id=ev.camera_id, ts=ts
            )
        )
        self.stats.sightings += 1
        if prev is not None and prev.camera_id != ev.camera_id:
            self._trip(s, prev.camera_id, ev.camera_id, ts, ts - prev.ts)
        if nxt is None:
            return
        if prev is not None and prev.camera_id != nxt.camera_id and nxt.ts - prev.ts <= max_s:
            self._trip(s, prev.camera_id, nxt.camera_id, nxt.ts, nxt.ts - prev.ts, undo=True)
        if ev.camera_id != nxt.camera_id:
            self._trip(s, ev.camera_id, nxt.camera_id, nxt.ts, nxt.ts - ts)

    def _trip(
        self, s: Session, origin: str, dest: str, ts: float, travel_s: float, *, undo: bool = False
    ) -> None:
        """Count a trip into its destination's bin; ``undo`` takes one counted before back
        out (a sighting found between its two ends)."""
        start = int(ts // self.cfg.bin_s) * self.cfg.bin_s
        where = (
            TrafficOdRow.bin_start == start,
            TrafficOdRow.origin == origin,
            TrafficOdRow.destination == dest,
        )
        sign = -1 if undo else 1
        res = s.execute(
            update(TrafficOdRow)
            .where(*where)
            .values(
                trips=TrafficOdRow.trips + sign,
                travel_s_sum=TrafficOdRow.travel_s_sum + sign * travel_s,
            )
        )
        if undo:
            s.execute(delete(TrafficOdRow).where(*where, TrafficOdRow.trips <= 0))
            self.stats.trips -= 1
            return
        if not res.rowcount:  # type: ignore[attr-defined]
            s.add(
                TrafficOdRow(
                    bin_start=start,
                    origin=origin,
                    destination=dest,
                    bin_s=self.cfg.bin_s,
                    trips=1,
                    travel_s_sum=travel_s,
                )
            )
            s.flush()
        self.stats.trips += 1
