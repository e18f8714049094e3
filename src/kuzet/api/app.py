"""The app factory: wires a store, blob store, bus and access control into a FastAPI app.

No module-level state: everything lives on ``app.state.kuzet``, so tests and
embedders can build as many independent apps as they like.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import Depends, FastAPI

from kuzet import __version__
from kuzet.api.context import ApiContext
from kuzet.api.errors import install_error_handlers
from kuzet.api.headers import SecurityHeaders
from kuzet.api.limits import BodyLimit
from kuzet.api.live import LiveHub
from kuzet.api.ports import BlobReader, BusPort, LiveFrames, StorePort
from kuzet.api.routers import (
    admin,
    archive,
    audit,
    auth,
    bookmarks,
    cameras,
    clips,
    device_response,
    events,
    exports,
    grants,
    live,
    me_views,
    ops,
    ops_center,
    ops_history,
    ops_live,
    ops_map,
    ops_ui,
    plate_lists,
    recordings,
    recordings_live,
    traffic,
    violations,
    watchlists,
)
from kuzet.api.routers import (
    devices as devices_router,
)
from kuzet.api.routers import (
    docs as docs_pages,
)
from kuzet.api.routers import (
    drones as drones_router,
)
from kuzet.api.routers import (
    faces as faces_router,
)
from kuzet.api.routers import (
    integrations as integrations_router,
)
from kuzet.api.routers import (
    plates as plates_router,
)
from kuzet.api.routers import (
    signals as signals_router,
)
from kuzet.api.routers.ops_live import OpsHub
from kuzet.api.security import (
    authenticates,
    authorize,
    compile_rules,
    install_openapi,
    larger_bodies,
)
from kuzet.api.trail import AuditTrail
from kuzet.core.camera import CameraStatus
from kuzet.obs.metrics import Metrics

if TYPE_CHECKING:
    from kuzet.access.blur import FaceFinder
    from kuzet.access.service import AccessService
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


def create_app(
    *,
    store: StorePort,
    blobs: BlobReader,
    bus: BusPort,
    status: Callable[[], list[CameraStatus]] | None = None,
    metrics: Metrics | None = None,
    ws_queue_size: int = 256,
    access: AccessService | None = None,
    faces: Callable[[], FaceFinder] | None = None,
    face_services: FaceServices | None = None,
    frames: LiveFrames | None = None,
    incidents: OpsEngine | None = None,
    archive_index: TrackIndex | None = None,
    evidence: Evidence | None = None,
    violations_desk: ViolationDesk | None = None,
    signals: SignalBoard | None = None,
    plates: PlateData | None = None,
    device_webhook: DeviceWebhook | None = None,
    devices: DeviceResponse | None = None,
    drones: DroneTracks | None = None,
    integrations: Integrations | None = None,
) -> FastAPI:
    """Build the HTTP + WebSocket API.

    ``status`` is the pipeline's live camera status (``None`` when the API runs
    without a pipeline). ``metrics`` is shared with the pipeline so ``/metrics``
    shows both; a private one is made when omitted. ``access`` authenticates and
    audits; without it only public routes (health, login, docs) answer. ``faces``
    makes the detector that blurs snapshots for callers without biometric clearance
    (without it, such callers are refused pictures: fail closed).
    ``face_services`` backs the watchlist and face-search routes (503 without it).
    ``frames`` is the pipeline's frame tap: the camera wall's live view (else snapshots).
    ``incidents`` is the operations centre's engine (started and stopped by its owner,
    the service); the app pushes its incident changes to ``/api/ws/ops``.
    ``archive_index`` backs the forensic search routes ``/api/archive/...`` (503 without it).
    ``evidence`` backs playback, exports and bookmarks (``/api/recordings``, ``/api/exports``,
    ``/api/bookmarks``; 503 without it), started and closed by its owner, the service.
    ``violations_desk`` backs ``/api/violations``; without one, a desk over ``store``,
    ``blobs`` and ``access`` is made when they allow it (docs/violations.md).
    ``signals`` is the board junction controllers feed (``/api/signals``; 503 without it).
    ``plates`` backs plate search and plate watchlists (``/api/plates``, ``/api/plate-lists``;
    503 without it), started and stopped by its owner, the service.
    ``device_webhook`` takes signed device events (``POST /api/devices/webhook``; 503
    without it); the device registry (``/api/devices``) is read from ``store``.
    ``devices`` is the operations centre's side of devices (alarms -> cameras, commands to
    sirens, speakers, doors; ``/api/ops/devices``, ``/api/devices/.../commands``; 503
    without it), started and stopped by its owner, the service.
    ``drones`` is the book of drone paths (``/api/drones``; 503 without it).
    ``integrations`` backs the dead-letter list and ONVIF / PTZ routes (503 without it),
    started and stopped by its owner, the service (docs/integrations.md).
    The caller owns ``store``, ``blobs``, ``bus`` and ``access`` and closes them.
    """
    metrics = metrics if metrics is not None else Metrics()
    hub = LiveHub(bus, metrics=metrics, queue_size=ws_queue_size)
    cfg = None if access is None else access.cfg

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await hub.start()
        ops_hub = None
        if incidents is not None:
            ops_hub = ctx.ops_hub = OpsHub(asyncio.get_running_loop())
            incidents.listen(ops_hub.publish, elsewhere=True)  # made here or elsewhere
        try:
            yield
        finally:
            if incidents is not None and ops_hub is not None:
                incidents.unlisten(ops_hub.publish)
                ops_hub.close()
                ctx.ops_hub = None
            await hub.stop()

    docs = cfg is None or cfg.public_docs
    app = FastAPI(
        title="Kuzet API",
        version=__version__,
        description="Cameras, events and live event stream of a Kuzet site.",
        lifespan=lifespan,
        dependencies=[Depends(authorize)],
        docs_url=None,  # served from bundled files below (FastAPI's load from a CDN)
        redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.kuzet = ctx = ApiContext(
        store=store, blobs=blobs, bus=bus, metrics=metrics, hub=hub, status=status,
        access=access, faces=faces, secure_cookies=cfg is None or cfg.secure_cookies,
        face_services=face_services,
        frames=frames, incidents=incidents, archive=archive_index, evidence=evidence,
        violations=violations_desk or _default_desk(store, blobs, access, evidence),
        signals=signals,
        plates=plates, device_webhook=device_webhook, devices=devices, drones=drones,
        integrations=integrations,
    )  # fmt: skip
    install_error_handlers(app)
    for router in (
        auth.router, admin.router, grants.router, audit.router, cameras.router, events.router,
        live.router,
        ops.router, clips.router,
        ops_center.router, ops_history.router, ops_map.router, ops_live.router, ops_ui.router,
        me_views.router,
        watchlists.router, faces_router.router, archive.router,
        recordings.router, recordings_live.router, exports.router, bookmarks.router,
        violations.router, signals_router.router, plates_router.router, plate_lists.router,
        traffic.router, devices_router.router, device_response.router, drones_router.router,
        integrations_router.router,
    ):  # fmt: skip
        app.include_router(router)
    if docs:
        app.include_router(docs_pages.make_router("/openapi.json", app.title))
    hsts = None if cfg is None or not cfg.tls.enabled else cfg.tls.hsts_max_age_s
    max_body = (1024 if cfg is None else cfg.max_body_kib) * 1024
    app.add_middleware(AuditTrail)
    app.add_middleware(
        BodyLimit, default=max_body, larger=larger_bodies(), authenticates=authenticates
    )
    app.add_middleware(SecurityHeaders, hsts_max_age_s=hsts)
    app.state.kuzet_rules = compile_rules(app)
    install_openapi(app)
    return app


def _default_desk(
    store: StorePort, blobs: BlobReader, access: AccessService | None, evidence: Evidence | None
) -> ViolationDesk | None:
    """The review desk over the app's own store and blobs (needs access: keys, audit)."""
    engine = getattr(store, "engine", None)
    if access is None or engine is None or not hasattr(blobs, "put"):
        return None
    from kuzet.violations.desk import ViolationDesk
    from kuzet.violations.keys import Kdf, OfficerKeys

    a = access.cfg.passwords.argon2
    keys = OfficerKeys(
        engine, lambda: access.totp_secrets.ring, Kdf(a.time_cost, a.memory_kib, a.parallelism)
    )
    holds = None if evidence is None else evidence.recording.holds
    return ViolationDesk(engine, store, blobs, keys, access.audit, holds)  # type: ignore[arg-type]
