"""Bookmarks on a camera's timeline: a note, who and when, optionally an incident.

Each bookmark holds ``bookmark_hold_s`` of video around its instant (an evidence hold
of kind ``bookmark``), so what someone marked is not lost to retention; deleting the
bookmark releases the hold. Creating, editing and deleting are audited.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kuzet.access.audit import AuditLog
from kuzet.access.model import Principal
from kuzet.evidence.ranges import RangeError
from kuzet.evidence.tables import BookmarkRow
from kuzet.record import EvidenceHolds

MAX_NOTE = 2000


def view(r: BookmarkRow) -> dict[str, Any]:
    return {
        "id": r.id,
        "camera_id": r.camera_id,
        "ts": r.ts,
        "note": r.note,
        "created_by": r.created_by,
        "agency_id": r.agency_id,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
        "incident_id": r.incident_id,
        "hold_id": r.hold_id,
    }


def _visible(who: Principal, r: BookmarkRow) -> bool:
    return who.platform or r.agency_id == who.agency_id


def _note(note: str) -> str:
    note = note.strip()
    if not note:
        raise RangeError("note", "write what the bookmark marks")
    if len(note) > MAX_NOTE:
        raise RangeError("note", f"at most {MAX_NOTE} characters")
    return note


class Bookmarks:
    def __init__(
        self, engine: Engine, holds: EvidenceHolds | None, audit: AuditLog, hold_s: float
    ) -> None:
        self.engine, self.holds, self.audit, self.hold_s = engine, holds, audit, hold_s

    def create(
        self,
        who: Principal,
        camera_id: str,
        ts: datetime,
        note: str,
        incident_id: str | None = None,
    ) -> dict[str, Any]:
        if ts.tzinfo is None:
            raise RangeError("ts", "give the time with a zone, e.g. 2026-12-06T14:00:00Z")
        note = _note(note)
        bid, now = str(uuid.uuid4()), datetime.now(UTC)
        hold_id = None
        if self.holds is not None and self.hold_s > 0:
            half = timedelta(seconds=self.hold_s / 2)
            hold = self.holds.place(
                camera_id,
                ts - half,
                ts + half,
                kind="bookmark",
                ref=bid,
                reason=f"bookmark: {note[:200]}",
                actor=who.username,
            )
            hold_id = hold.id
        row = BookmarkRow(
            id=bid,
            camera_id=camera_id,
            ts=ts.astimezone(UTC),
            note=note,
            created_by=who.username,
            agency_id=who.agency_id,
            created_at=now,
            updated_at=None,
            incident_id=incident_id,
            hold_id=hold_id,
        )
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            s.add(row)
        self.audit.record(
            who.username,
            "bookmark.create",
            target=f"bookmark:{bid}",
            agency_id=who.agency_id,
            ip=who.ip,
            detail={"camera_id": camera_id, "ts": row.ts.isoformat(), "incident_id": incident_id},
        )
        return view(row)

    def find(
        self,
        who: Principal,
        camera_id: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        incident_id: str | None = None,
        limit: int = 500,
    ) -> list[dict[str, Any]]:
        q = select(BookmarkRow).order_by(BookmarkRow.ts).limit(limit)
        if camera_id is not None:
            q = q.where(BookmarkRow.camera_id == camera_id)
        if start is not None:
            q = q.where(BookmarkRow.ts >= start)
        if end is not None:
            q = q.where(BookmarkRow.ts < end)
        if incident_id is not None:
            q = q.where(BookmarkRow.incident_id == incident_id)
        if not who.platform:
            q = q.where(BookmarkRow.agency_id == who.agency_id)
        with Session(self.engine) as s:
            return [view(r) for r in s.scalars(q)]

    def get(self, who: Principal, bookmark_id: str) -> dict[str, Any] | None:
        with Session(self.engine) as s:
            r = s.get(BookmarkRow, bookmark_id)
            return view(r) if r is not None and _visible(who, r) else None

    def update(
        self,
        who: Principal,
        bookmark_id: str,
        *,
        note: str | None = None,
        incident_id: str | None = None,
        detach: bool = False,
    ) -> dict[str, Any] | None:
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            r = s.get(BookmarkRow, bookmark_id)
            if r is None or not _visible(who, r):
                return None
            changed: dict[str, Any] = {}
            if note is not None:
                r.note = changed["note"] = _note(note)
            if incident_id is not None or detach:
                r.incident_id = changed["incident_id"] = None if detach else incident_id
            r.updated_at = datetime.now(UTC)
        self.audit.record(
            who.username,
            "bookmark.update",
            target=f"bookmark:{bookmark_id}",
            agency_id=who.agency_id,
            ip=who.ip,
            detail=changed,
        )
        return view(r)

    def delete(self, who: Principal, bookmark_id: str, reason: str) -> bool:
        with Session(self.engine) as s, s.begin():
            r = s.get(BookmarkRow, bookmark_id)
            if r is None or not _visible(who, r):
                return False
            s.delete(r)
        if self.holds is not None:
            self.holds.release_ref(
                "bookmark", bookmark_id, actor=who.username, reason=reason or "bookmark deleted"
            )
        self.audit.record(
            who.username,
            "bookmark.delete",
            target=f"bookmark:{bookmark_id}",
            agency_id=who.agency_id,
            ip=who.ip,
            reason=reason or None,
        )
        return True
