"""Watchlist hits as rows of their own (``watchlist_hits``), beside the events.

The event goes through the bus to the event store like any other; this row is what
the watchlist API lists and filters by list and person, and what an erasure finds
("every hit of this person") without scanning event attributes.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import sessionmaker

from kuzet.core import Event
from kuzet.faces.tables import HitRow


class Hits:
    def __init__(self, engine: Engine) -> None:
        self._session = sessionmaker(engine, expire_on_commit=False)

    def record(self, ev: Event) -> str:
        """Store the hit behind a ``watchlist_hit`` event; the same event twice is one row."""
        a = ev.attributes
        with self._session.begin() as s:
            have = s.scalar(select(HitRow.id).where(HitRow.event_id == ev.id))
            if have is not None:
                return have
            row = HitRow(
                id=str(uuid.uuid4()),
                event_id=ev.id,
                sighting_id=None,
                watchlist_id=str(a["watchlist_id"]),
                person_id=str(a["person_id"]),
                photo_id=str(a["photo_id"]),
                camera_id=ev.camera_id,
                track_id=int(ev.track_id or 0),
                score=float(ev.score or 0.0),
                ts=ev.ts,
            )
            s.add(row)
            return row.id

    def link_sighting(self, camera_id: str, track_id: int, sighting_id: str) -> None:
        """The track ended and its best face was stored: point its hits at it."""
        with self._session.begin() as s:
            s.execute(
                update(HitRow)
                .where(
                    HitRow.camera_id == camera_id,
                    HitRow.track_id == track_id,
                    HitRow.sighting_id.is_(None),
                )
                .values(sighting_id=sighting_id)
            )

    def get(self, hit_id: str) -> HitRow | None:
        with self._session() as s:
            return s.get(HitRow, hit_id)

    def query(
        self,
        watchlist_ids: Collection[str],
        *,
        camera_ids: Collection[str] | None = None,
        person_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
    ) -> list[HitRow]:
        """Newest first, only on the given lists (the caller's visible ones)."""
        if not watchlist_ids or (camera_ids is not None and not camera_ids):
            return []
        q = select(HitRow).where(HitRow.watchlist_id.in_(list(watchlist_ids)))
        if camera_ids is not None:
            q = q.where(HitRow.camera_id.in_(list(camera_ids)))
        if person_id is not None:
            q = q.where(HitRow.person_id == person_id)
        if since is not None:
            q = q.where(HitRow.ts >= since)
        if until is not None:
            q = q.where(HitRow.ts < until)
        with self._session() as s:
            return list(s.scalars(q.order_by(HitRow.ts.desc()).limit(limit)))

    def of_person(self, person_id: str) -> list[HitRow]:
        with self._session() as s:
            q = select(HitRow).where(HitRow.person_id == person_id).order_by(HitRow.ts)
            return list(s.scalars(q))

    def delete_of_person(self, person_id: str) -> int:
        with self._session.begin() as s:
            res = s.execute(delete(HitRow).where(HitRow.person_id == person_id))
        return int(res.rowcount or 0)  # type: ignore[attr-defined]
