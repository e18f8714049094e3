"""Per-shard metrics through Ray's own Prometheus exporter: each node's metrics agent serves
them (``ray_kuzet_shard_*``) beside Ray's, so the city's Prometheus scrapes the Ray nodes
(KubeRay's PodMonitor) and needs no address per shard, which moves when Ray restarts it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from ray.util.metrics import Gauge

log = logging.getLogger(__name__)

# stats() key -> (metric name, help)
FIELDS = {
    "frames": ("kuzet_shard_frames", "frames decoded since the shard (re)started"),
    "events": ("kuzet_shard_events", "events published since the shard (re)started"),
    "dropped": ("kuzet_shard_dropped_frames", "frames shed since the shard (re)started"),
    "latency_s": ("kuzet_shard_latency_seconds", "decode to analysed, last frame"),
    "queue_depth": ("kuzet_shard_queue_depth", "frames waiting for the detector"),
}


class ShardExporter:
    """Copies a shard's ``stats()`` into Ray gauges every ``every`` seconds."""

    def __init__(self, shard: str, stats: Callable[[], dict[str, Any]], every: float = 5.0):
        self.shard, self.stats, self.every = shard, stats, every
        self.gauges = {k: Gauge(n, h, tag_keys=("shard",)) for k, (n, h) in FIELDS.items()}
        self.analysed = Gauge(
            "kuzet_shard_analysed_frames", "frames analysed per camera since the shard (re)started",
            tag_keys=("shard", "camera_id"),
        )  # fmt: skip
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="shard-metrics", daemon=True)

    def start(self) -> ShardExporter:
        self._thread.start()
        return self

    def export(self) -> None:
        st = self.stats()
        for key, gauge in self.gauges.items():
            gauge.set(float(st.get(key) or 0), tags={"shard": self.shard})
        for camera, n in st.get("analysed", {}).items():
            self.analysed.set(float(n), tags={"shard": self.shard, "camera_id": camera})

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.export()
            except Exception:  # metrics must never stop a shard
                log.warning("shard metrics export failed", exc_info=True)

    def stop(self) -> None:
        self._stop.set()
