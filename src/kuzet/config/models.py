"""Pydantic models of a site file. Pluggable parts are discriminated unions on ``type``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ByteSize, ConfigDict, Field, model_validator

from kuzet.config.access import AccessConfig
from kuzet.config.archive import ArchiveConfig
from kuzet.config.blobs import BlobsConfig, LocalBlobsConfig
from kuzet.config.devices import DeviceConfig, DeviceGatewayConfig, check_devices
from kuzet.config.drones import DroneConfig
from kuzet.config.evidence import EvidenceConfig
from kuzet.config.faces import FacesConfig
from kuzet.config.integrations import IntegrationsConfig
from kuzet.config.ops import OpsConfig
from kuzet.config.platedata import PlateDataConfig
from kuzet.config.plates import PlatesConfig
from kuzet.config.record import RecordConfig
from kuzet.config.rules import RuleConfig
from kuzet.config.section import SectionConfig, check_sections
from kuzet.config.traffic_analytics import TrafficConfig
from kuzet.config.vehicles import VehiclesConfig


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CameraCategory(StrEnum):
    PUBLIC_SAFETY = "public_safety"
    TRAFFIC = "traffic"
    TAZA_KAZAKHSTAN = "taza_kazakhstan"
    SAFE_YARD = "safe_yard"
    SCHOOL = "school"
    KINDERGARTEN = "kindergarten"
    HOSPITAL = "hospital"
    INFRASTRUCTURE = "infrastructure"


# ---------------------------------------------------------------- detectors
# COCO classes a detector confuses on one object (NanoDet on real photos: car + truck on
# one SUV, sheep + dog + cow on one box at 320; docs/vision.md). Person is in no group: a
# rider's box on a horse is a second object, not a duplicate.
DEFAULT_CLASS_GROUPS: tuple[tuple[str, ...], ...] = (
    ("car", "truck", "bus", "train"),
    ("bicycle", "motorcycle"),
    ("bird", "cat", "dog", "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe"),
)


class CrossClassNmsConfig(_Strict):
    """Suppression of near-duplicate boxes across confusable classes, after per-class NMS.

    Per-class NMS lets one animal be both "horse" and "cow", so counting rules count it
    twice; within a group only the best-scoring of such boxes is kept.
    """

    enabled: bool = True
    iou_threshold: float = Field(
        0.7, gt=0, le=1, description="boxes of one group overlapping more than this are one object"
    )
    groups: list[list[str]] = Field(
        default_factory=lambda: [list(g) for g in DEFAULT_CLASS_GROUPS],
        description="class names that may describe the same object",
    )


class _DetectorBase(_Strict):
    score_threshold: float = Field(0.35, ge=0, le=1, description="drop boxes below this")
    iou_threshold: float = Field(0.5, ge=0, le=1, description="NMS overlap threshold")
    threads: int = Field(0, ge=0, description="ONNX Runtime intra-op threads; 0 = all cores")
    providers: list[str] | Literal["auto"] = Field(
        "auto", description="ONNX Runtime execution providers, or 'auto' to pick the best"
    )
    max_batch: int = Field(4, ge=1, le=64, description="frames of several cameras per call")
    cross_class_nms: CrossClassNmsConfig = Field(default_factory=CrossClassNmsConfig)
    runtime: Literal["auto", "onnxruntime", "openvino"] = Field(
        "auto", description="inference runtime; auto: chosen for this CPU at start-up"
    )
    precision: Literal["auto", "fp32", "bf16", "int8"] = Field(
        "auto", description="auto: bf16 where the CPU has it (OpenVINO), else fp32"
    )
    device: Literal["cpu", "gpu"] = Field(
        "cpu", description="gpu: ONNX Runtime CUDA/TensorRT providers or OpenVINO GPU"
    )

    @model_validator(mode="after")
    def _runtime_precision(self) -> _DetectorBase:
        if self.runtime == "onnxruntime" and self.precision == "bf16":
            raise ValueError(
                "precision 'bf16' runs on runtime 'openvino' only; set runtime: openvino or auto"
            )
        if self.device == "gpu" and self.precision == "int8":
            raise ValueError("precision 'int8' is a CPU path; on device gpu use auto or fp32")
        return self


class NanoDetConfig(_DetectorBase):
    """The default 80-class COCO NanoDet, converted from the TF.js graph at pull time."""

    type: Literal["nanodet"] = "nanodet"
    model: str = Field("nanodet", description="catalog name or path to a converted .onnx")
    input_size: int = Field(416, ge=64, le=1280, multiple_of=32)


class CenterNetConfig(_DetectorBase):
    """MB3-CenterNet (COCO-80) of the same npm package as NanoDet, converted at pull time."""

    type: Literal["centernet"] = "centernet"
    model: str = Field("centernet", description="catalog name or path to a converted .onnx")
    input_size: int = Field(512, ge=64, le=1280, multiple_of=32)


class YoloConfig(_DetectorBase):
    """A user's YOLO-family ONNX (v5 / v8 / v11 output layouts)."""

    type: Literal["yolo"] = "yolo"
    model: Path = Field(description="path to the .onnx file")
    layout: Literal["auto", "v5", "v8"] = Field(
        "auto", description="v5: [1,N,5+C] with objectness; v8/v11: [1,4+C,N]"
    )
    labels: list[str] | None = Field(None, description="class names; COCO when omitted")
    input_size: int | None = Field(None, description="taken from the model when omitted")


