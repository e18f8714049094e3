"""The app factory: wires a store, blob store and bus into a FastAPI app.

No module-level state: everything lives on ``app.state.kuzet``, so tests and
embedders can build as many independent apps as they like.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI

from kuzet import __version__
from kuzet.api.context import ApiContext
from kuzet.api.errors import install_error_handlers
from kuzet.api.live import LiveHub
from kuzet.api.ports import BlobReader, BusPort, StorePort
from kuzet.api.routers import cameras, events, live, ops
from kuzet.core.camera import CameraStatus
from kuzet.obs.metrics import Metrics


def create_app(
    *,
    store: StorePort,
    blobs: BlobReader,
    bus: BusPort,
    status: Callable[[], list[CameraStatus]] | None = None,
    metrics: Metrics | None = None,
    ws_queue_size: int = 256,
) -> FastAPI:
    """Build the HTTP + WebSocket API.

    ``status`` is the pipeline's live camera status (``None`` when the API runs
    without a pipeline). ``metrics`` is shared with the pipeline so ``/metrics``
    shows both; a private one is made when omitted. The caller owns ``store``,
    ``blobs`` and ``bus`` and closes them; the app only closes its own subscription.
    """
    metrics = metrics if metrics is not None else Metrics()
    hub = LiveHub(bus, metrics=metrics, queue_size=ws_queue_size)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await hub.start()
        try:
            yield
        finally:
            await hub.stop()

    app = FastAPI(
        title="Kuzet API",
        version=__version__,
        description="Cameras, events and live event stream of a Kuzet site.",
        lifespan=lifespan,
    )
    app.state.kuzet = ApiContext(
        store=store, blobs=blobs, bus=bus, metrics=metrics, hub=hub, status=status
    )
    install_error_handlers(app)
    for router in (cameras.router, events.router, live.router, ops.router):
        app.include_router(router)
    return app
