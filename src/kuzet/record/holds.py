"""Evidence holds: segments an export, a bookmark or an open incident needs are kept.

A hold names a camera and a time range. Retention (days, quota, disk space) never
deletes a segment of that camera overlapping an active hold: one not released and not
past its ``until``. Placing and releasing are audited (who, why, what).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from sqlalchemy import ColumnElement, Engine, and_, exists, insert, or_, select, update
from sqlalchemy.orm import Session

from kuzet.record.tables import HoldRow, SegmentRow

HoldKind = Literal["export", "bookmark", "incident", "manual"]
KINDS: tuple[str, ...] = ("export", "bookmark", "incident", "manual")


class Auditor(Protocol):
    """What holds need of the audit log (``kuzet.access.audit.AuditLog`` fits)."""

    def record(
        self, actor: str, action: str, *, target: str | None = None,
        reason: str | None = None, detail: dict[str, Any] | None = None,
    ) -> Any: ...  # fmt: skip


@dataclass(frozen=True, slots=True)
class Hold:
    id: str
    camera_id: str
    start: datetime
    end: datetime
    kind: str
    ref: str | None
    reason: str
    created_by: str
    created_at: datetime
    until: datetime | None
    released_at: datetime | None
    released_by: str | None
    release_reason: str | None

    def active(self, at: datetime) -> bool:
        return self.released_at is None and (self.until is None or self.until > at)


def _hold(r: HoldRow) -> Hold:
    return Hold(
        id=r.id, camera_id=r.camera_id, start=r.start_ts, end=r.end_ts, kind=r.kind, ref=r.ref,
        reason=r.reason, created_by=r.created_by, created_at=r.created_at, until=r.until,
        released_at=r.released_at, released_by=r.released_by, release_reason=r.release_reason,
    )  # fmt: skip


def _active(now: datetime) -> ColumnElement[bool]:
    return and_(HoldRow.released_at.is_(None), or_(HoldRow.until.is_(None), HoldRow.until > now))


def segment_is_held(now: datetime) -> ColumnElement[bool]:
    """SQL: the ``rec_segments`` row in the enclosing query overlaps an active hold."""
    return exists().where(
        HoldRow.camera_id == SegmentRow.camera_id,
        HoldRow.start_ts < SegmentRow.end_ts,
        HoldRow.end_ts > SegmentRow.start_ts,
        _active(now),
    )


class EvidenceHolds:
    """Place, release and list holds; every change is one audit record."""

    def __init__(self, engine: Engine, audit: Auditor | None = None) -> None:
        self.engine = engine
        self.audit = audit

    def place(
        self,
        camera_id: str,
        start: datetime,
        end: datetime,
        *,
        kind: str,
        reason: str,
        actor: str,
        ref: str | None = None,
        until: datetime | None = None,
    ) -> Hold:
        """Keep ``camera_id``'s segments overlapping ``[start, end)`` until released."""
        if kind not in KINDS:
            raise ValueError(f"hold kind must be one of {', '.join(KINDS)} (got {kind!r})")
        for name, t in (("start", start), ("end", end), ("until", until)):
            if t is not None and t.tzinfo is None:
                raise ValueError(f"{name}: naive datetime; use timezone-aware UTC")
        if end <= start:
            raise ValueError("a hold needs end after start")
        if not reason.strip():
            raise ValueError("a hold needs a reason")
        now = datetime.now(UTC)
        row: dict[str, Any] = {
            "id": str(uuid.uuid4()), "camera_id": camera_id, "start_ts": start.astimezone(UTC),
            "end_ts": end.astimezone(UTC), "kind": kind, "ref": ref, "reason": reason[:512],
            "created_by": actor[:128], "created_at": now,
            "until": None if until is None else until.astimezone(UTC),
            "released_at": None, "released_by": None, "release_reason": None,
        }  # fmt: skip
        with self.engine.begin() as c:
            c.execute(insert(HoldRow).values(**row))
        if self.audit is not None:
            self.audit.record(
                actor, "record.hold.place", target=f"hold:{row['id']}", reason=reason,
                detail={"camera_id": camera_id, "start": row["start_ts"].isoformat(),
                        "end": row["end_ts"].isoformat(), "kind": kind, "ref": ref,
                        "until": None if until is None else row["until"].isoformat()},
            )  # fmt: skip
        hold = self.get(row["id"])
        assert hold is not None
        return hold

    def release(self, hold_id: str, *, actor: str, reason: str) -> Hold:
        """End a hold; retention may then delete its segments. Releasing twice is a no-op."""
        hold = self.get(hold_id)
        if hold is None:
            raise KeyError(hold_id)
        if hold.released_at is not None:
            return hold
        now = datetime.now(UTC)
        with self.engine.begin() as c:
            c.execute(
                update(HoldRow)
                .where(HoldRow.id == hold_id, HoldRow.released_at.is_(None))
                .values(released_at=now, released_by=actor[:128], release_reason=reason[:512])
            )
        if self.audit is not None:
            detail = {"camera_id": hold.camera_id, "kind": hold.kind, "ref": hold.ref}
            self.audit.record(
                actor, "record.hold.release", target=f"hold:{hold_id}", reason=reason, detail=detail
            )
        out = self.get(hold_id)
        assert out is not None
        return out

    def release_ref(self, kind: str, ref: str, *, actor: str, reason: str) -> int:
        """Release every active hold of one export / bookmark / incident; returns how many."""
        with self.engine.connect() as c:
            ids = c.scalars(
                select(HoldRow.id).where(
                    HoldRow.kind == kind, HoldRow.ref == ref, HoldRow.released_at.is_(None)
                )
            ).all()
        for hid in ids:
            self.release(hid, actor=actor, reason=reason)
        return len(ids)

    def get(self, hold_id: str) -> Hold | None:
        with Session(self.engine) as c:
            row = c.scalars(select(HoldRow).where(HoldRow.id == hold_id)).first()
        return None if row is None else _hold(row)

    def active(self, camera_id: str | None = None, at: datetime | None = None) -> list[Hold]:
        """Holds in force at ``at`` (now), of one camera or all, oldest first."""
        now = at or datetime.now(UTC)
        q = select(HoldRow).where(_active(now)).order_by(HoldRow.created_at)
        if camera_id is not None:
            q = q.where(HoldRow.camera_id == camera_id)
        with Session(self.engine) as c:
            return [_hold(r) for r in c.scalars(q).all()]
