"""What the recording, export and bookmark routes share: the evidence service, the
camera scope check, who sees faces, and clear errors for bad ranges.

Video needs the ``video`` clearance (refused otherwise, like snapshots). Without the
``biometrics`` clearance faces are blurred; if they cannot be (no detector) the video
is refused, never sent unblurred. Both outcomes are audited.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Annotated, Any

import anyio
from fastapi import Depends
from starlette.requests import HTTPConnection

from kuzet.access.model import DataClass, Principal
from kuzet.access.scope import ScopedStore
from kuzet.api.context import get_context
from kuzet.api.errors import ApiError, invalid, not_found
from kuzet.api.security import REASON_HEADER
from kuzet.evidence.manifest import iso
from kuzet.evidence.ranges import NoRecording, RangeError
from kuzet.evidence.service import Evidence


def _evidence(conn: HTTPConnection) -> Evidence:
    ev = get_context(conn).evidence
    if ev is None:
        raise ApiError(503, "recording_unavailable", "recording is not enabled on this site")
    return ev


Ev = Annotated[Evidence, Depends(_evidence)]


class NoRecordingError(ApiError):
    """404 whose body also carries ``nearest: {before, after}`` (ISO times or null)."""

    def __init__(self, exc: NoRecording) -> None:
        super().__init__(404, "no_recording", str(exc))
        n = exc.nearest
        self.extra = {
            "nearest": {
                "before": None if n.before is None else iso(n.before),
                "after": None if n.after is None else iso(n.after),
            }
        }


def range_error(exc: RangeError | NoRecording, where: str = "query") -> ApiError:
    if isinstance(exc, NoRecording):
        return NoRecordingError(exc)
    return invalid(f"{where}.{exc.field}", str(exc))


def audit(
    conn: HTTPConnection,
    who: Principal,
    action: str,
    *,
    target: str,
    outcome: str = "ok",
    detail: dict[str, Any] | None = None,
) -> None:
    access = get_context(conn).access
    if access is None:
        return
    access.audit.record(
        who.username,
        action,
        agency_id=who.agency_id,
        target=target,
        ip=who.ip,
        reason=(conn.headers.get(REASON_HEADER) or "")[:500] or None,
        outcome=outcome,
        detail=detail,
    )


async def camera_in_scope(view: ScopedStore, camera_id: str) -> None:
    """Out of scope reads as unknown (404), as everywhere else."""
    if await anyio.to_thread.run_sync(view.get_camera, camera_id) is None:
        raise not_found("camera", camera_id)


async def video_mode(
    conn: HTTPConnection,
    ev: Evidence,
    who: Principal,
    action: str,
    target: str,
    detail: dict[str, Any],
) -> bool:
    """True: serve blurred; False: as recorded. Refusals raise (and are audited)."""
    refusal: ApiError | None = None
    blurred = not who.cleared(DataClass.BIOMETRICS)
    if not who.cleared(DataClass.VIDEO):
        refusal = ApiError(403, "video_clearance_required", "your account has no video clearance")
    elif blurred and ev.playback.faces is None:
        refusal = ApiError(503, "anonymisation_unavailable", "cannot blur faces: no detector")
    outcome = "denied" if refusal is not None else "ok"
    full = {**detail, "faces_blurred": blurred}
    if refusal is not None:
        full["refused"] = refusal.code
    if refusal is not None or not _seen_recently(conn, who, action, target, detail):
        await anyio.to_thread.run_sync(
            lambda: audit(conn, who, action, target=target, outcome=outcome, detail=full)
        )
    if refusal is not None:
        raise refusal
    return blurred


REPEAT_WINDOW_S = 300.0


def _seen_recently(
    conn: HTTPConnection, who: Principal, action: str, target: str, detail: dict[str, Any]
) -> bool:
    """Whether this person was audited for this same view (action, target, range) in the
    last :data:`REPEAT_WINDOW_S` seconds; records it now if not."""
    ctx = get_context(conn)
    key = (who.username, who.session_id or "", action, target,
           str(detail.get("start")), str(detail.get("end")))  # fmt: skip
    now = time.monotonic()
    if len(ctx.audited) > 10_000:  # bounded: forget what is past its window
        for k in [k for k, t in ctx.audited.items() if now - t > REPEAT_WINDOW_S]:
            del ctx.audited[k]
    last = ctx.audited.get(key)
    if last is not None and now - last < REPEAT_WINDOW_S:
        return True
    ctx.audited[key] = now
    return False


def span(start: datetime, end: datetime) -> dict[str, str]:
    return {"start": iso(start), "end": iso(end)}
