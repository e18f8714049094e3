"""Prometheus metrics of the recorder, on the process's own registry (obs.metrics style)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

NS = "kuzet"


class RecordMetrics:
    """Per camera: bytes, segments, gaps, write errors; per volume: usage, spool, deletions."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        r = registry if registry is not None else CollectorRegistry(auto_describe=True)
        self.registry = r
        cam, vol = ["camera_id"], ["volume"]
        self.bytes = Counter("record_bytes", "Bytes of closed segments", cam, namespace=NS,
                             registry=r)  # fmt: skip
        self.segments = Counter("record_segments", "Segments closed and indexed", cam,
                                namespace=NS, registry=r)  # fmt: skip
        self.gaps = Counter("record_gaps", "Recording gaps (camera or recorder down)", cam,
                            namespace=NS, registry=r)  # fmt: skip
        self.recording = Gauge("record_active", "1 while a segment is being written", cam,
                               namespace=NS, registry=r)  # fmt: skip
        self.write_errors = Counter(
            "record_write_errors", "Segment writes that failed (disk full, I/O)",
            ["camera_id", "reason"], namespace=NS, registry=r,
        )  # fmt: skip
        self.dropped = Counter(
            "record_dropped_segments", "Segments lost (could not be written or stored)",
            ["camera_id", "reason"], namespace=NS, registry=r,
        )  # fmt: skip
        self.volume_bytes = Gauge("record_volume_bytes", "Indexed bytes on a volume", vol,
                                  namespace=NS, registry=r)  # fmt: skip
        self.quota_bytes = Gauge("record_quota_bytes", "Volume quota (0 = none)", vol,
                                 namespace=NS, registry=r)  # fmt: skip
        self.spool_segments = Gauge("record_spool_segments", "Segments waiting for upload", vol,
                                    namespace=NS, registry=r)  # fmt: skip
        self.spool_bytes = Gauge("record_spool_bytes", "Bytes waiting for upload", vol,
                                 namespace=NS, registry=r)  # fmt: skip
        self.upload_failures = Counter("record_upload_failures", "Failed upload attempts", vol,
                                       namespace=NS, registry=r)  # fmt: skip
        self.deleted = Counter(
            "record_deleted_segments", "Segments deleted by retention",
            ["volume", "reason"], namespace=NS, registry=r,
        )  # fmt: skip
        self.deleted_bytes = Counter(
            "record_deleted_bytes", "Bytes deleted by retention", ["volume", "reason"],
            namespace=NS, registry=r,
        )  # fmt: skip
        self.held_blocking = Gauge(
            "record_quota_blocked_by_holds",
            "1 while a volume is over its bound and only held segments are left", vol,
            namespace=NS, registry=r,
        )  # fmt: skip
        self.repaired = Counter("record_repaired_segments",
                                "Leftover staging files at start, by outcome", ["outcome"],
                                namespace=NS, registry=r)  # fmt: skip

    def segment(self, camera_id: str, size: int) -> None:
        self.segments.labels(camera_id).inc()
        self.bytes.labels(camera_id).inc(size)

    def deletion(self, volume: str, reason: str, n: int, size: int) -> None:
        if n:
            self.deleted.labels(volume, reason).inc(n)
            self.deleted_bytes.labels(volume, reason).inc(size)
