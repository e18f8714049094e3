"""One detector shared by many shards: a Ray Serve deployment that batches frames.

Each shard loading its own detector wastes a GPU per shard (or a core per model copy);
here a few replicas (``num_gpus``/``num_cpus`` asked through Ray) hold the model and Serve's
``@serve.batch`` gathers single frames from every shard into one inference call. A shard
reaches it through :class:`SharedDetector`, which has the ``kuzet.vision.Detector``
protocol, so the shard's :class:`~kuzet.pipeline.node.Node` does not know the difference.
Ray Serve places, health-checks and restarts the replicas; Kuzet only says how many and
what each needs. Only :mod:`kuzet.cluster.driver` and the shards import this module.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ray import serve

from kuzet.config.models import SiteConfig
from kuzet.config.secret import wire_json
from kuzet.core import Detections

APP = "kuzet-detector"  # the Serve application (and its deployment's) name
DEPLOYMENT = "SharedDetectorReplica"


@dataclass(frozen=True)
class SharedDetectorOptions:
    """What the detector deployment asks for (``kuzet cluster run --shared-detector``)."""

    replicas: int = 1
    max_batch: int = 8  # frames of any shards per inference call
    wait_ms: float = 10.0  # how long a replica waits for a batch to fill
    num_cpus: float = 1.0
    num_gpus: float = 0.0
    standin: bool = False  # the cheap stand-in (tests, load), never a vision claim
    # at most this many replicas on one node: with 2+ replicas, a dead node leaves the
    # others serving while Serve replaces its replica (a shard waits for none)
    per_node: int = 1
    # how often Serve's controller checks a replica: a dead one leaves the routing table
    # within about this (Serve's default, 10 s, left shards waiting past the 30 s bound)
    health_check_s: float = 2.0
    # a Ray custom resource each replica asks one unit of: the nodes that declare it (e.g.
    # the GPU node group, `ray start --resources '{"kuzet_detector": 1}'`) host replicas
    resource: str | None = None

    def __post_init__(self) -> None:
        if self.replicas < 1 or not 1 <= self.max_batch <= 64 or self.wait_ms < 0:
            raise ValueError("replicas >= 1, 1 <= max_batch <= 64 and wait_ms >= 0")
        if self.per_node < 1 or self.health_check_s <= 0:
            raise ValueError("per_node >= 1 and health_check_s > 0")


@dataclass(frozen=True)
class Served:
    """One frame's detections and the batch they were computed in."""

    detections: Detections
    replica: str
    batch: int  # the replica's batch number
    size: int  # frames in that batch
    callers: int  # distinct callers (shards) in that batch
    stats: dict[str, Any]  # the replica's counters after the batch (status reads these)


class SharedDetectorReplica:
    """A Serve replica: one detector, batched calls from every shard."""

    def __init__(self, site_json: str, options: SharedDetectorOptions) -> None:
        from kuzet.cluster.workers import make_detector

        site = SiteConfig.model_validate_json(site_json)
        det = site.detector.model_copy(update={"max_batch": options.max_batch})
        site = site.model_copy(update={"detector": det})
        self.detector = make_detector(site, "standin" if options.standin else "site")
        self.replica = uuid.uuid4().hex[:8]
        self.batches = 0
        self.images = 0
        self.shared_batches = 0  # batches holding frames of two or more callers
        self.sizes: Counter[int] = Counter()
        batcher: Any = self.detect  # serve.batch's wrapper carries the queue settings
        batcher.set_max_batch_size(options.max_batch)
        batcher.set_batch_wait_timeout_s(options.wait_ms / 1000)

    def labels(self) -> tuple[str, ...]:
        return tuple(self.detector.labels)

    def stats(self) -> dict[str, Any]:
        return {
            "replica": self.replica,
            "batches": self.batches,
            "images": self.images,
            "shared_batches": self.shared_batches,
            "sizes": dict(self.sizes),
        }

    @serve.batch(max_batch_size=8, batch_wait_timeout_s=0.01)
    async def detect(self, requests: list[tuple[str, np.ndarray]]) -> list[Served]:
        # inference off the event loop, so the next batch gathers while this one runs
        found = await asyncio.to_thread(self.detector.detect, [im for _, im in requests])
        callers = len({c for c, _ in requests})
        self.batches += 1
        self.images += len(requests)
        self.sizes[len(requests)] += 1
        self.shared_batches += callers > 1
        snap = self.stats()
        return [Served(d, self.replica, self.batches, len(requests), callers, snap) for d in found]


def start(site: SiteConfig, options: SharedDetectorOptions) -> Any:
    """Deploy the detector application on the connected Ray cluster (no HTTP proxy: only
    shards call it, through handles). Returns once its replicas are up."""
    serve.start(proxy_location="Disabled")
    app = serve.deployment(
        name=DEPLOYMENT,
        num_replicas=options.replicas,
        ray_actor_options={
            "num_cpus": options.num_cpus,
            "num_gpus": options.num_gpus,
            "resources": {options.resource: 1} if options.resource else {},
        },
        max_replicas_per_node=options.per_node,
        health_check_period_s=options.health_check_s,
        health_check_timeout_s=max(5.0, 3 * options.health_check_s),
        # room for several full batches queued per replica, or batches never fill
        max_ongoing_requests=max(32, 4 * options.max_batch),
    )(SharedDetectorReplica).bind(wire_json(site), options)
    return serve.run(app, name=APP, route_prefix=None)


def stop() -> None:
    """Remove the detector application and Serve's controller."""
    serve.shutdown()


@dataclass
class SharedDetector:
    """The :class:`kuzet.vision.Detector` a shard uses: each frame goes to the deployment
    as one request; Serve batches them with other shards' frames."""

    caller: str
    timeout_s: float = 30.0
    labels: tuple[str, ...] = ()
    _handle: Any = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    replicas: dict[str, dict[str, Any]] = field(default_factory=dict)  # latest counters
    seen: Counter[int] = field(default_factory=Counter)  # batch sizes this caller's frames saw

    def __post_init__(self) -> None:
        # a replica on the shard's own node first: a frame is ~1 MB, and 900 cameras at
        # 5 fps across the network would be ~5 GB/s a GPU node (docs/capacity.md)
        self._handle = serve.get_deployment_handle(DEPLOYMENT, APP).options(
            _prefer_local_routing=True
        )
        self.labels = tuple(self._handle.labels.remote().result(timeout_s=self.timeout_s))

    def detect(self, images: list[np.ndarray]) -> list[Detections]:
        return [s.detections for s in self.detect_served(images)]

    def detect_served(self, images: list[np.ndarray]) -> list[Served]:
        """Detections with their batch marks (tests and the bench read them)."""
        pending = [self._handle.detect.remote((self.caller, im)) for im in images]
        served: list[Served] = [r.result(timeout_s=self.timeout_s) for r in pending]
        with self._lock:
            for s in served:
                self.seen[s.size] += 1
                old = self.replicas.get(s.replica)
                if old is None or old["batches"] < s.stats["batches"]:
                    self.replicas[s.replica] = s.stats
        return served

    def report(self) -> dict[str, Any]:
        """The replicas' counters as this caller last saw them, and its own batch sizes."""
        with self._lock:
            return {"replicas": dict(self.replicas), "seen": dict(self.seen)}
