"""Everything a route needs, hung on ``app.state`` by the factory (no module globals)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends
from starlette.requests import HTTPConnection

from kuzet.api.live import LiveHub
from kuzet.api.ports import BlobReader, BusPort, LiveFrames, StorePort
from kuzet.core.camera import CameraStatus
from kuzet.obs.metrics import Metrics

if TYPE_CHECKING:
    from kuzet.access.blur import FaceFinder
    from kuzet.access.service import AccessService
    from kuzet.api.routers.ops_live import OpsHub
    from kuzet.archive.query import TrackIndex
    from kuzet.devices.respond import DeviceResponse
    from kuzet.devices.webhook import DeviceWebhook
    from kuzet.drones.tracks import DroneTracks
    from kuzet.evidence.service import Evidence
    from kuzet.faces.services import FaceServices
    from kuzet.incidents.engine import OpsEngine
    from kuzet.integrations.hub import Integrations
    from kuzet.platedata.services import PlateData
    from kuzet.rules.signals import SignalBoard
    from kuzet.violations.desk import ViolationDesk

StatusFn = Callable[[], list[CameraStatus]]


@dataclass(slots=True)
class ApiContext:
    store: StorePort
    blobs: BlobReader
    bus: BusPort
    metrics: Metrics
    hub: LiveHub
    status: StatusFn | None = None
    access: AccessService | None = None  # None: nothing but public routes answers
    faces: Callable[[], FaceFinder] | None = None  # snapshot anonymiser, made on first use
    secure_cookies: bool = True
    frames: LiveFrames | None = None  # the pipeline's frame tap; None: snapshots only
    face_services: FaceServices | None = None  # watchlists and face search; None: disabled
    incidents: OpsEngine | None = None  # the operations centre, owned by the service
    ops_hub: OpsHub | None = None  # incident changes to /api/ws/ops, made by the lifespan
    archive: TrackIndex | None = None  # forensic search of the track index; None: disabled
    evidence: Evidence | None = None  # playback, exports, bookmarks; None: not recording
    violations: ViolationDesk | None = None  # the officers' review desk; None: no access
    signals: SignalBoard | None = None  # controller-fed traffic lights; None: not fed here
    plates: PlateData | None = None  # plate search and plate watchlists; None: disabled
    device_webhook: DeviceWebhook | None = None  # signed device events; None: not configured
    devices: DeviceResponse | None = None  # alarms -> cameras, outputs; None: no devices
    drones: DroneTracks | None = None  # drones' paths for the map; None: no drones here
    integrations: Integrations | None = None  # webhooks, ONVIF/PTZ; None: not configured
    # the last time each (person, action, target, range) was audited: a player reloading
    # the same playlist every few seconds is one audit record per window, not hundreds
    audited: dict[tuple[str, ...], float] = field(default_factory=dict)

    def statuses(self) -> dict[str, CameraStatus]:
        """Live status by camera id; empty when no pipeline reports to this app."""
        if self.status is None:
            return {}
        return {st.camera_id: st for st in self.status()}


def get_context(conn: HTTPConnection) -> ApiContext:
    """FastAPI dependency; works for both HTTP requests and WebSockets."""
    ctx: ApiContext = conn.app.state.kuzet
    return ctx


Ctx = Annotated[ApiContext, Depends(get_context)]