DetectorConfig = Annotated[
    NanoDetConfig | CenterNetConfig | YoloConfig, Field(discriminator="type")
]


# ---------------------------------------------------------------- bus
class MemoryBusConfig(_Strict):
    """In-process bus: the embedded default, nothing to run."""

    type: Literal["memory"] = "memory"
    max_pending: int = Field(100_000, ge=1, description="bounded queue per subscriber")


class NatsBusConfig(_Strict):
    """NATS JetStream: durable, shared by all nodes of a city deployment."""

    type: Literal["nats"] = "nats"
    servers: list[str] = Field(default_factory=lambda: ["nats://127.0.0.1:4222"])
    stream: str = "KUZET"
    subject_prefix: str = "kuzet.events"
    durable: str = "kuzet-store"
    # the stream's limits, applied when Kuzet creates the stream and updated (logged) when
    # it exists with others: an unlimited stream keeps every event ever published
    max_age_s: float | None = Field(
        7 * 86400.0,
        gt=0,
        description="events older than this leave the stream (null: kept forever); every "
        "durable group (sink, incidents) must catch up within it or miss them",
    )
    max_bytes: ByteSize | None = Field(
        None, gt=0, description="stream size cap, e.g. '50GiB' (null: no cap; see capacity.md)"
    )
    replicas: int = Field(1, ge=1, le=5, description="copies on a NATS cluster (1: one server)")
    duplicate_window_s: float = Field(
        120.0, gt=0, description="a re-publish of an event id within this is dropped"
    )
    discard: Literal["old", "new"] = Field(
        "old",
        description="at a limit: 'old' drops the oldest events, 'new' refuses new ones "
        "(publishers then retry until room is made)",
    )

    @model_validator(mode="after")
    def _window_within_age(self) -> NatsBusConfig:
        if self.max_age_s is not None and self.duplicate_window_s > self.max_age_s:
            raise ValueError(
                f"duplicate_window_s ({self.duplicate_window_s}) must not exceed "
                f"max_age_s ({self.max_age_s})"
            )
        return self


BusConfig = Annotated[MemoryBusConfig | NatsBusConfig, Field(discriminator="type")]


# ---------------------------------------------------------------- store
class StoreConfig(_Strict):
    url: str = Field(
        "sqlite:///var/kuzet.db",
        description="SQLAlchemy URL; sqlite:///... (default) or postgresql+psycopg://...",
    )
    batch_size: int = Field(1000, ge=1, description="events per store transaction")
    batch_wait_ms: int = Field(50, ge=0, description="longest wait to fill a batch")


# ---------------------------------------------------------------- rules: see config/rules.py


# ---------------------------------------------------------------- analysis
class MotionConfig(_Strict):
    enabled: bool = True
    width: int = Field(160, ge=32, description="grey frame width the gate works on")
    threshold: float = Field(
        0.002, ge=0, le=1, description="moving fraction of the frame that opens the gate"
    )
    refresh_s: float = Field(5.0, ge=0, description="run the detector at least this often")
    idle_after_s: float = Field(30.0, ge=0, description="no motion this long: keyframes only")


class ClipConfig(_Strict):
    """Event clips (see docs/ui.md): the seconds around an event as MP4, for the events
    that start an incident or have high priority only, to bound CPU and disk."""

    enabled: bool = True
    pre_s: float = Field(10.0, ge=0, le=60, description="seconds kept before the event")
    post_s: float = Field(5.0, ge=0, le=60, description="seconds recorded after it")
    max_pre_mb: float = Field(8.0, gt=0, description="pre-roll memory per camera")


class AnalysisConfig(_Strict):
    fps: float = Field(5.0, gt=0, le=60, description="frames analysed per second per camera")
    motion: MotionConfig = Field(default_factory=MotionConfig)
    snapshot_quality: int = Field(85, ge=10, le=100)
    live_fps: float = Field(
        4.0, gt=0, le=30, description="annotated frames per second for the live view and clips"
    )
    clips: ClipConfig = Field(default_factory=ClipConfig)


