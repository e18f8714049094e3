"""Stored best faces of past tracks: record, retrospective search, retention purge.

Templates and crops are sealed in the database. Opening a day of a city's sightings
for every search costs seconds, so opened templates are kept in this process's memory
per UTC hour (:mod:`kuzet.faces.sighting_cache`) and a search is a mask plus a matrix
product per hour. The answer is the exact scan's: the few candidates the cached scores
select are read again from the database and scored row by row, which also drops rows
another process deleted. Rows other processes add are picked up when an hour's count
in the database no longer matches (checked at most every ``refresh_s``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine, delete, update
from sqlalchemy.orm import Session, sessionmaker

from kuzet.crypto import KeyRing
from kuzet.faces import sighting_rows as db_rows
from kuzet.faces.sighting_cache import HOUR_US, ID_DTYPE, Block, Rows, SightingCache
from kuzet.faces.sighting_rows import Found, in_hour, to_us
from kuzet.faces.sighting_scan import Part, candidates, cut
from kuzet.faces.tables import SightingRow

__all__ = ["Found", "Sighting", "Sightings"]

MAX_DIRECT_CAMERAS = 500  # an IN (...) list this long is still one cheap index walk
_RETRIES = 8  # re-checks that found deleted rows before the answer is given as is


@dataclass(frozen=True)
class Sighting:
    camera_id: str
    track_id: int
    ts: datetime
    box: tuple[float, float, float, float]
    quality: float
    template: np.ndarray
    crop_jpeg: bytes | None = None
    listed: bool = False
    attributes: dict[str, Any] | None = None
    embedder: str = "dlib"  # the model that made ``template``


class Sightings:
    """``cache_bytes`` bounds the opened templates held (LRU by hour, ~560 bytes a
    sighting); an hour no search used for ``cache_idle_s`` is dropped; ``refresh_s`` is
    how stale rows added by another process may be. Where a search names cameras with
    at most ``direct_rows`` sightings (or ``direct_share`` of all) in hours not held, it
    reads just those rows instead of loading the hours.
    """

    def __init__(
        self,
        engine: Engine,
        keys: KeyRing,
        *,
        cache_bytes: int = 2 << 30,
        cache_idle_s: float = 3600.0,
        refresh_s: float = 5.0,
        direct_rows: int = 20_000,
        direct_share: float = 0.25,
        embedder: str = "dlib",
    ) -> None:
        """Only sightings made by ``embedder`` are searched (others are another space)."""
        self._session = sessionmaker(engine)
        self.embedder = embedder
        self._mine = SightingRow.embedder == embedder
        self._keys = keys
        self.cache = SightingCache(cache_bytes, cache_idle_s)
        self.refresh_s = refresh_s
        self.direct_rows = direct_rows
        self.direct_share = direct_share

    def record(self, s: Sighting) -> str:
        sid = str(uuid.uuid4())
        vec = s.template.astype(np.float32)
        t = self._keys.seal(vec.tobytes(), f"sighting:{sid}")
        crop = None
        if s.crop_jpeg is not None:
            crop = self._keys.seal(s.crop_jpeg, f"sighting-crop:{sid}").blob
        row = SightingRow(
            id=sid,
            camera_id=s.camera_id,
            track_id=s.track_id,
            ts=s.ts,
            box=list(s.box),
            quality=s.quality,
            key_id=t.key_id,
            template_enc=t.blob,
            crop_enc=crop,
            listed=s.listed,
            attributes=s.attributes or {},
            embedder=s.embedder,
        )
        with self._session.begin() as db:
            db.add(row)
        if s.embedder != self.embedder:
            return sid  # stored, never searched here
        us = to_us(s.ts)
        rows = Rows(np.array([sid], ID_DTYPE), self.cache.codes([s.camera_id]),
                    np.array([us], np.int64), vec.reshape(1, -1))  # fmt: skip
        self.cache.add(us // HOUR_US, rows)
        return sid

    def mark_listed(self, sighting_id: str) -> None:
        with self._session.begin() as db:
            db.execute(update(SightingRow).where(SightingRow.id == sighting_id).values(listed=True))

    def search(
        self,
        template: np.ndarray,
        start: datetime,
        end: datetime,
        cameras: list[str] | None = None,
        *,
        threshold: float = 0.8,
        limit: int = 100,
    ) -> list[Found]:
        """Where was this face seen between ``start`` and ``end`` (in ``cameras``; all
        when empty)? Best first, at most ``limit``, cosine at or above ``threshold``."""
        lo, hi = to_us(start), to_us(end)
        if lo >= hi or limit <= 0:
            return []
        probe = template.astype(np.float32) / max(float(np.linalg.norm(template)), 1e-9)
        cams = sorted(set(cameras)) if cameras else None
        self.cache.expire()
        found: list[Found] = []
        for _ in range(_RETRIES):
            with self._session() as db:
                ids = cut(self._scan(db, probe, lo, hi, cams, threshold, limit), threshold, limit)
                found, seen = [], set()
                for chunk in db_rows.chunks(ids):
                    got, read = db_rows.scored(
                        db, self._keys, SightingRow.id.in_(chunk), probe, threshold
                    )
                    found += got
                    seen |= read
            gone = [i for i in ids if i not in seen]
            if not gone:
                break
            self.cache.forget(gone)  # deleted by another process: drop and select again
        found.sort(key=lambda f: (-f.score, f.ts, f.sighting_id))
        return found[:limit]

    def forget(self, sighting_ids: list[str]) -> None:
        """Sightings deleted elsewhere (erasure): out of the search cache at once."""
        self.cache.forget(sighting_ids)

    def crop(self, sighting_id: str) -> bytes | None:
        with self._session() as db:
            row = db.get(SightingRow, sighting_id)
        if row is None or row.crop_enc is None:
            return None
        return self._keys.open(row.key_id, row.crop_enc, f"sighting-crop:{sighting_id}")

    def purge(self, now: datetime, retention: timedelta) -> int:
        """Delete face data of people on no list older than ``retention``."""
        cutoff = now - retention
        with self._session.begin() as db:
            res = db.execute(
                delete(SightingRow).where(SightingRow.ts < cutoff, ~SightingRow.listed)
            )
        self.cache.drop_before(to_us(cutoff))
        return int(res.rowcount or 0)  # type: ignore[attr-defined]

    # search internals
    def _scan(
        self,
        db: Session,
        probe: np.ndarray,
        lo: int,
        hi: int,
        cams: list[str] | None,
        threshold: float,
        limit: int,
    ) -> list[Part]:
        """Candidates of each held (or now loaded) hour, and of spans whose rows on the
        asked cameras are few enough to read directly instead of loading the hours."""
        parts: list[Part] = []
        table = None
        for h0, h1, held in _runs(lo // HOUR_US, (hi - 1) // HOUR_US, self.cache.hours()):
            hours: Iterable[int] = range(h0, h1 + 1)
            if not held:
                a, b = max(lo, h0 * HOUR_US), min(hi, (h1 + 1) * HOUR_US)
                if cams and len(cams) <= MAX_DIRECT_CAMERAS and self._few(db, a, b, cams):
                    on = db_rows.between(a, b) & SightingRow.camera_id.in_(cams) & self._mine
                    rows = db_rows.load(db, self._keys, self.cache, on)
                    direct = Block.of(h0, rows, 0.0)  # not kept: just scored
                    parts.append(candidates(direct, probe, None, None, threshold, limit))
                    continue
                hours = self._hours(db, a, b)
            for hour in hours:
                block = self._block(db, hour)
                if cams:  # after the block: codes of its cameras exist by now
                    table = self.cache.camera_table(cams)
                whole = lo <= hour * HOUR_US and (hour + 1) * HOUR_US <= hi
                window = None if whole else (lo, hi)
                parts.append(candidates(block, probe, window, table, threshold, limit))
        return parts

    def _few(self, db: Session, lo: int, hi: int, cams: list[str]) -> bool:
        """Are the asked cameras' rows in ``[lo, hi)`` few enough to read directly?"""
        span = db_rows.between(lo, hi) & self._mine
        asked = db_rows.count(db, span & SightingRow.camera_id.in_(cams))
        return asked <= self.direct_rows or asked <= self.direct_share * db_rows.count(db, span)

    def _hours(self, db: Session, lo: int, hi: int) -> list[int]:
        """Hours of ``[lo, hi)`` with sightings in the database: one index probe per
        non-empty hour, so a year-long window with a few sightings costs a few queries."""
        out: list[int] = []
        while lo < hi and (nxt := db_rows.first_at_or_after(db, lo, hi)) is not None:
            out.append(nxt // HOUR_US)
            lo = (out[-1] + 1) * HOUR_US
        return out

    def _block(self, db: Session, hour: int) -> Block:
        """The hour's block: held (re-checked after ``refresh_s``) or loaded now."""
        block, epoch = self.cache.claim(hour)
        if block is not None:
            if time.monotonic() - block.checked > self.refresh_s:
                block = self._refresh(db, block)
            return block
        try:
            checked = time.monotonic()
            rows = db_rows.load(db, self._keys, self.cache, in_hour(hour) & self._mine)
            block = Block.of(hour, rows, checked)
        except BaseException:
            self.cache.abandon(hour)
            raise
        return self.cache.put(block, epoch)

    def _refresh(self, db: Session, block: Block) -> Block:
        """Bring a held hour in line with the database when its row count differs."""
        now, epoch = time.monotonic(), self.cache.epoch
        where = in_hour(block.hour) & self._mine
        gone = np.empty(0, ID_DTYPE)
        parts: list[Rows] = []
        if db_rows.count(db, where) != block.n:
            held = block.rows.ids
            there = db_rows.ids_where(db, where)
            gone = held[~np.isin(held, there)]
            new = [i.decode() for i in there[~np.isin(there, held)].tolist()]
            parts = [
                db_rows.load(db, self._keys, self.cache, SightingRow.id.in_(c))
                for c in db_rows.chunks(new)
            ]

        def fix(b: Block) -> Block:
            b = b.without(gone)
            for rows in parts:
                b = b.appended(rows)
            return replace(b, checked=now)

        self.cache.update(block.hour, fix, epoch)
        # no longer held: fix a copy (buf=rows has no spare room, so appending copies
        # instead of writing into a buffer another snapshot may share)
        return self.cache.get(block.hour) or fix(replace(block, buf=block.rows))


def _runs(first: int, last: int, held: list[int]) -> Iterator[tuple[int, int, bool]]:
    """``[first, last]`` cut into runs of hours: each held hour, and the gaps between."""
    hour = first
    for h in held:
        if first <= h <= last:
            if h > hour:
                yield hour, h - 1, False
            yield h, h, True
            hour = h + 1
    if hour <= last:
        yield hour, last, False
