"""``/api/exports``: evidence exports (signed bundles of recorded video) and the key
that checks them. Creating, downloading and releasing are audited with their reason."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from kuzet.access.blur import BlurError
from kuzet.access.model import DataClass, Principal
from kuzet.access.scope import ScopedStore
from kuzet.api.errors import ERROR_RESPONSES, ApiError, not_found
from kuzet.api.evidence_access import Ev, camera_in_scope, range_error
from kuzet.api.security import View, Who
from kuzet.evidence.exports import ExportRequest
from kuzet.evidence.ranges import NoRecording, RangeError

router = APIRouter(tags=["evidence"], responses=ERROR_RESPONSES)


class ExportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cameras: list[str] = Field(min_length=1, description="camera ids")
    start: datetime = Field(description="ISO 8601 with a zone; inclusive")
    end: datetime = Field(description="ISO 8601 with a zone; exclusive")
    reason: str = Field(min_length=3, max_length=512, description="why; audited and signed")
    case_number: str = Field(min_length=1, max_length=64)
    watermark: bool = Field(False, description="burn case, user and time into every picture")
    blur: bool = Field(False, description="blur faces (always, without biometric clearance)")


class ReleaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=512)


class PublicKey(BaseModel):
    algorithm: str
    public_key: str  # base64 of the raw 32-byte Ed25519 key
    fingerprint: str


async def _cameras_visible(view: ScopedStore, item: dict[str, Any]) -> bool:
    for cam in item["cameras"]:
        if await anyio.to_thread.run_sync(view.get_camera, cam) is None:
            return False
    return True


def _video_clearance(who: Principal) -> None:
    if not who.cleared(DataClass.VIDEO):
        raise ApiError(403, "video_clearance_required", "your account has no video clearance")


@router.post(
    "/api/exports",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Export a range",
    responses={
        404: {"description": "Unknown camera or no recording (`nearest`)"},
        503: {"description": "Faces cannot be blurred"},
    },
)
async def create_export(
    ev: Ev, view: View, who: Who, body: ExportIn, response: Response
) -> dict[str, Any]:
    """Accepted at once (state ``pending``); poll ``GET /api/exports/{id}`` until ``done``
    (or ``failed``), then download. The range of each camera is held from retention until
    the export is released."""
    _video_clearance(who)
    for cam in body.cameras:
        await camera_in_scope(view, cam)
    req = ExportRequest(
        cameras=body.cameras,
        start=body.start,
        end=body.end,
        reason=body.reason,
        case_number=body.case_number,
        watermark=body.watermark,
        blur=body.blur,
    )
    try:
        out = await anyio.to_thread.run_sync(ev.exports.create, who, req)
    except (RangeError, NoRecording) as exc:
        raise range_error(exc, "body") from None
    except BlurError as exc:
        raise ApiError(503, "anonymisation_unavailable", f"cannot blur faces: {exc}") from None
    response.headers["Location"] = f"/api/exports/{out['id']}"
    return out


@router.get("/api/exports", summary="Recent exports of your agency")
async def list_exports(
    ev: Ev, view: View, who: Who, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[dict[str, Any]]:
    items = await anyio.to_thread.run_sync(lambda: ev.exports.recent(who, limit))
    return [x for x in items if await _cameras_visible(view, x)]


async def _one(ev: Ev, view: View, who: Who, export_id: str) -> dict[str, Any]:
    got = await anyio.to_thread.run_sync(ev.exports.get, who, export_id)
    if got is None or not await _cameras_visible(view, got):
        raise not_found("export", export_id)
    return got


@router.get("/api/exports/{export_id}", summary="One export: state, files, gaps")
async def get_export(ev: Ev, view: View, who: Who, export_id: str) -> dict[str, Any]:
    return await _one(ev, view, who, export_id)


@router.get(
    "/api/exports/{export_id}/download",
    response_class=FileResponse,
    responses={
        200: {"content": {"application/zip": {}}},
        409: {"description": "Not finished (or released)"},
    },
    summary="The signed bundle (zip)",
)
async def download_export(ev: Ev, view: View, who: Who, export_id: str) -> Response:
    """MP4s + ``manifest.json`` + ``manifest.sig``; check it with ``kuzet export verify``."""
    got = await _one(ev, view, who, export_id)
    _video_clearance(who)
    found = await anyio.to_thread.run_sync(ev.exports.bundle, who, export_id)
    if found is None:
        raise ApiError(409, "export_not_ready", f"export {export_id!r} is {got['state']}")
    name = f"kuzet-export-{got['case_number']}-{export_id[:8]}.zip".replace("/", "_")
    return FileResponse(
        found[1],
        media_type="application/zip",
        filename=name,
        headers={"Cache-Control": "private, no-store"},
    )


@router.post("/api/exports/{export_id}/release", summary="Release an export's holds")
async def release_export(
    ev: Ev, view: View, who: Who, export_id: str, body: ReleaseIn
) -> dict[str, Any]:
    """Retention may then delete the original segments; the bundle file is deleted. The
    export's record and its audit trail stay."""
    await _one(ev, view, who, export_id)
    try:
        out = await anyio.to_thread.run_sync(ev.exports.release, who, export_id, body.reason)
    except RangeError as exc:
        raise range_error(exc, "body") from None
    if out is None:
        raise not_found("export", export_id)
    return out


@router.get(
    "/api/evidence/public-key",
    response_model=PublicKey,
    summary="The key that signs exports (publish it; verifiers pin it)",
)
def public_key(ev: Ev, request: Request) -> PublicKey:
    return PublicKey(
        algorithm="Ed25519", public_key=ev.signer.public_b64, fingerprint=ev.signer.fingerprint
    )
