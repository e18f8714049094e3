"""Database side of retrospective search: column selects and bulk opening.

Only the columns a search needs are selected (no ORM objects), and a batch of
templates is opened with one cipher object per key (``KeyRing.open_many``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, String, func, select, type_coerce
from sqlalchemy.orm import Session

from kuzet.crypto import KeyRing
from kuzet.faces.sighting_cache import HOUR_US, ID_DTYPE, Rows, SightingCache
from kuzet.faces.tables import SightingRow

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
CHUNK = 500  # ids per IN (...): well under SQLite's bound on parameters
S = SightingRow


@dataclass(frozen=True)
class Found:
    sighting_id: str
    camera_id: str
    track_id: int
    ts: datetime
    score: float
    box: list[float]


def to_us(t: datetime) -> int:
    """Microseconds since the epoch; naive times are refused as by the store."""
    if t.tzinfo is None:
        raise ValueError(f"naive datetime {t!r}; the store needs timezone-aware UTC")
    return (t - EPOCH) // _US


def to_dt(us: int) -> datetime:
    return EPOCH + us * _US


def between(lo: int, hi: int) -> ColumnElement[bool]:
    """``lo <= ts < hi`` (microseconds): a range on the ``ts`` index."""
    return (S.ts >= to_dt(lo)) & (S.ts < to_dt(hi))


def in_hour(hour: int) -> ColumnElement[bool]:
    return between(hour * HOUR_US, (hour + 1) * HOUR_US)


def chunks(items: list[Any], n: int = CHUNK) -> Iterator[list[Any]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def open_templates(
    keys: KeyRing, ids: list[str], kids: list[str], blobs: list[bytes]
) -> np.ndarray:
    """The templates of these rows as one float32 matrix (same sealing as ``record``)."""
    raws = keys.open_many(kids, blobs, [f"sighting:{i}" for i in ids])
    if not raws:
        return np.empty((0, 0), np.float32)
    if len(set(map(len, raws))) != 1:
        raise ValueError("sightings of different template sizes in one batch")
    return np.frombuffer(b"".join(raws), np.float32).reshape(len(raws), -1)


def load(db: Session, keys: KeyRing, cache: SightingCache, where: ColumnElement[bool]) -> Rows:
    """Opened rows matching ``where``, in the cache's columns."""
    sqlite = db.get_bind().dialect.name == "sqlite"
    # SQLite keeps a fixed-width UTC string (UTCDateTime): numpy parses a whole hour of
    # them in C, ~30x faster than a datetime per row (a fifth of a cold load otherwise)
    ts_col = type_coerce(S.ts, String) if sqlite else S.ts
    cols = (S.id, S.camera_id, ts_col, S.key_id, S.template_enc)
    rows = db.connection().execute(select(*cols).where(where)).all()  # Core rows: no ORM
    if not rows:
        return Rows(np.empty(0, ID_DTYPE), np.empty(0, np.int32), np.empty(0, np.int64),
                    np.empty((0, 0), np.float32))  # fmt: skip
    ids, cams, ts, kids, blobs = (list(c) for c in zip(*rows, strict=True))
    if sqlite:
        us = np.array(ts, "datetime64[us]").astype(np.int64)
    else:
        us = np.fromiter((to_us(t) for t in ts), np.int64, len(ts))
    return Rows(np.array(ids, ID_DTYPE), cache.codes(cams), us,
                open_templates(keys, ids, kids, blobs))  # fmt: skip


def count(db: Session, where: ColumnElement[bool]) -> int:
    return int(db.connection().scalar(select(func.count()).select_from(S).where(where)) or 0)


def ids_where(db: Session, where: ColumnElement[bool]) -> np.ndarray:
    return np.array(db.connection().scalars(select(S.id).where(where)).all(), ID_DTYPE)


def first_at_or_after(db: Session, lo: int, hi: int) -> int | None:
    """Time of the first sighting in ``[lo, hi)`` (one index probe), or None."""
    t = db.connection().scalar(select(func.min(S.ts)).where(between(lo, hi)))
    return None if t is None else to_us(t)


def scored(
    db: Session, keys: KeyRing, where: ColumnElement[bool], probe: np.ndarray, threshold: float
) -> tuple[list[Found], set[str]]:
    """Rows matching ``where`` scored row by row, exactly as the old full scan did:
    those at or above ``threshold``, and the ids of every row read."""
    cols = (S.id, S.camera_id, S.track_id, S.ts, S.box, S.key_id, S.template_enc)
    rows = db.connection().execute(select(*cols).where(where)).all()  # Core rows: no ORM
    out: list[Found] = []
    if not rows:
        return out, set()
    raws = keys.open_many([r.key_id for r in rows], [r.template_enc for r in rows],
                          [f"sighting:{r.id}" for r in rows])  # fmt: skip
    for r, raw in zip(rows, raws, strict=True):
        score = float(np.frombuffer(raw, np.float32) @ probe)
        if score >= threshold:
            out.append(Found(r.id, r.camera_id, r.track_id, r.ts, score, r.box))
    return out, {r.id for r in rows}
