"""The review desk: the queue of violations, their packages, the officer's signed
decision, and export of signed packages only ("nothing leaves without a signature").

Reads go through the caller's :class:`~kuzet.access.scope.ScopedStore` (scope and
clearances); the plate read of the same camera and track is joined from the store.
Every decision, refusal and export is written to the hash-chained audit log.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from kuzet.access.audit import AuditLog
from kuzet.access.model import Principal
from kuzet.core import CameraInfo, Event, EventQuery
from kuzet.evidence.manifest import manifest_bytes
from kuzet.violations.keys import KeyError_, OfficerKeys
from kuzet.violations.model import NOT_RECORDED, VIOLATION_TYPES
from kuzet.violations.package import Part, assemble, signed_manifest, write_zip
from kuzet.violations.tables import ReviewRow

log = logging.getLogger(__name__)
# a track's plate read settles when the track ends, after the offence
PLATE_WINDOW = timedelta(minutes=10)
VIDEO_AROUND = timedelta(seconds=10)  # recorded video held around an accepted violation
DECISIONS = {"accept": "accepted", "reject": "rejected"}


class Blobs(Protocol):
    def get(self, key: str) -> bytes | None: ...
    def put(self, key: str, data: bytes) -> None: ...


class View(Protocol):
    """What the desk needs of the caller's scoped store."""

    def get_event(self, event_id: str) -> Event | None: ...
    def get_camera(self, camera_id: str) -> CameraInfo | None: ...
    def query_events(self, q: EventQuery) -> tuple[list[Event], str | None]: ...


class Holds(Protocol):
    """The recording's evidence holds (``kuzet.record.EvidenceHolds`` fits)."""

    def place(
        self, camera_id: str, start: datetime, end: datetime, *, kind: str, reason: str,
        actor: str, ref: str | None = None,
    ) -> Any: ...  # fmt: skip


class Reader(Protocol):
    """The unscoped store, for the plate-read join (the route already checked plates)."""

    def query_events(self, q: EventQuery) -> tuple[list[Event], str | None]: ...
    def get_event(self, event_id: str) -> Event | None: ...


class DeskError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code = status, code


@dataclass(frozen=True, slots=True)
class Package:
    manifest: dict[str, Any]
    parts: list[Part]
    review: dict[str, Any] | None


def _is_violation(ev: Event | None) -> bool:
    return ev is not None and ev.type in VIOLATION_TYPES and ev.attributes.get("violation") is True


def _review_view(r: ReviewRow) -> dict[str, Any]:
    return {
        "decision": r.decision,
        "reason": r.reason,
        "officer": r.officer,
        "agency_id": r.agency_id,
        "decided_at": r.decided_at.isoformat(),
        "key_fingerprint": r.key_fingerprint,
        "manifest_sha256": r.manifest_sha256,
        "package_sha256": r.package_sha256,
        "signed": True,
    }


