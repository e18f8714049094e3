"""What a shard and the sink do, as plain objects: Ray wraps them as actors
(:mod:`kuzet.cluster.driver`), and nothing here knows about nodes or failures."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections import Counter
from typing import Any, Literal

from kuzet.cluster.plan import ShardPlan, service_site, shard_site
from kuzet.config.models import BusConfig, NatsBusConfig, SiteConfig
from kuzet.core import Event
from kuzet.events.factory import create_bus
from kuzet.pipeline.node import Node
from kuzet.pipeline.probe import Probe
from kuzet.rules.signal_share import SignalShare
from kuzet.rules.signals import BOARD
from kuzet.store.blobs import open_blobs
from kuzet.store.sink import EventSink
from kuzet.vision import Detector

log = logging.getLogger(__name__)
DetectorChoice = Literal["site", "standin", "shared"]  # shared: the Serve deployment


class ShardCounts(Probe):
    """Per-shard metrics (``kuzet cluster status``): frames, analysed, events, drops."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.frames: Counter[str] = Counter()
        self.analysed_by_camera: Counter[str] = Counter()
        self.dropped_frames: Counter[str] = Counter()
        self.events = 0
        self.latency_s = 0.0  # decode -> analysed, last frame
        self.last_analysed_at: float | None = None

    def frame(self, camera_id: str, detect: bool) -> None:
        with self._lock:
            self.frames[camera_id] += 1

    def dropped(self, camera_id: str) -> None:
        with self._lock:
            self.dropped_frames[camera_id] += 1

    def analysed(self, camera_id: str, latency_s: float) -> None:
        with self._lock:
            self.analysed_by_camera[camera_id] += 1
            self.latency_s = latency_s
            self.last_analysed_at = time.time()

    def event(self, event: Event, latency_s: float) -> None:
        with self._lock:
            self.events += 1


def make_detector(site: SiteConfig, choice: DetectorChoice, caller: str = "") -> Detector:
    if choice == "shared":  # one batched deployment for every shard (kuzet.cluster.serving)
        from kuzet.cluster.serving import SharedDetector

        return SharedDetector(caller=caller)
    if choice == "standin":
        from kuzet.cluster.standin import DarkBlobStandIn

        return DarkBlobStandIn()
    from kuzet.vision import create_detector

    return create_detector(site.detector)


class ShardWorker:
    """One shard: a :class:`Node` over its cameras, publishing to the shared bus. With
    ``full`` the shard runs what ``kuzet serve`` runs but the HTTP API (a
    :class:`kuzet.service.Service` over its cameras): enrichers (faces, plates, attributes),
    recording, clips, and its share of the durable consumers (sink, incidents...)."""

    def __init__(
        self,
        site_json: str,
        plan: ShardPlan,
        detector: DetectorChoice = "site",
        full: bool = False,
    ) -> None:
        site = SiteConfig.model_validate_json(site_json)
        self.plan = plan
        self.site = shard_site(site, plan)
        self.started_at = time.time()
        self.counts = ShardCounts()
        self.detector = make_detector(self.site, detector, caller=plan.name)
        self.service: Any = None
        if full:
            from kuzet.service import Service

            self.service = Service(service_site(self.site), detector=self.detector,
                                   probe=self.counts).start()  # fmt: skip
            self.bus, self.blobs, self.node = (
                self.service.bus,
                self.service.blobs,
                self.service.node,
            )
        else:
            self.bus = create_bus(site.bus)
            # snapshots through the site's blob store (S3 in a city: any API replica serves them)
            self.blobs = open_blobs(site.blobs, site.data_dir)
            self.node = Node(self.site, self.detector, self.bus.publish, probe=self.counts,
                             put_blob=self.blobs.put)  # fmt: skip
            # its cameras' traffic-light reports, fed to whichever process a controller reached
            self.signals = SignalShare(self.bus, BOARD, list(plan.cameras))
            self.node.start()
        log.info(
            "shard started",
            extra={"shard": plan.name, "cameras": list(plan.cameras), "full": full},
        )

    def stats(self) -> dict[str, Any]:
        c = self.counts
        with c._lock:
            return {
                "shard": self.plan.name,
                "cameras": list(self.plan.cameras),
                "full": self.service is not None,
                "pid": os.getpid(),
                "started_at": self.started_at,
                "frames": sum(c.frames.values()),
                "analysed": dict(c.analysed_by_camera),
                "dropped": sum(c.dropped_frames.values()),
                "events": c.events,
                "latency_s": round(c.latency_s, 3),
                "last_analysed_at": c.last_analysed_at,
                "queue_depth": self.node.queue_depth,
                # the shared deployment's batch counters as this shard last saw them
                "detector": getattr(self.detector, "report", dict)(),
                "blobs": self.blobs.stats(),
            }

    def stop(self) -> None:
        if self.service is not None:
            self.service.stop()
            return
        self.node.stop()
        self.signals.close()
        self.bus.close()
        self.blobs.close()


class SinkWorker:
    """The bus -> store sink of the whole city: one durable consumer group, so several
    sink replicas share the work and a restarted one resumes where acks stopped."""

    def __init__(self, site_json: str) -> None:
        from kuzet.schema import open_store

        site = SiteConfig.model_validate_json(site_json)
        self.site = site
        self.store = open_store(site.store.url)
        self.bus = create_bus(site.bus)
        group = site.bus.durable if isinstance(site.bus, NatsBusConfig) else "kuzet-store"
        self.group = group
        self.sink = EventSink.for_bus(
            self.bus,
            self.store,
            group=group,
            batch_size=site.store.batch_size,
            batch_wait_ms=site.store.batch_wait_ms,
            retry_max_s=2.0,
        ).start()

    def stats(self) -> dict[str, Any]:
        out = self.sink.stats.as_dict()
        out["pending"] = self.pending()
        return out

    def pending(self) -> int | None:
        """Events on the bus not yet acked by the sink's group (the bus-side lag)."""
        return pending(self.site.bus, self.group)

    def stop(self) -> None:
        self.sink.stop(drain=True)
        self.bus.close()
        self.store.close()


def pending(bus: BusConfig, group: str) -> int | None:
    """Events on the bus not yet acked by ``group`` (its lag); None off NATS or unreadable."""
    if not isinstance(bus, NatsBusConfig):
        return None
    try:
        return asyncio.run(_num_pending(bus, group))
    except Exception:
        log.warning("could not read the pending count of %s", group, exc_info=True)
        return None


async def _num_pending(bus: NatsBusConfig, group: str) -> int:
    import nats

    nc = await nats.connect(bus.servers, connect_timeout=2, max_reconnect_attempts=0)
    try:
        info = await nc.jetstream().consumer_info(bus.stream, group)
        return int(info.num_pending or 0) + int(info.num_ack_pending or 0)
    finally:
        await nc.close()
