"""Data-subject requests for a watchlist person: export everything held, or erase it.

"Everything" is: the person row (name, case data), every enrolled photo, the hits
(rows, their events, the live crops and snapshots in the blob store) and the sightings
those hits point at. Templates are derived data: an export lists the photos they
came from but never contains them. After an erasure the gallery no longer has the
person's templates, so the face matches nothing.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import sessionmaker

from kuzet.faces.services import FaceServices
from kuzet.faces.tables import HitRow, PersonRow, SightingRow, WatchlistRow
from kuzet.store.tables import EventRow

GetBlob = Callable[[str], bytes | None]
DeleteBlob = Callable[[str], object]


def hit_crop_key(camera_id: str, event_id: str) -> str:
    """Where :class:`~kuzet.faces.matcher.FaceMatcher` puts a hit's live crop."""
    return f"faces/hits/{camera_id}/{event_id}.jpg"


@dataclass
class Erased:
    persons: int = 0
    photos: int = 0
    hits: int = 0
    events: int = 0
    sightings: int = 0
    blobs: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in vars(self).items() if isinstance(v, int)}


def _iso(v: Any) -> Any:
    return v.isoformat() if hasattr(v, "isoformat") else v


def _hit_json(h: HitRow) -> dict[str, Any]:
    return {
        "id": h.id, "event_id": h.event_id, "sighting_id": h.sighting_id,
        "watchlist_id": h.watchlist_id, "photo_id": h.photo_id, "camera_id": h.camera_id,
        "track_id": h.track_id, "score": h.score, "ts": _iso(h.ts),
    }  # fmt: skip


def _sightings(svc: FaceServices, ids: set[str]) -> list[SightingRow]:
    if not ids:
        return []
    with sessionmaker(svc.engine)() as s:
        return list(s.scalars(select(SightingRow).where(SightingRow.id.in_(sorted(ids)))))


def _events(svc: FaceServices, ids: list[str]) -> list[EventRow]:
    if not ids:
        return []
    with sessionmaker(svc.engine)() as s:
        return list(s.scalars(select(EventRow).where(EventRow.id.in_(ids))))


def export_person(svc: FaceServices, person: PersonRow, get_blob: GetBlob) -> bytes:
    """A ZIP: ``person.json`` (metadata, photos, hits, sightings) and the images."""
    wl = svc.lists.get(person.watchlist_id)
    photos = svc.lists.photos_of(person.id)
    hits = svc.hits.of_person(person.id)
    sightings = _sightings(svc, {h.sighting_id for h in hits if h.sighting_id})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for p in photos:
            z.writestr(f"photos/{p.id}.jpg", svc.lists.photo(p.id))
        for srow in sightings:
            if (crop := svc.sightings.crop(srow.id)) is not None:
                z.writestr(f"sightings/{srow.id}.jpg", crop)
        for h in hits:
            if (jpg := get_blob(hit_crop_key(h.camera_id, h.event_id))) is not None:
                z.writestr(f"hits/{h.id}.jpg", jpg)
        doc = {
            "person": {
                "id": person.id, "external_id": person.external_id, "name": person.name,
                "case": person.case, "created_at": _iso(person.created_at),
                "updated_at": _iso(person.updated_at),
            },
            "watchlist": {"id": wl.id, "name": wl.name, "kind": wl.kind, "agency_id": wl.agency_id},
            "photos": [
                {"id": p.id, "sha256": p.sha256, "quality": p.quality,
                 "created_at": _iso(p.created_at), "file": f"photos/{p.id}.jpg",
                 "template": "held sealed (128-d dlib); not exported"}
                for p in photos
            ],
            "hits": [_hit_json(h) for h in hits],
            "sightings": [
                {"id": s.id, "camera_id": s.camera_id, "track_id": s.track_id,
                 "ts": _iso(s.ts), "box": s.box, "quality": s.quality,
                 "attributes": s.attributes}
                for s in sightings
            ],
        }  # fmt: skip
        z.writestr("person.json", json.dumps(doc, indent=2, sort_keys=True))
    return buf.getvalue()


def erase_person(svc: FaceServices, person: PersonRow, delete_blob: DeleteBlob) -> Erased:
    """Delete everything held about ``person``; the gallery forgets the face at once."""
    out = Erased()
    hits = svc.hits.of_person(person.id)
    event_ids = [h.event_id for h in hits]
    keys = {hit_crop_key(h.camera_id, h.event_id) for h in hits}
    keys |= {e.snapshot for e in _events(svc, event_ids) if e.snapshot}
    sighting_ids = sorted({h.sighting_id for h in hits if h.sighting_id})
    out.photos = len(svc.lists.photos_of(person.id))
    with sessionmaker(svc.engine).begin() as s:
        if event_ids:
            out.events = int(s.execute(delete(EventRow).where(EventRow.id.in_(event_ids))).rowcount)  # type: ignore[attr-defined]
        if sighting_ids:
            res = s.execute(delete(SightingRow).where(SightingRow.id.in_(sighting_ids)))
            out.sightings = int(res.rowcount)  # type: ignore[attr-defined]
    svc.sightings.forget(sighting_ids)  # and out of the retrospective-search cache
    out.hits = svc.hits.delete_of_person(person.id)
    # photos, templates (sealed in the photo rows), the person row and the index entries
    out.persons = int(svc.lists.remove(person.watchlist_id, person.external_id))
    for key in sorted(keys):
        try:
            out.blobs += bool(delete_blob(key))
        except ValueError:  # a key the blob store refuses: nothing of ours is there
            continue
    return out


def erase_list(svc: FaceServices, watchlist_id: str, delete_blob: DeleteBlob) -> Erased:
    """A whole list: each person erased as above, then the list itself."""
    total = Erased()
    for person in svc.lists.persons(watchlist_id):
        one = erase_person(svc, person, delete_blob)
        for k, v in one.as_dict().items():
            setattr(total, k, getattr(total, k) + v)
    svc.lists.delete_list(watchlist_id)
    return total


def visible_lists(svc: FaceServices, agency_id: str) -> list[WatchlistRow]:
    """Lists an agency sees: its own and those shared with it (``visibility``)."""
    return [w for w in svc.lists.lists() if agency_id == w.agency_id or agency_id in w.visibility]