# ---------------------------------------------------------------- cameras
class CameraConfig(_Strict):
    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str | None = None
    category: CameraCategory = CameraCategory.PUBLIC_SAFETY
    district: str | None = None
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    direction_deg: float | None = Field(
        None, ge=0, le=360, description="view direction on the map, degrees clockwise from north"
    )
    fov_deg: float | None = Field(None, gt=0, le=360, description="horizontal field of view")
    main_url: str = Field(min_length=1, description="file path, rtsp://, http(s)://")
    sub_url: str | None = Field(None, description="low-resolution stream used for analysis")
    loop: bool = Field(False, description="replay a file source forever (demo footage)")
    enabled: bool = True
    fps: float | None = Field(None, gt=0, le=60, description="overrides analysis.fps")
    rules: list[RuleConfig] = Field(default_factory=list)

    @property
    def analysis_url(self) -> str:
        return self.sub_url or self.main_url


class ApiConfig(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)


class SiteConfig(_Strict):
    site: str = "kuzet"
    data_dir: Path = Field(Path("var"), description="snapshots, database, models cache")
    detector: DetectorConfig = Field(default_factory=NanoDetConfig)
    bus: BusConfig = Field(default_factory=MemoryBusConfig)
    store: StoreConfig = Field(default_factory=StoreConfig)
    api: ApiConfig = Field(default_factory=ApiConfig)
    access: AccessConfig = Field(default_factory=AccessConfig)
    faces: FacesConfig = Field(default_factory=FacesConfig)
    plates: PlatesConfig = Field(
        default_factory=PlatesConfig, description="licence-plate reading on vehicle tracks"
    )
    plate_data: PlateDataConfig = Field(
        default_factory=PlateDataConfig,
        description="plate reads in the store: retention, search, plate watchlists",
    )
    archive: ArchiveConfig = Field(
        default_factory=ArchiveConfig, description="track index for forensic search"
    )
    analysis: AnalysisConfig = Field(default_factory=AnalysisConfig)
    ops: OpsConfig = Field(
        default_factory=OpsConfig,
        description="operations centre: routing of events to agencies, SLA, grouping",
    )
    blobs: BlobsConfig = Field(
        default_factory=LocalBlobsConfig,
        description="snapshots, clips and pictures: files under data_dir, or an S3 bucket",
    )
    record: RecordConfig = Field(
        default_factory=RecordConfig,
        description="recording of the main streams: modes, retention, volumes (local, S3)",
    )
    evidence: EvidenceConfig = Field(
        default_factory=EvidenceConfig, description="playback and evidence export limits"
    )
    vehicles: VehiclesConfig = Field(
        default_factory=VehiclesConfig, description="vehicle colour, type and make/model"
    )
    traffic: TrafficConfig = Field(
        default_factory=TrafficConfig,
        description="traffic analytics: lanes, counts, OD by hashed plate (docs/traffic.md)",
    )
    integrations: IntegrationsConfig = Field(
        default_factory=IntegrationsConfig,
        description="outbound webhooks, MQTT topics, CAP messages, ONVIF cameras",
    )
    cameras: list[CameraConfig] = Field(default_factory=list)
    sections: list[SectionConfig] = Field(
        default_factory=list, description="average-speed sections between two cameras"
    )
    devices: list[DeviceConfig] = Field(
        default_factory=list, description="SOS buttons, fire panels, doors, sirens ..."
    )
    device_gateway: DeviceGatewayConfig = Field(
        default_factory=DeviceGatewayConfig, description="MQTT and webhook input of devices"
    )
    drones: list[DroneConfig] = Field(
        default_factory=list, description="drones: moving cameras placed by telemetry"
    )

    @model_validator(mode="after")
    def _unique_ids(self) -> SiteConfig:
        seen: set[str] = set()
        for cam in self.cameras:
            if cam.id in seen:
                raise ValueError(f"camera id {cam.id!r} appears twice")
            seen.add(cam.id)
        check_sections(self.sections, seen)
        check_devices(self.devices, seen, {c.value for c in CameraCategory})
        drones: set[str] = set()
        for d in self.drones:
            if d.id in drones:
                raise ValueError(f"drone id {d.id!r} appears twice")
            if d.id in seen:
                raise ValueError(f"drones.{d.id}: a fixed camera has that id already")
            if d.category not in {c.value for c in CameraCategory}:
                raise ValueError(f"drones.{d.id}.category: unknown category {d.category!r}")
            drones.add(d.id)
        for cid in self.record.cameras:
            if cid not in seen:
                raise ValueError(f"record.cameras.{cid}: no camera with that id")
        categories = {c.value for c in CameraCategory}
        for cat in self.record.categories:
            if cat not in categories:
                raise ValueError(
                    f"record.categories.{cat}: unknown category "
                    f"(one of {', '.join(sorted(categories))})"
                )
        problems = self.traffic.problems({c.id: list(c.rules) for c in self.cameras})
        if problems:
            raise ValueError(problems[0])
        return self