class ViolationDesk:
    def __init__(
        self, engine: Engine, store: Reader, blobs: Blobs, keys: OfficerKeys, audit: AuditLog,
        holds: Holds | None = None,
    ) -> None:  # fmt: skip
        """``holds``: the recording's, when the site records; an accepted violation then
        keeps its camera's video around it from retention."""
        self._maker = sessionmaker(engine, expire_on_commit=False)
        self.store, self.blobs, self.keys, self.audit = store, blobs, keys, audit
        self.holds = holds

    # ------------------------------------------------------------ reading
    def _review(self, violation_id: str) -> ReviewRow | None:
        with self._maker() as s:
            return s.get(ReviewRow, violation_id)

    def _event(self, view: View, violation_id: str) -> Event:
        ev = view.get_event(violation_id)
        if not _is_violation(ev) or view.get_camera(ev.camera_id) is None:  # type: ignore[union-attr]
            raise DeskError(404, "not_found", f"violation {violation_id!r} not found")
        assert ev is not None
        return ev

    def plate_read(self, ev: Event) -> Event | None:
        """The ``plate_read`` (or ``plate_unread``) of the same camera and track."""
        if ev.track_id is not None:
            found, _ = self.store.query_events(
                EventQuery(
                    camera_id=[ev.camera_id],
                    type=["plate_read", "plate_unread"],
                    since=ev.ts - PLATE_WINDOW,
                    until=ev.ts + PLATE_WINDOW,
                    limit=500,
                )
            )
            same = [r for r in found if r.track_id == ev.track_id]
            if same:
                # a read beats an unread; then the one nearest in time
                same.sort(
                    key=lambda r: (r.type != "plate_read", abs((r.ts - ev.ts).total_seconds()))
                )
                return same[0]
        for ref in ("to_event_id", "from_event_id"):  # average speed: the reads it matched
            rid = ev.attributes.get(ref)
            if isinstance(rid, str) and (r := self.store.get_event(rid)) is not None:
                return r
        return None

    def package(self, view: View, violation_id: str) -> Package:
        ev = self._event(view, violation_id)
        review = self._review(violation_id)
        if review is not None:
            manifest, parts = self._signed(review)
            return Package(manifest, parts, _review_view(review))
        manifest, parts = assemble(
            ev, self.plate_read(ev), view.get_camera(ev.camera_id), self.blobs.get
        )
        return Package(manifest, parts, None)

    def _signed(self, review: ReviewRow) -> tuple[dict[str, Any], list[Part]]:
        """The manifest and parts exactly as signed, from the stored package."""
        data = self.blobs.get(review.package_key)
        if data is None:
            raise DeskError(410, "package_missing", "the signed package is not in the blob store")
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            manifest = json.loads(z.read("manifest.json"))
            roles = {f["name"]: f for f in manifest.get("files", [])}
            parts = [Part(n, roles[n].get("role", ""), z.read(n)) for n in roles]
        return manifest, parts

    def queue(self, view: View, status: str = "pending", limit: int = 50) -> list[dict[str, Any]]:
        if status == "pending":
            return self._pending(view, limit)
        with self._maker() as s:
            rows = list(
                s.scalars(
                    select(ReviewRow)
                    .where(ReviewRow.decision == status)
                    .order_by(ReviewRow.decided_at.desc())
                    .limit(limit * 4)
                )
            )
        out = []
        for r in rows:
            ev = view.get_event(r.violation_id)
            if ev is not None and view.get_camera(ev.camera_id) is not None:
                out.append(self._summary(view, ev) | {"review": _review_view(r)})
            if len(out) >= limit:
                break
        return out

    def _pending(self, view: View, limit: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        cursor = None
        for _ in range(20):  # pages of 200: decided ones are skipped
            evs, cursor = view.query_events(
                EventQuery(type=sorted(VIOLATION_TYPES), limit=200, cursor=cursor)
            )
            ids = [e.id for e in evs if _is_violation(e)]
            with self._maker() as s:
                done = set(
                    s.scalars(select(ReviewRow.violation_id).where(ReviewRow.violation_id.in_(ids)))
                )
            for e in evs:
                if e.id in ids and e.id not in done:
                    out.append(self._summary(view, e))
                    if len(out) >= limit:
                        return out
            if cursor is None:
                break
        return out

    def _summary(self, view: View, ev: Event) -> dict[str, Any]:
        cam = view.get_camera(ev.camera_id)
        read = self.plate_read(ev)
        plate = (
            read.attributes.get("plate_display") or read.attributes.get("plate")
            if (read is not None and read.type == "plate_read")
            else None
        )
        a = ev.attributes
        return {
            "id": ev.id,
            "type": ev.type,
            "camera_id": ev.camera_id,
            "camera_name": (cam.name if cam else None) or ev.camera_id,
            "ts": ev.ts.isoformat(),
            "vehicle_class": a.get("vehicle_class") or ev.class_name,
            "plate": plate or a.get("plate") or NOT_RECORDED,
            "speed_kmh": a.get("speed_kmh"),
            "limit_kmh": a.get("limit_kmh"),
            "signal_state": a.get("signal_state"),
            "review": None,
        }

    # ------------------------------------------------------------ deciding
    def decide(
        self,
        who: Principal,
        view: View,
        violation_id: str,
        decision: str,
        reason: str,
        passphrase: str,
    ) -> dict[str, Any]:
        """Sign the package with the officer's own key and keep it; one decision each."""
        if decision not in DECISIONS:
            raise DeskError(422, "validation_error", "decision must be 'accept' or 'reject'")
        ev = self._event(view, violation_id)
        if self._review(violation_id) is not None:
            raise DeskError(409, "already_decided", "this violation was already decided")
        manifest, parts = assemble(
            ev, self.plate_read(ev), view.get_camera(ev.camera_id), self.blobs.get
        )
        key = self.keys.active(who.user_id)
        if key is None:
            self._refused(who, violation_id, "no_signing_key")
            raise DeskError(403, "no_signing_key", "you have no signing key: enrol one first")
        now = datetime.now(UTC)
        review = {
            "decision": DECISIONS[decision],
            "reason": reason,
            "officer": {
                "user_id": who.user_id,
                "username": who.username,
                "agency_id": who.agency_id,
            },
            "decided_at": now.isoformat(),
        }
        video = self.holds is not None and decision == "accept"
        if video:
            manifest["recording"] = {
                "camera_id": ev.camera_id, "start": (ev.ts - VIDEO_AROUND).isoformat(),
                "end": (ev.ts + VIDEO_AROUND).isoformat(),
                "note": "the recorded video of this range is held from retention on acceptance;"
                " export it with the signed video exports (docs/recording.md)",
            }  # fmt: skip
        body = manifest_bytes(signed_manifest(manifest, review, key.view()))
        try:
            key, sig = self.keys.sign(who.user_id, passphrase, body)
        except KeyError_ as exc:
            self._refused(who, violation_id, exc.code)
            raise DeskError(403, exc.code, str(exc)) from None
        data = write_zip(body, sig, parts)
        # one name per signed package: a concurrent second decision (refused below by the
        # primary key) must not overwrite the first officer's zip
        day = f"{ev.ts.astimezone(UTC):%Y/%m/%d}"
        pkey = f"violations/packages/{day}/{ev.id}-{hashlib.sha256(body).hexdigest()[:16]}.zip"
        self.blobs.put(pkey, data)
        row = ReviewRow(
            violation_id=ev.id,
            camera_id=ev.camera_id,
            type=ev.type,
            ts=ev.ts,
            decision=DECISIONS[decision],
            reason=reason,
            officer_id=who.user_id,
            officer=who.username,
            agency_id=who.agency_id,
            decided_at=now,
            key_id=key.id,
            key_fingerprint=key.fingerprint,
            manifest_sha256=hashlib.sha256(body).hexdigest(),
            signature=base64.b64encode(sig).decode(),
            package_key=pkey,
            package_sha256=hashlib.sha256(data).hexdigest(),
        )
        try:
            with self._maker() as s, s.begin():
                s.add(row)
        except IntegrityError:
            raise DeskError(409, "already_decided", "this violation was already decided") from None
        if video and self.holds is not None:
            try:
                self.holds.place(
                    ev.camera_id, ev.ts - VIDEO_AROUND, ev.ts + VIDEO_AROUND, kind="manual",
                    reason=f"{ev.type} violation accepted: {reason}", actor=who.username,
                    ref=f"violation:{ev.id}",
                )  # fmt: skip
            except Exception:  # the decision stands; the frames are the evidence
                log.exception("could not hold the video of violation %s", ev.id)
        self.audit.record(
            who.username,
            "violation.decide",
            target=ev.id,
            agency_id=who.agency_id,
            ip=who.ip,
            reason=reason,
            detail={
                "decision": row.decision,
                "type": ev.type,
                "camera_id": ev.camera_id,
                "key": key.fingerprint,
                "manifest_sha256": row.manifest_sha256,
            },
        )
        return _review_view(row)

    def _refused(self, who: Principal, violation_id: str, code: str) -> None:
        self.audit.record(
            who.username,
            "violation.decide",
            target=violation_id,
            agency_id=who.agency_id,
            ip=who.ip,
            outcome="denied",
            detail={"error": code},
        )

    def export(self, who: Principal, view: View, violation_id: str) -> tuple[str, bytes]:
        """The signed zip; refused unless an officer signed an acceptance of it and the
        stored package is still byte for byte what was signed."""
        ev = self._event(view, violation_id)
        review = self._review(violation_id)
        why = None
        if review is None:
            why = (409, "not_signed", "nothing leaves without a signature: not reviewed yet")
        elif review.decision != "accepted":
            why = (409, "rejected", "a rejected violation is not exported")
        data = None if review is None else self.blobs.get(review.package_key)
        if why is None and (
            data is None
            or hashlib.sha256(data).hexdigest() != (review.package_sha256 if review else "")
        ):
            why = (409, "package_altered", "the stored package is not what the officer signed")
        if why is not None:
            self.audit.record(
                who.username,
                "violation.export",
                target=violation_id,
                agency_id=who.agency_id,
                ip=who.ip,
                outcome="denied",
                detail={"error": why[1]},
            )
            raise DeskError(*why)
        assert data is not None and review is not None
        self.audit.record(
            who.username,
            "violation.export",
            target=violation_id,
            agency_id=who.agency_id,
            ip=who.ip,
            detail={"package_sha256": review.package_sha256, "type": ev.type},
        )
        return f"violation-{ev.id}.zip", data
