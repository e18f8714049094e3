"""The recording of one node: volumes, repair on start, a recorder per camera, retention.

The service (``kuzet.service``) builds one :class:`Recording` and wires analysis to it:
``motion(camera_id, wall_time)`` from the pipeline's motion gate and ``event(event)``
for every published event. Nothing here imports the pipeline.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from kuzet.config.models import SiteConfig
from kuzet.config.record import CameraRecordSettings, RecordMode
from kuzet.core import Event
from kuzet.record.camera import CameraRecorder
from kuzet.record.holds import Auditor, EvidenceHolds
from kuzet.record.index import SegmentIndex
from kuzet.record.metrics import RecordMetrics
from kuzet.record.repair import reindex_orphans, repair_staging
from kuzet.record.retention import Retention, RetentionReport
from kuzet.record.segmenter import RecorderStatus
from kuzet.sources.backoff import ReconnectPolicy
from kuzet.storage import AnyVolume, S3Volume, StorageError, open_volume

log = logging.getLogger(__name__)


class Recording:
    """Everything recording on a node; ``start``/``stop`` like the other stages."""

    def __init__(
        self,
        site: SiteConfig,
        engine: Engine,
        *,
        registry: CollectorRegistry | None = None,
        audit: Auditor | None = None,
        realtime: bool = True,
        policy: ReconnectPolicy | None = None,
        data_dir: Path | None = None,
    ) -> None:
        cfg = site.record
        self.cfg = cfg
        self.engine = engine
        self.metrics = RecordMetrics(registry)
        self.index = SegmentIndex(engine)
        self.holds = EvidenceHolds(engine, audit)
        root = data_dir or site.data_dir
        self.volumes: dict[str, AnyVolume] = {
            name: open_volume(name, vcfg, root) for name, vcfg in cfg.volumes.items()
        }
        for name, vol in self.volumes.items():
            if isinstance(vol, S3Volume):
                vol.on_uploaded = lambda key, n=name: self.index.set_location(n, key, "remote")
                vol.on_upload_failed = lambda _key, n=name: self.metrics.upload_failures.labels(
                    n
                ).inc()
        self.settings: dict[str, CameraRecordSettings] = {
            cam.id: cfg.for_camera(cam.id, cam.category.value) for cam in site.cameras
        }
        self.retention = Retention(
            engine, self.index, dict(self.volumes),
            {cid: s.days for cid, s in self.settings.items()}, cfg.days,
            metrics=self.metrics, audit=audit,
            own_cameras_only=cfg.retention_scope == "cameras",
        )  # fmt: skip
        self.recorders: dict[str, CameraRecorder] = {}
        for cam in site.cameras:
            st = self.settings[cam.id]
            if not cam.enabled or st.mode is RecordMode.OFF:
                continue
            self.recorders[cam.id] = CameraRecorder(
                cam.id, cam.main_url, st, self.volumes[st.volume], self.index,
                metrics=self.metrics, loop=cam.loop, realtime=realtime, fsync=cfg.fsync,
                policy=policy, on_full=self._full,
            )  # fmt: skip
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._urgent: set[str] = set()
        self._thread: threading.Thread | None = None
        self.last_report: RetentionReport | None = None

    # ------------------------------------------------------------ lifecycle
    def repair(self) -> None:
        """Leftovers of a killed process: staging files, unindexed segments."""
        for vol in self.volumes.values():
            rep = repair_staging(vol, self.index, self.metrics)
            try:
                found = reindex_orphans(vol, self.index, list(self.settings))
            except StorageError as exc:
                log.warning("could not look for unindexed segments: %s", exc)
                found = 0
            if rep.repaired or rep.dropped or found:
                log.info("recording repaired on start", extra={
                    "volume": vol.name, "repaired": rep.repaired, "dropped": rep.dropped,
                    "reindexed": found})  # fmt: skip

    def start(self) -> Recording:
        self.repair()
        for vol in self.volumes.values():
            if isinstance(vol, S3Volume):
                vol.start()
        for rec in self.recorders.values():
            rec.start()
        self._thread = threading.Thread(target=self._loop, name="record-retention", daemon=True)
        self._thread.start()
        log.info("recording started", extra={"cameras": len(self.recorders),
                                             "volumes": sorted(self.volumes)})  # fmt: skip
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        for rec in self.recorders.values():  # all at once: a blocked read may take seconds
            rec.request_stop()
        for rec in self.recorders.values():
            rec.stop()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        for vol in self.volumes.values():
            if isinstance(vol, S3Volume):
                vol.close()

    # ------------------------------------------------------------ signals from analysis
    def motion(self, camera_id: str, wall_time: float) -> None:
        """The motion gate saw movement (called per moving frame: cheap)."""
        rec = self.recorders.get(camera_id)
        if rec is not None and rec.settings.mode is RecordMode.MOTION:
            rec.signal(wall_time)

    def event(self, event: Event) -> None:
        """An event was published: motion and events modes record around it."""
        rec = self.recorders.get(event.camera_id)
        if rec is not None and rec.settings.mode in (RecordMode.MOTION, RecordMode.EVENTS):
            rec.signal(event.ts.timestamp())

    # ------------------------------------------------------------ reads
    def volume(self, name: str) -> AnyVolume:
        return self.volumes[name]

    def statuses(self) -> list[RecorderStatus]:
        return [rec.status for rec in self.recorders.values()]

    # ------------------------------------------------------------ retention
    def _full(self, volume: str) -> None:
        """A writer hit a full disk or spool: run retention on that volume now."""
        self._urgent.add(volume)
        self._wake.set()

    def run_retention(self, volume: str | None = None, *, urgent: bool = False) -> RetentionReport:
        rep = self.retention.run(volume=volume, urgent=urgent)
        self.last_report = rep
        for name, vol in self.volumes.items():
            if isinstance(vol, S3Volume):
                self.metrics.spool_segments.labels(name).set(vol.spool_count())
                self.metrics.spool_bytes.labels(name).set(vol.spool_bytes())
        return rep

    def _loop(self) -> None:
        interval = self.cfg.retention_interval_s
        while not self._stop.is_set():
            self._wake.clear()
            urgent, self._urgent = self._urgent, set()
            try:
                for name in sorted(urgent):
                    self.run_retention(volume=name, urgent=True)
                if not urgent:
                    self.run_retention()
            except Exception:
                log.exception("recording retention failed; will retry")
            self._wake.wait(interval)
