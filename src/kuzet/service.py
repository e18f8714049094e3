"""The composition root of ``kuzet serve`` / ``kuzet demo``: wires every stage, runs until Ctrl-C."""

from __future__ import annotations

import logging
import threading
import time

import uvicorn

from kuzet.api.app import create_app
from kuzet.config.models import SiteConfig
from kuzet.core import CameraInfo, Event
from kuzet.events import create_bus
from kuzet.obs.logging import setup_logging
from kuzet.obs.metrics import Metrics
from kuzet.pipeline.node import Node
from kuzet.pipeline.probe import Probe
from kuzet.store import LocalBlobStore, Store
from kuzet.store.sink import EventSink
from kuzet.vision import create_detector

log = logging.getLogger(__name__)


class MetricsProbe(Probe):
    """Feeds the pipeline's hot-path hooks into Prometheus metrics."""

    def __init__(self, metrics: Metrics) -> None:
        self.m = metrics

    def frame(self, camera_id: str, detect: bool) -> None:
        self.m.frame(camera_id)

    def dropped(self, camera_id: str) -> None:
        self.m.dropped_frames(camera_id)

    def detector(self, seconds: float, batch: int) -> None:
        self.m.observe_detector(seconds, batch)

    def event(self, event: Event, latency_s: float) -> None:
        self.m.event_published(event.type)
        self.m.observe_frame_to_event(latency_s)


def camera_info(site: SiteConfig) -> list[CameraInfo]:
    return [
        CameraInfo(
            id=c.id, name=c.name, category=c.category.value, district=c.district,
            latitude=c.latitude, longitude=c.longitude, main_url=c.main_url, sub_url=c.sub_url,
            enabled=c.enabled,
        )
        for c in site.cameras
    ]  # fmt: skip


def _print_events(bus_sub, stop: threading.Event) -> None:  # type: ignore[no-untyped-def]
    while not stop.is_set():
        for d in bus_sub.fetch(100, 0.5):
            e = d.event
            box = "" if e.box is None else " box=[" + ",".join(f"{v:.0f}" for v in e.box) + "]"
            print(
                f"{e.ts:%H:%M:%S} {e.camera_id} {e.type}/{e.phase} {e.rule} "
                f"track={e.track_id} {e.class_name} score={e.score}{box}",
                flush=True,
            )


def run_service(site: SiteConfig, *, print_events: bool = True) -> None:
    setup_logging("INFO", json=False)
    site.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(site.store.url)
    for cam in camera_info(site):
        store.upsert_camera(cam)
    blobs = LocalBlobStore(site.data_dir)
    bus = create_bus(site.bus)
    metrics = Metrics()
    sink = EventSink(bus.subscribe("store"), store, metrics=metrics)
    sink.start()
    detector = create_detector(site.detector)
    node = Node(site, detector, bus.publish, put_blob=blobs.put, probe=MetricsProbe(metrics))
    app = create_app(store=store, blobs=blobs, bus=bus, status=node.statuses, metrics=metrics)
    stop = threading.Event()
    if print_events:
        sub = bus.subscribe("console", durable=False)
        threading.Thread(target=_print_events, args=(sub, stop), daemon=True).start()
    server = uvicorn.Server(
        uvicorn.Config(app, host=site.api.host, port=site.api.port, log_level="warning")
    )
    node.start()
    print(
        f"Kuzet {site.site}: {len(site.cameras)} cameras, API http://{site.api.host}:{site.api.port}"
        f"  (docs /docs, health /healthz, metrics /metrics). Ctrl-C stops.",
        flush=True,
    )
    t0 = time.monotonic()
    try:
        server.run()  # handles SIGINT/SIGTERM and returns
    finally:
        stop.set()
        node.stop()
        sink.stop(drain=True)
        bus.close()
        store.close()
        log.info("stopped", extra={"uptime_s": round(time.monotonic() - t0, 1)})
