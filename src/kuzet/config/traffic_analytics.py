"""Site config of traffic analytics (docs/traffic.md): lanes, approaches, OD, forecast.

Lanes are zones of a camera's scene (``rules: - type: scene``) named here, so the
geometry and the calibration (homography to metres) are declared once, where the
speeding rule already reads them. Approaches group lanes and name the road segment
a forecast is made for.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kuzet.config.rules import Point, SceneConfig

VEHICLES = ["car", "truck", "bus", "motorcycle", "bicycle"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LaneConfig(_Strict):
    name: str = Field(min_length=1)
    zone: str = Field(min_length=1, description="zone of the camera's scene that is this lane")
    head: Point | None = Field(
        None,
        description="image point at the lane's stop line: queue metres are measured from it "
        "(needs the scene's calibration)",
    )


class ApproachConfig(_Strict):
    name: str = Field(min_length=1)
    segment: str | None = Field(
        None, description="road segment the forecast is for; '<camera>/<approach>' when omitted"
    )
    lanes: list[LaneConfig] = Field(min_length=1)


class TrafficCameraConfig(_Strict):
    camera: str = Field(min_length=1, description="camera id")
    scene: str = Field("scene", description="name of the camera's scene that holds the zones")
    approaches: list[ApproachConfig] = Field(min_length=1)


class OdConfig(_Strict):
    """Origin-destination by plate: plates are HMAC-hashed with a key that rotates."""

    enabled: bool = True
    key_period_s: int = Field(
        86400, ge=3600, description="a new hashing key each period (UTC); trips never link across"
    )
    max_trip_s: float = Field(3600.0, gt=0, description="longer gaps are not one trip")
    bin_s: int = Field(900, ge=60, description="OD matrix time bin (by arrival)")


class TrafficConfig(_Strict):
    enabled: bool = Field(False, description="per-lane counts, speed, occupancy, queue; OD")
    classes: list[str] = Field(default_factory=lambda: list(VEHICLES), min_length=1)
    min_frames: int = Field(2, ge=1, description="frames in a lane before a vehicle counts")
    stop_speed_kmh: float = Field(5.0, gt=0, description="slower is stopped (queue)")
    stop_speed_px_s: float = Field(15.0, gt=0, description="the same without a calibration")
    max_gap_s: float = Field(
        6.0, gt=0, description="longer gaps between analysed frames are unobserved time"
    )
    lost_after_s: float = Field(3.0, gt=0, description="a track unseen this long has left")
    keep_days: int = Field(
        400, ge=1, description="lane figures and OD trips older than this are deleted"
    )
    cameras: list[TrafficCameraConfig] = Field(default_factory=list)
    od: OdConfig = Field(default_factory=OdConfig)

    @model_validator(mode="after")
    def _unique(self) -> TrafficConfig:
        cams = [c.camera for c in self.cameras]
        dup = {c for c in cams if cams.count(c) > 1}
        if dup:
            raise ValueError(f"cameras: camera {sorted(dup)[0]!r} appears twice")
        for i, c in enumerate(self.cameras):
            names = [a.name for a in c.approaches]
            lanes = [ln.name for a in c.approaches for ln in a.lanes]
            for kind, vals in (("approach", names), ("lane", lanes)):
                d = {n for n in vals if vals.count(n) > 1}
                if d:
                    raise ValueError(f"cameras[{i}] ({c.camera}): {kind} {sorted(d)[0]!r} twice")
        return self

    def problems(self, scenes: dict[str, list[SceneConfig]]) -> list[str]:
        """What refers to nothing: unknown cameras, scenes, zones (``scenes`` by camera id)."""
        out = []
        for i, c in enumerate(self.cameras):
            where = f"traffic.cameras[{i}]"
            if c.camera not in scenes:
                out.append(f"{where}.camera: no camera with id {c.camera!r}")
                continue
            scene = next((s for s in scenes[c.camera] if getattr(s, "name", "") == c.scene), None)
            if scene is None:
                out.append(f"{where}.scene: camera {c.camera!r} has no scene named {c.scene!r}")
                continue
            zones = {z.name for z in scene.zones}
            for j, a in enumerate(c.approaches):
                for k, ln in enumerate(a.lanes):
                    if ln.zone not in zones:
                        out.append(f"{where}.approaches[{j}].lanes[{k}].zone: no zone {ln.zone!r}")
        return out
