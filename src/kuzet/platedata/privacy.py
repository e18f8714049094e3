"""Plates are personal data: retention of reads, and one plate's export or erasure.

"One plate's data" is: its reads (rows, their ``plate_read`` events, the vehicle
snapshots and plate crops in the blob store) and its watchlist matches (rows and
``plate_match`` events). Watchlist entries are the listing agency's records, not the
plate's traffic: an export lists those the caller's agency sees; erasure leaves them.
Incidents keep their own timeline; their event links then point at nothing.
"""

from __future__ import annotations

import contextlib
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, select

from kuzet.platedata.lists import PlateLists
from kuzet.platedata.reads import reads_of
from kuzet.platedata.tables import PlateMatchRow, PlateReadRow, PlateSeenRow
from kuzet.store.tables import EventRow

GetBlob = Callable[[str], bytes | None]
DeleteBlob = Callable[[str], object]
_BATCH = 500


@dataclass
class Erased:
    reads: int = 0
    matches: int = 0
    events: int = 0
    blobs: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _iso(v: Any) -> Any:
    return v.isoformat() if isinstance(v, datetime) else v


def _row(r: Any) -> dict[str, Any]:
    return {c.name: _iso(getattr(r, c.name)) for c in r.__table__.columns}


def _matches(engine: Engine, cond: Any, limit: int | None = None) -> list[PlateMatchRow]:
    with engine.connect() as c:
        rows = c.execute(select(*PlateMatchRow.__table__.columns).where(cond).limit(limit))
        return [PlateMatchRow(**dict(r._mapping)) for r in rows]


def _blob_keys(reads: Iterable[PlateReadRow]) -> list[str]:
    return sorted({k for r in reads for k in (r.snapshot, r.plate_crop) if k})


def export_plate(
    engine: Engine, lists: PlateLists, plate: str, agency_id: str, get_blob: GetBlob
) -> bytes:
    """A ZIP: ``plate.json`` (reads, matches, entries the agency sees) and the pictures."""
    reads = reads_of(engine, [plate])
    matches = _matches(engine, PlateMatchRow.plate == plate)
    seen = {lst.id: lst for lst in lists.visible(agency_id)}
    entries = [
        {**_row(e), "list_name": seen[e.list_id].name, "list_kind": seen[e.list_id].kind}
        for lid in seen
        for e in lists.entries(lid, plate=plate, limit=1000)
        if e.plate == plate
    ]
    body = {
        "plate": plate,
        "exported_at": datetime.now(UTC).isoformat(),
        "reads": [_row(r) for r in reads],
        "matches": [_row(m) for m in matches],
        "watchlist_entries": entries,
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("plate.json", json.dumps(body, indent=2, ensure_ascii=False))
        for key in _blob_keys(reads):
            data = get_blob(key)
            if data is not None:
                z.writestr(f"pictures/{key.replace('/', '_')}", data)
    return buf.getvalue()


def _drop(
    engine: Engine, reads: list[PlateReadRow], matches: list[PlateMatchRow], delete_blob: DeleteBlob
) -> Erased:
    out = Erased()
    read_ids = [r.event_id for r in reads]
    match_ids = [m.event_id for m in matches]
    with engine.begin() as c:
        for i in range(0, len(read_ids), _BATCH):
            part = read_ids[i : i + _BATCH]
            out.reads += c.execute(
                delete(PlateReadRow).where(PlateReadRow.event_id.in_(part))
            ).rowcount
            out.events += c.execute(delete(EventRow).where(EventRow.id.in_(part))).rowcount
        for i in range(0, len(match_ids), _BATCH):
            part = match_ids[i : i + _BATCH]
            out.matches += c.execute(
                delete(PlateMatchRow).where(PlateMatchRow.event_id.in_(part))
            ).rowcount
            out.events += c.execute(delete(EventRow).where(EventRow.id.in_(part))).rowcount
    out.blobs += _delete_blobs(_blob_keys(reads), delete_blob)
    return out


def _delete_blobs(keys: Iterable[str], delete_blob: DeleteBlob) -> int:
    n = 0
    for key in keys:
        with contextlib.suppress(FileNotFoundError):
            n += delete_blob(key) is not False  # LocalBlobStore: False when it was gone
    return n


def erase_plate(engine: Engine, plate: str, delete_blob: DeleteBlob) -> Erased:
    """Every read and match of ``plate``, their events and pictures. Its later reads are
    stored again: erasure is of what is held, not a block on the camera."""
    reads = reads_of(engine, [plate])
    matches = _matches(engine, PlateMatchRow.plate == plate)
    out = _drop(engine, reads, matches, delete_blob)
    with engine.begin() as c:
        c.execute(delete(PlateSeenRow).where(PlateSeenRow.plate == plate))
    return out


def purge_plates(
    engine: Engine, days: int | None, delete_blob: DeleteBlob, now: datetime | None = None
) -> Erased:
    """Retention: reads and matches older than ``days`` go, with their events and
    pictures (the plate's events may be kept shorter than other events)."""
    total = Erased()
    if days is None:
        return total
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    while True:
        with engine.connect() as c:
            rows = c.execute(
                select(*PlateReadRow.__table__.columns)
                .where(PlateReadRow.ts < cutoff)
                .limit(_BATCH)
            )
            reads = [PlateReadRow(**dict(r._mapping)) for r in rows]
        matches = _matches(engine, PlateMatchRow.ts < cutoff, _BATCH)
        # unread events (no row) of the same age go too: they are plate data as well
        with engine.connect() as c:
            unread = c.execute(
                select(EventRow.id, EventRow.snapshot)
                .where(EventRow.type == "plate_unread", EventRow.ts < cutoff)
                .limit(_BATCH)
            ).all()
        if not reads and not matches and not unread:
            with engine.begin() as c:  # plates with no read left in the window
                c.execute(delete(PlateSeenRow).where(PlateSeenRow.last_seen < cutoff))
            return total
        got = _drop(engine, reads, matches, delete_blob)
        if unread:
            with engine.begin() as c:
                ids = [r[0] for r in unread]
                got.events += c.execute(delete(EventRow).where(EventRow.id.in_(ids))).rowcount
            got.blobs += _delete_blobs([r[1] for r in unread if r[1]], delete_blob)
        for k, v in got.as_dict().items():
            setattr(total, k, getattr(total, k) + v)
