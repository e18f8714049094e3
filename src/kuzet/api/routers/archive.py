"""Forensic search of the track index: filters, after-the-fact lines and zones, a face.

Scope: the cameras searched are always within the caller's (``camera_id``, categories,
districts and a map area only narrow it); a camera outside it reads as unknown. Gender
and age are biometric: callers without that clearance never see them and may not filter
by them (the result count would reveal them); plates likewise need plate clearance.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated, Literal

import anyio
import duckdb
import numpy as np
from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from pydantic import ValidationError

from kuzet.access.blur import BlurError, blur_jpeg
from kuzet.access.model import DataClass, Principal
from kuzet.access.policy import BIOMETRIC_ATTRIBUTES, PLATE_ATTRIBUTES
from kuzet.access.scope import ScopedStore
from kuzet.api.context import ApiContext, Ctx
from kuzet.api.errors import ERROR_RESPONSES, ApiError, invalid, not_found
from kuzet.api.face_access import Faces
from kuzet.api.list_access import audit
from kuzet.api.schemas import ErrorBody
from kuzet.api.schemas_archive import (
    ArchiveInfo,
    CrossingOut,
    FrameSize,
    TrackOut,
    TrackPageOut,
)
from kuzet.api.security import View, Who
from kuzet.archive import ATTRIBUTES, ArchiveQueryError, TrackHit, TrackIndex, TrackQuery
from kuzet.archive.geometry import default_in_point
from kuzet.archive.layout import ArchiveUnavailable
from kuzet.archive.model import MAX_LIMIT, TrackPage, utc
from kuzet.archive.schema import parse_ref
from kuzet.config.rules import LineConfig, ZoneConfig
from kuzet.rules.geometry import points_in_polygon

router = APIRouter(prefix="/api/archive", tags=["archive"], responses=ERROR_RESPONSES)
_LIST = "repeat the parameter or separate values with commas"
MAX_PHOTO = 10 * 1024 * 1024


def _index(ctx: ApiContext) -> TrackIndex:
    if ctx.archive is None:
        raise ApiError(503, "archive_disabled", "the track index is not enabled on this site")
    return ctx.archive


def _values(raw: list[str] | None) -> list[str] | None:
    out = [p.strip() for v in raw or [] for p in v.split(",") if p.strip()]
    return out or None


def _hidden(who: Principal) -> set[str]:
    out: set[str] = set()
    if not who.cleared(DataClass.BIOMETRICS):
        out |= BIOMETRIC_ATTRIBUTES
    if not who.cleared(DataClass.PLATES):
        out |= PLATE_ATTRIBUTES
    return out


def _attr_filters(raw: list[str] | None, who: Principal) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    hidden = _hidden(who)
    for item in _values(raw) or []:
        key, sep, value = item.partition(":")
        if not sep or not value:
            raise invalid("query.attr", f"{item!r} is not key:value (e.g. upper_colour:red)")
        if key not in ATTRIBUTES:
            raise invalid(
                "query.attr", f"unknown attribute {key!r}; known: {', '.join(ATTRIBUTES)}"
            )
        if key in hidden:
            raise ApiError(403, "clearance_required", f"filtering on {key!r} needs clearance")
        out.setdefault(key, []).append(value)
    return {k: tuple(v) for k, v in out.items()}


def _numbers(raw: str, field: str, count: int | None = None) -> list[float]:
    try:
        vals = [float(p) for p in raw.replace(";", ",").split(",") if p.strip()]
    except ValueError:
        raise invalid(field, f"{raw!r}: numbers separated by commas expected") from None
    if not all(np.isfinite(vals)) or (count is not None and len(vals) != count):
        want = f"{count} numbers" if count else "finite numbers"
        raise invalid(field, f"{raw!r}: {want} expected")
    return vals


def _line(raw: str, in_point: str | None, min_distance: float) -> LineConfig:
    ax, ay, bx, by = _numbers(raw, "query.line", 4)
    side = (
        default_in_point((ax, ay), (bx, by))
        if in_point is None
        else tuple(_numbers(in_point, "query.in_point", 2))
    )
    try:
        return LineConfig(name="search", points=((ax, ay), (bx, by)), in_point=side,
                          min_distance=min_distance)  # fmt: skip
    except ValidationError as exc:
        raise invalid("query.line", exc.errors()[0]["msg"]) from None


def _zone(raw: str) -> ZoneConfig:
    v = _numbers(raw, "query.zone")
    if len(v) < 6 or len(v) % 2:
        raise invalid("query.zone", "x,y pairs of at least three points expected")
    try:
        return ZoneConfig(name="search", points=list(zip(v[::2], v[1::2], strict=True)))
    except ValidationError as exc:
        raise invalid("query.zone", exc.errors()[0]["msg"]) from None


def _area(raw: str) -> np.ndarray:
    """``lat,lon;lat,lon;...`` -> (N, 2) lon/lat polygon."""
    v = _numbers(raw, "query.area")
    if len(v) < 6 or len(v) % 2:
        raise invalid("query.area", "lat,lon pairs of at least three points expected")
    lat, lon = np.array(v[::2]), np.array(v[1::2])
    if np.any(np.abs(lat) > 90) or np.any(np.abs(lon) > 180):
        raise invalid("query.area", "latitude within ±90 and longitude within ±180 expected")
    return np.stack([lon, lat], axis=1)


def _cameras(
    view: ScopedStore,
    camera_id: list[str] | None,
    category: list[str] | None,
    district: list[str] | None,
    area: str | None,
    field: str = "query.camera_id",
) -> frozenset[str] | None:
    """The cameras to search (``None``: all, for a caller whose scope has no limit)."""
    named = _values(camera_id)
    for cam in named or []:
        if view.get_camera(cam) is None:  # out of scope reads as unknown
            raise invalid(field, f"unknown camera {cam!r}")
    cats, dists = _values(category), _values(district)
    if not (cats or dists or area):
        return frozenset(named) if named else view.allowed_camera_ids()
    cams = view.list_cameras()
    for values, attr in ((cats, "category"), (dists, "district")):
        if values:
            known = {getattr(c, attr) for c in cams}
            bad = [v for v in values if v not in known]
            if bad:
                raise invalid(f"query.{attr}", f"unknown {attr} {bad[0]!r}")
            cams = [c for c in cams if getattr(c, attr) in values]
    if area is not None:
        poly = _area(area)
        placed = [c for c in cams if c.latitude is not None and c.longitude is not None]
        pts = np.array([[c.longitude, c.latitude] for c in placed], np.float64).reshape(-1, 2)
        inside = points_in_polygon(pts, poly)
        cams = [c for c, ok in zip(placed, inside, strict=True) if ok]
    ids = {c.id for c in cams}
    return frozenset(ids & set(named) if named else ids)


def _out(h: TrackHit, who: Principal, face_score: float | None = None) -> TrackOut:
    hidden = _hidden(who)
    snap = h.snapshot and who.cleared(DataClass.VIDEO)
    return TrackOut(
        ref=h.ref, camera_id=h.camera_id, track_id=h.track_id, part=h.part,
        class_name=h.class_name, start=h.start, end=h.end,
        duration_s=round((h.end - h.start).total_seconds(), 3), at=h.at, score=h.score,
        frames=h.frames, frame_w=h.frame_w, frame_h=h.frame_h,
        attributes={k: v for k, v in h.attributes.items() if k not in hidden},
        snapshot_url=f"/api/archive/tracks/{h.ref}/snapshot" if snap else None,
        crossings=None if h.crossings is None else [
            CrossingOut(at=t, direction=d) for t, d in h.crossings
        ],
        face_score=face_score,
        trajectory=None if h.trajectory is None else [tuple(p) for p in h.trajectory],
    )  # fmt: skip


def _run(idx: TrackIndex, q: TrackQuery) -> TrackPage:
    try:
        return idx.search(q)
    except ArchiveQueryError as exc:
        raise invalid(f"query.{exc.field}", exc.message) from None
    except (duckdb.Error, ArchiveUnavailable) as exc:  # say so, never a traceback
        raise _unavailable(exc) from None


def _unavailable(exc: Exception) -> ApiError:
    """A damaged index file, or its storage (S3) unreachable: 503 naming the storage."""
    if isinstance(exc, ArchiveUnavailable):
        return ApiError(503, "archive_unavailable", str(exc))
    return ApiError(503, "archive_unavailable", f"the track index cannot be read: {exc}")


@router.get("/info", response_model=ArchiveInfo, summary="What the search screen may offer")
def info(
    ctx: Ctx,
    view: View,
    who: Who,
    camera_id: Annotated[
        str | None, Query(description="add this camera's analysed picture size (`frame`)")
    ] = None,
) -> ArchiveInfo:
    idx = _index(ctx)
    hidden = _hidden(who)
    frame = None
    if camera_id is not None:
        if view.get_camera(camera_id) is None:  # out of scope reads as unknown
            raise invalid("query.camera_id", f"unknown camera {camera_id!r}")
        try:
            size = idx.frame_size(camera_id)
        except (duckdb.Error, ArchiveUnavailable) as exc:
            raise _unavailable(exc) from None
        frame = None if size is None else FrameSize(width=size[0], height=size[1])
    return ArchiveInfo(
        attributes=[a for a in ATTRIBUTES if a not in hidden],
        max_range_days=idx.max_range.total_seconds() / 86400,
        max_limit=MAX_LIMIT,
        frame=frame,
    )


@router.get("/tracks", response_model=TrackPageOut, summary="Search past tracks, newest first")
def search_tracks(
    ctx: Ctx,
    view: View,
    who: Who,
    since: Annotated[datetime, Query(description="ISO 8601; tracks that end at or after it")],
    until: Annotated[datetime, Query(description="ISO 8601; tracks that start before it")],
    camera_id: Annotated[list[str] | None, Query(description=_LIST)] = None,
    category: Annotated[list[str] | None, Query(description="camera categories; " + _LIST)] = None,
    district: Annotated[list[str] | None, Query(description="districts; " + _LIST)] = None,
    area: Annotated[
        str | None, Query(max_length=20000, description="map polygon 'lat,lon;lat,lon;...'")
    ] = None,
    class_name: Annotated[list[str] | None, Query(description=_LIST)] = None,
    attr: Annotated[list[str] | None, Query(description="key:value, e.g. upper_colour:red")] = None,
    line: Annotated[
        str | None, Query(max_length=200, description="x1,y1,x2,y2 in the camera's pixels")
    ] = None,
    in_point: Annotated[
        str | None,
        Query(max_length=100, description="x,y on the 'in' side; default right of A->B"),
    ] = None,
    min_distance: Annotated[float, Query(ge=0, le=1000, description="px past the line")] = 8.0,
    direction: Literal["in", "out", "both"] = "both",
    zone: Annotated[
        str | None, Query(max_length=4000, description="x1,y1,x2,y2,x3,y3,... (pixels)")
    ] = None,
    zone_mode: Literal["enter", "inside"] = "enter",
    trajectory: Annotated[bool, Query(description="add each track's simplified path")] = False,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> TrackPageOut:
    idx = _index(ctx)
    cams = _cameras(view, camera_id, category, district, area)
    q = TrackQuery(
        since=utc(since), until=utc(until), cameras=cams,
        classes=tuple(_values(class_name) or ()) or None,
        attributes=_attr_filters(attr, who),
        line=None if line is None else _line(line, in_point, min_distance),
        direction=direction, zone=None if zone is None else _zone(zone), zone_mode=zone_mode,
        cursor=cursor, limit=limit, trajectory=trajectory,
    )  # fmt: skip
    page = _run(idx, q)
    return TrackPageOut(
        items=[_out(h, who) for h in page.items], next_cursor=page.next_cursor,
        cameras=None if cams is None else len(cams), files=page.files,
    )  # fmt: skip


@router.get(
    "/tracks/{track_ref}/snapshot",
    response_class=Response,
    responses={
        200: {"content": {"image/jpeg": {}}, "description": "The best look at the object"},
        503: {"model": ErrorBody, "description": "Faces could not be blurred"},
    },
    summary="A track's best snapshot (faces blurred without biometric clearance)",
)
def track_snapshot(ctx: Ctx, view: View, who: Who, track_ref: str) -> Response:
    idx = _index(ctx)
    try:
        cam, *_ = parse_ref(track_ref)
    except ValueError:
        raise not_found("track", track_ref) from None
    allowed = view.allowed_camera_ids()
    if allowed is not None and cam not in allowed:
        raise not_found("track", track_ref)  # out of scope reads as not found
    try:
        data = idx.snapshot(track_ref)
    except ArchiveUnavailable as exc:
        raise _unavailable(exc) from None
    if data is None:
        raise not_found("snapshot of track", track_ref)
    if not who.cleared(DataClass.BIOMETRICS):
        try:
            if ctx.faces is None:
                raise BlurError("no face detector configured")
            data, _ = blur_jpeg(data, ctx.faces())
        except Exception as exc:  # fail closed: no detector, no picture
            raise ApiError(503, "anonymisation_unavailable", f"cannot blur faces: {exc}") from None
    return Response(content=data, media_type="image/jpeg",
                    headers={"Cache-Control": "private, max-age=300"})  # fmt: skip


@router.post("/tracks/face", response_model=TrackPageOut, summary="Tracks of a face (photo)")
async def tracks_by_face(
    ctx: Ctx,
    req: Request,
    svc: Faces,
    who: Who,
    view: View,
    photo: Annotated[UploadFile, File(description="a photo of the face to look for")],
    since: Annotated[datetime, Form()],
    until: Annotated[datetime, Form()],
    reason: Annotated[str, Form(min_length=3, max_length=500, description="audited")],
    cameras: Annotated[str | None, Form(max_length=4000, description="comma list")] = None,
    threshold: Annotated[float | None, Form(gt=0, lt=1)] = None,
    limit: Annotated[int, Form(ge=1, le=MAX_LIMIT)] = 50,
) -> TrackPageOut:
    """The retrospective face search (stored best faces of past tracks) joined with the
    track index: each match comes back as its track's row, best match first."""
    idx = _index(ctx)
    since, until = utc(since), utc(until)
    if until <= since:
        raise invalid("body.until", "must be after 'since'")
    if until - since > idx.max_range:
        raise invalid("body.until", f"one search may cover at most {idx.max_range.days} days")
    data = await photo.read(MAX_PHOTO + 1)
    if len(data) > MAX_PHOTO:
        raise invalid("body.photo", "larger than 10 MiB")
    probe = await anyio.to_thread.run_sync(svc.embedder.enrol, data)
    if probe.template is None:
        raise invalid("body.photo", probe.reason or "no usable face")
    named = _values([cameras] if cameras else None)
    scope = await anyio.to_thread.run_sync(
        lambda: _cameras(view, named, None, None, None, "body.cameras")
    )
    cams = None if scope is None else sorted(scope)
    template = probe.template
    found = []
    if cams != []:
        found = await anyio.to_thread.run_sync(
            lambda: svc.sightings.search(
                template, since, until, cams,
                threshold=threshold or svc.cfg.search_threshold, limit=limit,
            )
        )  # fmt: skip
    keys = [(f.camera_id, f.track_id, f.ts) for f in found]
    try:
        rows = await anyio.to_thread.run_sync(lambda: idx.tracks_at(keys))
    except (duckdb.Error, ArchiveUnavailable) as exc:
        raise _unavailable(exc) from None
    items = [
        _out(replace(h, at=f.ts), who, face_score=round(f.score, 4))
        for f, h in zip(found, rows, strict=True)
        if h is not None
    ]
    audit(ctx, req, who, "archive.face.search", "tracks", reason, cameras=cams,
          since=since.isoformat(), until=until.isoformat(), results=len(items))  # fmt: skip
    return TrackPageOut(items=items, next_cursor=None,
                        cameras=None if cams is None else len(cams), files=0)  # fmt: skip
