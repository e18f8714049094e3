"""``/api/violations``: the officers' review queue, evidence packages, the officer's own
signing key, signed decisions and the export of signed packages (docs/violations.md).

Packages hold plate numbers: every route needs ``plates`` clearance besides its
permission. The desk audits decisions, refusals and exports itself.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection, Request

from kuzet.access.model import DataClass
from kuzet.api.context import get_context
from kuzet.api.errors import ERROR_RESPONSES, ApiError, not_found
from kuzet.api.security import View, Who, current_principal
from kuzet.violations.desk import DeskError, ViolationDesk
from kuzet.violations.keys import KeyError_

router = APIRouter(prefix="/api/violations", tags=["violations"], responses=ERROR_RESPONSES)


def _desk(conn: HTTPConnection) -> ViolationDesk:
    """Also checks plates clearance: packages name the plate."""
    if not current_principal(conn).cleared(DataClass.PLATES):
        raise ApiError(403, "clearance_required", "plates clearance is required")
    desk = get_context(conn).violations
    if desk is None:
        raise ApiError(503, "violations_unavailable", "violation review is not running")
    return desk


Desk = Annotated[ViolationDesk, Depends(_desk)]


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=1, max_length=1024, description="your account password")
    passphrase: str = Field(min_length=1, max_length=256, description="signing passphrase")


def _password_ok(conn: HTTPConnection, password: str) -> bool:
    """Step-up for enrolment: the account password again, throttled like a login (a
    stolen session alone cannot give an officer a key someone else chose)."""
    from kuzet.access.tables import UserRow

    svc = get_context(conn).access
    who = current_principal(conn)
    assert svc is not None  # routes with a permission only answer with access on
    throttle = svc.sessions.throttle
    attempt = throttle.begin(who.username, who.ip)
    with Session(svc.engine) as s:
        row = s.get(UserRow, who.user_id)
        stored = None if row is None else row.password_hash
    ok = stored is not None and svc.passwords.verify(stored, password)
    if ok:
        throttle.release(attempt)
    return ok


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["accept", "reject"]
    reason: str = Field(min_length=1, max_length=1000)
    passphrase: str = Field(min_length=1, max_length=256, description="unlocks your key")


def _err(exc: DeskError) -> ApiError:
    return ApiError(exc.status, exc.code, str(exc))


@router.get("/officer-key", summary="Your signing key (public half), if you have one")
async def my_key(desk: Desk, who: Who) -> dict[str, Any]:
    key = await anyio.to_thread.run_sync(desk.keys.active, who.user_id)
    return {"enrolled": key is not None, "key": None if key is None else key.view()}


@router.post("/officer-key", status_code=201, summary="Enrol your own Ed25519 signing key")
async def enrol_key(request: Request, desk: Desk, who: Who, body: KeyIn) -> dict[str, Any]:
    if not await anyio.to_thread.run_sync(_password_ok, request, body.password):
        await anyio.to_thread.run_sync(
            lambda: desk.audit.record(
                who.username, "violation.key.enrol", agency_id=who.agency_id, ip=who.ip,
                outcome="denied", detail={"error": "password_invalid"},
            )
        )  # fmt: skip
        raise ApiError(403, "password_invalid", "your account password is wrong")
    try:
        key = await anyio.to_thread.run_sync(
            desk.keys.enrol, who.user_id, who.username, body.passphrase
        )
    except KeyError_ as exc:
        status = 409 if exc.code == "signing_key_exists" else 422
        raise ApiError(status, exc.code, str(exc)) from None
    await anyio.to_thread.run_sync(
        lambda: desk.audit.record(
            who.username,
            "violation.key.enrol",
            target=key.id,
            agency_id=who.agency_id,
            ip=who.ip,
            detail={"fingerprint": key.fingerprint},
        )
    )
    return {"enrolled": True, "key": key.view()}


@router.get("", summary="The review queue: pending, accepted or rejected violations")
async def list_violations(
    desk: Desk,
    view: View,
    status: Literal["pending", "accepted", "rejected"] = "pending",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[dict[str, Any]]:
    return await anyio.to_thread.run_sync(desk.queue, view, status, limit)


@router.get("/{violation_id}", summary="A violation's evidence package: facts, parts, review")
async def get_violation(desk: Desk, view: View, violation_id: str) -> dict[str, Any]:
    try:
        pkg = await anyio.to_thread.run_sync(desk.package, view, violation_id)
    except DeskError as exc:
        raise _err(exc) from None
    return {"manifest": pkg.manifest, "review": pkg.review}


@router.get("/{violation_id}/parts/{name}", summary="One part of the package (a picture)")
async def get_part(desk: Desk, view: View, violation_id: str, name: str) -> Response:
    try:
        pkg = await anyio.to_thread.run_sync(desk.package, view, violation_id)
    except DeskError as exc:
        raise _err(exc) from None
    for p in pkg.parts:
        if p.name == name:
            kind = "image/jpeg" if name.endswith(".jpg") else "application/json"
            return Response(p.data, media_type=kind, headers={"Cache-Control": "private"})
    raise not_found("part", name)


@router.post("/{violation_id}/decision", summary="Accept or reject, signed with your key")
async def decide(
    desk: Desk, view: View, who: Who, violation_id: str, body: DecisionIn
) -> dict[str, Any]:
    try:
        return await anyio.to_thread.run_sync(
            desk.decide, who, view, violation_id, body.decision, body.reason, body.passphrase
        )
    except DeskError as exc:
        raise _err(exc) from None


@router.get("/{violation_id}/package", summary="Download the signed package (accepted only)")
async def export_package(desk: Desk, view: View, who: Who, violation_id: str) -> Response:
    try:
        name, data = await anyio.to_thread.run_sync(desk.export, who, view, violation_id)
    except DeskError as exc:
        raise _err(exc) from None
    return Response(
        data,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private",
        },
    )
