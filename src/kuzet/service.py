"""The composition root of ``kuzet serve`` / ``kuzet demo``: wires every stage of a site."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI

from kuzet.access.retention import purge
from kuzet.access.service import AccessService
from kuzet.api.app import create_app
from kuzet.archive import TrackIndex
from kuzet.archive.storage import open_layout
from kuzet.config.models import SiteConfig
from kuzet.config.ops import RoutingRule
from kuzet.core import CameraInfo, Event
from kuzet.crypto.signing import Signer
from kuzet.devices.service import DeviceServices
from kuzet.drones.fleet import DroneFleet, camera_entry
from kuzet.events import Bus, create_bus
from kuzet.evidence.service import Evidence
from kuzet.faces.gallery_share import GalleryShare
from kuzet.incidents.book import IncidentBook
from kuzet.incidents.engine import OpsEngine
from kuzet.incidents.share import IncidentShare
from kuzet.integrations.deadletters import DeadLetters
from kuzet.integrations.hub import GROUP as INTEGRATIONS_GROUP
from kuzet.integrations.hub import Integrations
from kuzet.obs.metrics import Metrics, watch_blobs
from kuzet.pipeline.clips import ClipPolicy, ClipRecorder
from kuzet.pipeline.enrichers import Enrichment
from kuzet.pipeline.node import Node
from kuzet.pipeline.probe import Probe, Probes
from kuzet.pipeline.tap import FrameTap
from kuzet.pipeline.violation_frames import ViolationFrames
from kuzet.platedata.services import PlateData
from kuzet.record.incident_holds import IncidentHolds
from kuzet.record.service import Recording
from kuzet.rules.section import SectionControl
from kuzet.rules.section_consumer import SectionConsumer
from kuzet.rules.signal_share import SignalShare
from kuzet.rules.signals import BOARD as SIGNALS
from kuzet.schema import open_store
from kuzet.store.blobs import open_blobs
from kuzet.store.sink import EventSink
from kuzet.traffic.consumer import TrafficConsumer
from kuzet.violations.model import VIOLATION_TYPES
from kuzet.vision import Detector, create_detector
from kuzet.vision.blazeface import default_detector

if TYPE_CHECKING:
    from kuzet.faces.services import FaceServices

log = logging.getLogger(__name__)


class MetricsProbe(Probe):
    """Feeds the pipeline's hot-path hooks into Prometheus metrics, and motion and events
    into the recording (its motion/events modes)."""

    def __init__(self, metrics: Metrics, recording: Recording | None = None) -> None:
        self.m = metrics
        self.recording = recording

    def motion(self, camera_id: str, wall_time: float) -> None:
        if self.recording is not None:
            self.recording.motion(camera_id, wall_time)

    def frame(self, camera_id: str, detect: bool) -> None:
        self.m.frame(camera_id)

    def dropped(self, camera_id: str) -> None:
        self.m.dropped_frames(camera_id)

    def detector(self, seconds: float, batch: int) -> None:
        self.m.observe_detector(seconds, batch)

    def event(self, event: Event, latency_s: float) -> None:
        self.m.event_published(event.type)
        self.m.observe_frame_to_event(latency_s)
        if self.recording is not None:
            self.recording.event(event)


def camera_info(site: SiteConfig) -> list[CameraInfo]:
    return [
        CameraInfo(
            id=c.id, name=c.name, category=c.category.value, district=c.district,
            latitude=c.latitude, longitude=c.longitude, direction_deg=c.direction_deg,
            fov_deg=c.fov_deg, main_url=c.main_url, sub_url=c.sub_url,
            enabled=c.enabled,
        )
        for c in site.cameras
    ]  # fmt: skip


def clip_policy(site: SiteConfig) -> Callable[[Event], bool]:
    """Which events get a clip: those that start an incident (the operations centre's
    grouping window) or route to high priority; informational ones (counts) never."""
    cams = {c.id: c for c in site.cameras}

    def route(ev: Event) -> RoutingRule:
        cam = cams.get(ev.camera_id)
        if cam is None:
            return site.ops.route(ev.type, None, None)
        return site.ops.route(ev.type, cam.category.value, cam.district)

    opens = ClipPolicy(site.ops.group_window_s, lambda ev: route(ev).priority)
    return lambda ev: route(ev).makes_incident(ev.type) and opens(ev)


def has_violation_rules(site: SiteConfig) -> bool:
    """Whether a camera has a rule that can raise a violation (also inside a scene)."""
    types = {r.type for c in site.cameras for r in c.rules}
    types |= {s.type for c in site.cameras for r in c.rules for s in getattr(r, "rules", [])}
    return bool(types & VIOLATION_TYPES)


class Service:
    """Everything one node runs: store, bus, sink, pipeline node, API app.

    Tests build exactly this, so what they check is what ``kuzet serve`` runs.
    """

    def __init__(
        self,
        site: SiteConfig,
        *,
        detector: Detector | None = None,
        realtime: bool = True,
        probe: Probe | None = None,
    ) -> None:
        """``realtime=False`` (tests) reads files as fast as possible and never sheds frames;
        ``probe`` watches the node beside the metrics (a cluster shard's counters)."""
        self.site = site
        site.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = open_store(site.store.url)
        self.access = AccessService(self.store.engine, site.access, data_dir=site.data_dir)
        self.access.reseal_totp_secrets()  # plain (pre-0006) or old-key secrets; loads the key
        for cam in [*camera_info(site), *map(camera_entry, site.drones)]:  # passwords sealed
            self.store.upsert_camera(self.access.cameras.seal(cam))
        self.access.cameras.seal_all(self.store)  # rows from before sealing
        self.access.seed_agencies()
        self.blobs = open_blobs(site.blobs, site.data_dir)  # local files or an S3 bucket
        self.enrichment = Enrichment(site, self.store.engine)  # faces, attributes, ...
        self.faces: FaceServices | None = self.enrichment.state("faces")  # API: watchlists
        # durable consumers exist before anything is published: the store and the
        # operations centre (incidents) must not miss what the cameras produce at start
        # (and section control, when sections are configured: a group nobody reads would fill)
        durable = ["store", "ops", *(["plates"] if site.plate_data.enabled else [])]
        durable += ["section"] if site.sections else []
        durable += ["traffic"] if site.traffic.enabled else []
        durable += [INTEGRATIONS_GROUP] if Integrations.wants_events(site.integrations) else []
        groups = {"durable_groups": durable} if site.bus.type == "memory" else {}
        self.bus: Bus = create_bus(site.bus, **groups)
        self.metrics = Metrics()
        # traffic-light reports fed to this process reach the other processes' boards (and
        # theirs this one's); a process with cameras listens for its own only
        cams = [c.id for c in site.cameras] or None
        self.signals = SignalShare(self.bus, SIGNALS, cams)
        # a watchlist edited through any process reaches this one's face gallery
        self.gallery_share = (
            GalleryShare(self.bus, self.faces.gallery) if self.faces is not None else None
        )
        watch_blobs(self.metrics.registry, self.blobs.stats)  # S3: written, spooled, dropped
        self.sink = EventSink(
            self.bus.subscribe("store"),
            self.store,
            batch_size=site.store.batch_size,
            batch_wait_ms=site.store.batch_wait_ms,
            on_batch=lambda evs: self.metrics.events_stored(len(evs)),
        )
        # the operations centre: incidents from the "ops" group, routed and timed per site.ops
        self.incidents = OpsEngine(
            IncidentBook(self.access.engine, self.access.audit, site.ops), self.bus, self.store
        )
        # its changes pushed to the operators of every replica, theirs to this one's
        self.incident_share = IncidentShare(self.bus, self.incidents)
        # average speed between camera pairs, from plate reads (group "section")
        self.sections: SectionConsumer | None = (
            SectionConsumer(SectionControl(site.sections), self.bus) if site.sections else None
        )
        # plate reads into the store and plate watchlist hits onto the bus ("plates" group)
        self.plates: PlateData | None = (
            PlateData(self.store.engine, self.bus, site.plate_data)
            if site.plate_data.enabled else None
        )  # fmt: skip
        # traffic figures and OD trips from the "traffic" group (docs/traffic.md); OD
        # hashing keys are sealed with the access key ring
        self.traffic: TrafficConsumer | None = (
            TrafficConsumer(self.bus, self.store.engine, site.traffic,
                            lambda: self.access.totp_secrets.ring)
            if site.traffic.enabled else None
        )  # fmt: skip
        # devices (SOS buttons, fire panels ...): registry, MQTT / webhook gateway; None: none
        self.devices = DeviceServices.build(
            site, self.store, self.bus.publish, registry=self.metrics.registry,
            put_signal=SIGNALS.put,
        )  # fmt: skip
        self.clips, self.tap = self._frame_tap(site)
        self.archive_index = self._archive_index(site)  # forensic search (API)
        # the main streams to fMP4 segments (docs/recording.md); analysis keeps the sub streams
        self.recording: Recording | None = (
            Recording(site, self.store.engine, registry=self.metrics.registry,
                      audit=self.access.audit, realtime=realtime)
            if site.record.enabled else None
        )  # fmt: skip
        # playback, evidence exports, bookmarks and full-rate live view over the recording
        self.evidence: Evidence | None = None
        # an open incident keeps its camera's video from retention until it is closed; a
        # process that records nothing (an API replica) holds what the city's recorders keep
        self.incidents.listen(
            IncidentHolds(self.recording.holds) if self.recording is not None
            else IncidentHolds.of_recorders(self.store.engine, self.access.audit)
        )  # fmt: skip
        if self.recording is not None:
            self.evidence = Evidence(
                self.recording, self.store.engine, self.access.audit, Signer.load(site.data_dir),
                site.evidence, site.data_dir, faces=default_detector, site=site.site,
            )  # fmt: skip
        self.node = Node(
            site,
            detector or create_detector(site.detector),
            self.bus.publish,
            put_blob=self.blobs.put,
            probe=Probes(MetricsProbe(self.metrics, self.recording), *([probe] if probe else [])),
            tap=self.tap,
            enrichers_for=lambda cam: self.enrichment.for_camera(cam, self.blobs.put),
            realtime=realtime,
            violation_frames=self._violation_frames(site),
        )
        if self.devices is not None:  # an alarm's cameras and held video; commands to outputs
            self.devices.respond(
                self.incidents, self.bus, self.blobs, self.tap,
                None if self.recording is None else self.recording.holds,
            )  # fmt: skip
        # drones: moving cameras placed on the map by their telemetry (docs/drones.md)
        self.drones = DroneFleet(
            site.drones, lambda: detector or create_detector(site.detector), self.bus.publish,
            fps=site.analysis.fps, realtime=realtime,
        )  # fmt: skip
        # outbound webhooks, MQTT topics, CAP, ONVIF/PTZ (docs/integrations.md)
        self.integrations = Integrations(
            site.integrations, DeadLetters(self.store.engine), bus=self.bus,
            incidents=self.incidents, registry=self.metrics.registry, read_blob=self.blobs.get,
        )  # fmt: skip
        self.app: FastAPI = create_app(
            store=self.store,
            blobs=self.blobs,
            bus=self.bus,
            status=self._statuses,
            frames=self.tap,
            metrics=self.metrics,
            access=self.access,
            faces=default_detector,
            face_services=self.faces,
            incidents=self.incidents,
            archive_index=self.archive_index,
            evidence=self.evidence,
            signals=SIGNALS,
            plates=self.plates,
            device_webhook=None if self.devices is None else self.devices.webhook,
            devices=None if self.devices is None else self.devices.response,
            drones=self.drones.tracks if site.drones else None,
            integrations=self.integrations,
        )
        self._stop = threading.Event()
        self._purger = threading.Thread(target=self._purge_loop, name="purge", daemon=True)

    @staticmethod
    def _archive_index(site: SiteConfig) -> TrackIndex | None:
        """Forensic search reads the files the track-index plugin writes."""
        cfg = site.archive
        if not cfg.enabled:
            return None
        return TrackIndex(
            open_layout(cfg, site.data_dir), max_range=timedelta(days=cfg.max_range_days),
            max_cameras=cfg.max_cameras, threads=cfg.threads,
        )  # fmt: skip

    def _violation_frames(self, site: SiteConfig) -> ViolationFrames | None:
        """Full-resolution pictures before/at/after a violation (docs/violations.md), kept
        only where a camera has a rule that can raise one."""
        return ViolationFrames(self.blobs.put) if has_violation_rules(site) else None

    def _frame_tap(self, site: SiteConfig) -> tuple[ClipRecorder | None, FrameTap]:
        """Live view for the camera wall; clips only for events that start an incident
        (per the operations centre's grouping window) or route to high priority."""
        cfg = site.analysis.clips
        clips = None
        if cfg.enabled:
            clips = ClipRecorder(
                self.blobs.put, pre_s=cfg.pre_s, post_s=cfg.post_s,
                max_pre_bytes=int(cfg.max_pre_mb * (1 << 20)), policy=clip_policy(site),
            )  # fmt: skip
        return clips, FrameTap(site.analysis.live_fps, clips=clips)

    def _purge_loop(self) -> None:
        """Retention: expired events, snapshots and sessions go, hourly (audit is kept)."""
        delay = 60.0  # first pass soon after start, then hourly
        while not self._stop.wait(delay):
            delay = 3600.0
            try:
                stats = purge(
                    self.store.engine, self.site.access.retention, self.blobs.delete,
                    self.access.audit,
                )  # fmt: skip
                days = self.site.access.retention.snapshots_days
                # by key day folders: clips, and snapshots whose rows went (or never came)
                clips = 0 if days is None else self.blobs.purge_days("clips", days)
                snaps = 0 if days is None else self.blobs.purge_days("snapshots", days)
                log.info("retention purge", extra={"purged": str(stats), "clip_days": clips,
                                                   "snapshot_days": snaps})  # fmt: skip
                if self.faces is not None:
                    log.info("face retention purge", extra={"purged": self.faces.purge()})
                if self.plates is not None:
                    got = self.plates.purge(self.blobs.delete, self.access.audit).as_dict()
                    log.info("plate retention purge", extra={"purged": got})
            except Exception:
                log.exception("retention purge failed; will retry")

    def _statuses(self) -> list[Any]:
        statuses = self.node.statuses()
        self.metrics.observe_status(statuses)
        self.metrics.set_queue_depth("detector", self.node.queue_depth)
        return statuses

    def start(self) -> Service:
        self.sink.start()
        self.incidents.start()
        self.integrations.start()  # after the incident engine it listens to
        if self.sections is not None:
            self.sections.start()
        if self.plates is not None:
            self.plates.start()
        if self.traffic is not None:
            self.traffic.start()
        if self.clips is not None:
            self.clips.start()
        if self.recording is not None:
            self.recording.start()  # repairs what a killed process left first
        if self.evidence is not None:
            self.evidence.start()  # exports a previous process left unfinished
        if self.devices is not None:
            self.devices.start()
        self.node.start()
        self.drones.start()
        self._purger.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.node.stop()
        if self.devices is not None:
            self.devices.stop()
        self.drones.stop()
        if self.evidence is not None:
            self.evidence.close()
        if self.recording is not None:
            self.recording.stop()  # closes and indexes the segments being written
        self.tap.close()
        if self.clips is not None:
            self.clips.stop()
        self.enrichment.close()  # e.g. the track index writes the rows it buffered
        self.sink.stop(drain=True)
        if self.plates is not None:
            self.plates.stop()
        self.incidents.stop()
        self.integrations.stop()  # what is still queued for webhooks is not kept: see docs
        if self.sections is not None:
            self.sections.stop()
        if self.traffic is not None:
            self.traffic.stop()
        self.signals.close()
        self.incident_share.close()
        if self.gallery_share is not None:
            self.gallery_share.close()
        self.bus.close()
        if self.archive_index is not None:
            self.archive_index.close()
        self.blobs.close()  # S3: a few seconds to upload what an outage left in the spool
        self.store.close()
