"""The operations centre and devices: devices on the map with their state, the cameras
and pictures a device's alarm brought to an incident, and commands to outputs (sirens,
speakers, doors) in two steps: ask, then confirm; followed until the device answers or
the wait runs out. Without a device response in this app the routes answer 404."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from kuzet.access.blur import BlurError, blur_jpeg
from kuzet.access.model import DataClass, Perm
from kuzet.api.context import Ctx, get_context
from kuzet.api.errors import ERROR_RESPONSES, ApiError
from kuzet.api.security import Who
from kuzet.devices.commands import ACTIONS, Asked, Command, CommandIn
from kuzet.devices.ports import device_visible
from kuzet.devices.respond import DeviceResponse
from kuzet.devices.respond_tables import IncidentCameraRow

router = APIRouter(tags=["devices"], responses=ERROR_RESPONSES)


def _devices(conn: HTTPConnection) -> DeviceResponse:
    ctx = get_context(conn)
    if ctx.devices is None or ctx.access is None:
        # no devices here: no device, alarm or command to find (404, not a passing 503)
        raise ApiError(404, "devices_unavailable", "devices are not connected to this site")
    return ctx.devices


Devices = Annotated[DeviceResponse, Depends(_devices)]


class DevicePin(BaseModel):
    """A device on the ops map."""

    id: str
    kind: str
    name: str | None
    lat: float | None
    lon: float | None
    agency: str
    category: str | None
    district: str | None
    linked_cameras: list[str]
    state: str = Field(description="ok, alarm, offline, tamper, battery_low, unknown")
    last_type: str | None
    last_at: datetime | None
    battery: float | None
    actions: list[str] = Field(description="commands this caller may send it")


@router.get("/api/ops/devices", response_model=list[DevicePin], summary="Devices on the map")
def list_devices(ctx: Ctx, who: Who) -> list[DevicePin]:
    """Empty on a site without devices (the map asks whoever signs in: never a 503)."""
    devices = ctx.devices
    if devices is None:
        return []
    can_command = who.can(Perm.DEVICES_COMMAND)
    out = []
    for d in devices.registry.list():
        if not device_visible(who, d):
            continue
        st = devices.states.get(d.id)
        last = None if st.last_at is None else datetime.fromtimestamp(st.last_at, UTC)
        actions = sorted(ACTIONS.get(d.kind, {})) if can_command and d.command_topic else []
        out.append(
            DevicePin(
                id=d.id, kind=d.kind, name=d.name, lat=d.latitude, lon=d.longitude, agency=d.agency,
                category=d.category, district=d.district, linked_cameras=list(d.linked_cameras),
                state=st.state, last_type=st.last_type, last_at=last, battery=st.battery,
                actions=actions,
            )
        )  # fmt: skip
    return out


class AlarmCamera(BaseModel):
    camera_id: str
    name: str | None
    linked: bool = Field(description="linked to the device (else: near it on the map)")
    distance_m: float | None
    picture: str = Field(description="live, stale (older frame), event (event snapshot), none")
    frame_ts: datetime | None = Field(description="when the picture was taken")
    held: bool = Field(description="its recorded video is held for the incident")
    snapshot: str | None = Field(description="URL of the picture")


def _incident_cameras(
    ctx: Ctx, devices: DeviceResponse, who: Who, incident_id: str
) -> list[IncidentCameraRow]:
    assert ctx.incidents is not None
    ctx.incidents.book.get(who, incident_id)  # not visible: 404, as for the incident
    with Session(devices.ops.book.engine) as s:
        return list(
            s.scalars(select(IncidentCameraRow).where(IncidentCameraRow.incident_id == incident_id))
        )


@router.get(
    "/api/ops/incidents/{incident_id}/cameras",
    response_model=list[AlarmCamera],
    summary="The cameras a device's alarm opened, with their pictures",
)
def incident_cameras(ctx: Ctx, devices: Devices, who: Who, incident_id: str) -> list[AlarmCamera]:
    rows = _incident_cameras(ctx, devices, who, incident_id)
    out = []
    for r in rows:
        cam = ctx.store.get_camera(r.camera_id)
        if cam is not None and not who.scope.camera_allowed(cam.id, cam.category, cam.district):
            continue  # a camera outside the person's scope stays hidden
        snap = f"/api/ops/incidents/{incident_id}/cameras/{r.camera_id}/snapshot.jpg"
        out.append(
            AlarmCamera(
                camera_id=r.camera_id, name=cam.name if cam else None, linked=r.linked,
                distance_m=r.distance_m, picture=r.source, frame_ts=r.frame_ts,
                held=r.hold_id is not None, snapshot=snap if r.snapshot_key else None,
            )
        )  # fmt: skip
    return out


@router.get(
    "/api/ops/incidents/{incident_id}/cameras/{camera_id}/snapshot.jpg",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}, "description": "The picture"}},
    summary="A camera's picture at a device's alarm",
)
def incident_camera_snapshot(
    ctx: Ctx, devices: Devices, who: Who, incident_id: str, camera_id: str
) -> Response:
    """Faces are blurred unless the caller holds biometric clearance."""
    rows = {r.camera_id: r for r in _incident_cameras(ctx, devices, who, incident_id)}
    row = rows.get(camera_id)
    cam = ctx.store.get_camera(camera_id)
    hidden = cam is not None and not who.scope.camera_allowed(cam.id, cam.category, cam.district)
    data = (
        None
        if row is None or row.snapshot_key is None or hidden
        else ctx.blobs.get(row.snapshot_key)
    )
    if data is None:
        raise ApiError(404, "not_found", "no picture of that camera for this incident")
    if not who.cleared(DataClass.BIOMETRICS):
        try:
            if ctx.faces is None:
                raise BlurError("no face detector configured")
            data, _ = blur_jpeg(data, ctx.faces())
        except Exception as exc:  # fail closed: no detector, no picture
            raise ApiError(503, "anonymisation_unavailable", f"cannot blur faces: {exc}") from None
    return Response(content=data, media_type="image/jpeg",
                    headers={"Cache-Control": "private, max-age=300"})  # fmt: skip


class ConfirmIn(BaseModel):
    confirm_token: str = Field(min_length=8, max_length=128)


@router.post(
    "/api/devices/{device_id}/commands",
    response_model=Asked,
    status_code=201,
    summary="Ask for a command (step 1 of 2: nothing is sent until confirmed)",
)
def ask_command(devices: Devices, who: Who, device_id: str, body: CommandIn) -> Asked:
    return devices.commands.request(who, device_id, body)


@router.post(
    "/api/device-commands/{command_id}/confirm",
    response_model=Command,
    summary="Confirm a command (step 2 of 2): sends it to the device",
)
def confirm_command(devices: Devices, who: Who, command_id: str, body: ConfirmIn) -> Command:
    return devices.commands.confirm(who, command_id, body.confirm_token)


@router.get(
    "/api/device-commands/{command_id}",
    response_model=Command,
    summary="A command's state: sent, acknowledged, failed, timed_out, ...",
)
def get_command(devices: Devices, who: Who, command_id: str) -> Command:
    return devices.commands.get(who, command_id)


@router.get(
    "/api/devices/{device_id}/commands",
    response_model=list[Command],
    summary="A device's latest commands",
)
def device_commands(devices: Devices, who: Who, device_id: str) -> list[Command]:
    return devices.commands.recent(who, device_id)
