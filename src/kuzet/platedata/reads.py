"""Plate reads in the store: written from ``plate_read`` events, searched by plate.

Search is exact (the ``(plate, ts)`` index), wildcard (``123*02``: SQL ``LIKE`` behind a
range on the literal prefix, so the index still narrows it; ``*AB?02``: the matching
plates from ``plate_seen``, one row per distinct plate, then their reads) or fuzzy by edit
distance (the plates of ``plate_seen`` read in the time range, within a length band,
scored by rapidfuzz's Levenshtein; then their reads). Pages are newest first, keyset-paged by
``(ts, event_id)`` so a page costs the same at any depth.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from sqlalchemy import ColumnElement, Engine, and_, case, func, insert, or_, select, true
from sqlalchemy.dialects import postgresql, sqlite

from kuzet.core.event import Event
from kuzet.platedata.tables import PlateReadRow, PlateSeenRow
from kuzet.platedata.text import PlateTextError, Query, normalise

MAX_FUZZY_PLATES = 1000  # plates within the distance one fuzzy search may follow


def _utc(ts: datetime) -> datetime:
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)


def read_row(ev: Event) -> dict[str, Any] | None:
    """The ``plate_reads`` row of a ``plate_read`` event; None for anything else
    (an unread, or a read whose plate text is not a plate)."""
    a = ev.attributes
    if ev.type != "plate_read" or not isinstance(a.get("plate"), str):
        return None
    try:
        plate = normalise(a["plate"])
    except PlateTextError:
        return None
    conf = a.get("plate_confidence", ev.score)
    return {
        "event_id": ev.id,
        "plate": plate,
        "plate_display": str(a.get("plate_display") or plate)[:32],
        "plate_format": (str(a["plate_format"])[:32] if a.get("plate_format") else None),
        "plate_country": (str(a["plate_country"])[:8] if a.get("plate_country") else None),
        "confidence": float(conf) if isinstance(conf, int | float) else None,
        "camera_id": ev.camera_id,
        "track_id": ev.track_id,
        "ts": _utc(ev.ts),
        "vehicle_class": a.get("vehicle_class") or ev.class_name,
        "snapshot": ev.snapshot,
        "plate_crop": a.get("plate_crop") if isinstance(a.get("plate_crop"), str) else None,
    }


def write_reads(engine: Engine, rows: Sequence[dict[str, Any]]) -> int:
    """Insert the rows not stored yet (a redelivery writes nothing) and keep
    ``plate_seen`` (each plate's first and last read) up to date; returns how many."""
    if not rows:
        return 0
    c = PlateReadRow
    with engine.begin() as conn:
        have = set(
            conn.scalars(select(c.event_id).where(c.event_id.in_([r["event_id"] for r in rows])))
        )
        fresh = list({r["event_id"]: r for r in rows if r["event_id"] not in have}.values())
        if not fresh:
            return 0
        conn.execute(insert(c), fresh)
        span: dict[str, tuple[datetime, datetime]] = {}
        for r in fresh:
            lo, hi = span.get(r["plate"], (r["ts"], r["ts"]))
            span[r["plate"]] = (min(lo, r["ts"]), max(hi, r["ts"]))
        ins = (postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert)(
            PlateSeenRow
        )
        seen = PlateSeenRow.__table__.c
        conn.execute(
            ins.on_conflict_do_update(
                index_elements=["plate"],
                set_={
                    "first_seen": case(
                        (ins.excluded.first_seen < seen.first_seen, ins.excluded.first_seen),
                        else_=seen.first_seen,
                    ),
                    "last_seen": case(
                        (ins.excluded.last_seen > seen.last_seen, ins.excluded.last_seen),
                        else_=seen.last_seen,
                    ),
                },
            ),
            [{"plate": p, "first_seen": lo, "last_seen": hi} for p, (lo, hi) in span.items()],
        )
    return len(fresh)


@dataclass(frozen=True, slots=True)
class Filters:
    """Where and when; ``cameras`` None means every camera (already narrowed to the
    caller's scope by the API)."""

    cameras: frozenset[str] | None = None
    since: datetime | None = None
    until: datetime | None = None

    def where(self) -> ColumnElement[bool]:
        c = PlateReadRow
        cond: ColumnElement[bool] = true()
        if self.cameras is not None:
            cond &= c.camera_id.in_(sorted(self.cameras))
        if self.since is not None:
            cond &= c.ts >= _utc(self.since)
        if self.until is not None:
            cond &= c.ts < _utc(self.until)
        return cond


@dataclass(frozen=True, slots=True)
class Hit:
    row: PlateReadRow
    distance: int


def encode_cursor(row: PlateReadRow) -> str:
    raw = json.dumps([_utc(row.ts).isoformat(), row.event_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        ts, eid = json.loads(raw)
        return _utc(datetime.fromisoformat(ts)), str(eid)
    except (ValueError, TypeError) as exc:
        raise PlateTextError("cursor: not one this search returned") from exc


def _literal_prefix(pattern: str) -> str:
    cut = min((i for i, ch in enumerate(pattern) if ch in "*?"), default=len(pattern))
    return pattern[:cut]


def _seen(f: Filters) -> ColumnElement[bool]:
    """Plates read inside the time range (a superset: a plate's first and last read)."""
    c = PlateSeenRow
    cond: ColumnElement[bool] = true()
    if f.since is not None:
        cond &= c.last_seen >= _utc(f.since)
    if f.until is not None:
        cond &= c.first_seen < _utc(f.until)
    return cond


def _fuzzy_plates(engine: Engine, q: Query, f: Filters) -> dict[str, int]:
    c = PlateSeenRow
    n = len(q.text)
    band = func.length(c.plate).between(n - q.distance, n + q.distance)
    with engine.connect() as conn:
        plates = list(conn.scalars(select(c.plate).where(_seen(f), band)))
    found = process.extract(
        q.text, plates, scorer=Levenshtein.distance, score_cutoff=q.distance,
        limit=MAX_FUZZY_PLATES,
    )  # fmt: skip
    return {plate: int(d) for plate, d, _ in found}


def _wild_plates(engine: Engine, q: Query, f: Filters) -> list[str] | None:
    """The plates an unanchored pattern (``*AB?02``) matches, from the distinct plates;
    None when there are so many that scanning the reads themselves is cheaper."""
    c = PlateSeenRow
    stmt = select(c.plate).where(_seen(f), c.plate.like(q.like())).limit(MAX_FUZZY_PLATES + 1)
    with engine.connect() as conn:
        plates = list(conn.scalars(stmt))
    return None if len(plates) > MAX_FUZZY_PLATES else plates


def search(
    engine: Engine, q: Query, f: Filters, *, limit: int = 50, cursor: str | None = None
) -> tuple[list[Hit], str | None]:
    """One page of reads answering ``q`` under ``f``, newest first, and the next
    page's cursor (None on the last page)."""
    c = PlateReadRow
    where = f.where()
    distances: dict[str, int] | None = None
    if q.mode == "exact":
        where &= c.plate == q.text
    elif q.mode == "wildcard":
        prefix = _literal_prefix(q.text)
        plates = None if prefix else _wild_plates(engine, q, f)
        if plates is not None:  # few plates answer it: their rows through the index
            if not plates:
                return [], None
            where &= c.plate.in_(plates)
        else:
            if prefix:  # a range the (plate, ts) index answers, then LIKE on what is left
                # (plates are A-Z and 0-9: none sorts past Z in any collation)
                where &= and_(c.plate >= prefix, c.plate <= prefix + "Z" * 16)
            where &= c.plate.like(q.like())
    else:
        distances = _fuzzy_plates(engine, q, f)
        if not distances:
            return [], None
        where &= c.plate.in_(sorted(distances))
    if cursor is not None:
        ts, eid = decode_cursor(cursor)
        where &= or_(c.ts < ts, and_(c.ts == ts, c.event_id < eid))
    stmt = select(c).where(where).order_by(c.ts.desc(), c.event_id.desc()).limit(limit + 1)
    with engine.connect() as conn:
        rows = [PlateReadRow(**dict(r._mapping)) for r in conn.execute(stmt.with_only_columns(
            *c.__table__.columns))]  # fmt: skip
    more = len(rows) > limit
    rows = rows[:limit]
    hits = [Hit(r, 0 if distances is None else distances[r.plate]) for r in rows]
    return hits, encode_cursor(rows[-1]) if more and rows else None


def reads_of(engine: Engine, plates: Iterable[str]) -> list[PlateReadRow]:
    """Every read of these plates, oldest first (export, erase)."""
    c = PlateReadRow
    stmt = select(*c.__table__.columns).where(c.plate.in_(sorted(set(plates))))
    with engine.connect() as conn:
        rows = conn.execute(stmt.order_by(c.ts, c.event_id))
        return [PlateReadRow(**dict(r._mapping)) for r in rows]
