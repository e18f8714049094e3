"""Rule, zone, line and schedule models of a camera's scene.

Geometry is declared once per scene (named zones and lines, in frame pixels) and rules
refer to it by name, so twenty rules over one zone never drift apart. Each rule type is
one model in a discriminated union on ``type``; unknown fields are errors.
"""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Point = tuple[float, float]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _area(points: list[Point]) -> float:
    s = 0.0
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
        s += x1 * y2 - x2 * y1
    return abs(s) / 2


# ---------------------------------------------------------------- geometry
class ZoneConfig(_Strict):
    """A polygon in frame pixels (a zone, a lane, a bin area, an exclusion mask)."""

    name: str = Field(min_length=1)
    points: list[Point] = Field(min_length=3, description="polygon vertices, pixels")

    @field_validator("points")
    @classmethod
    def _not_flat(cls, v: list[Point]) -> list[Point]:
        if _area(v) < 1.0:
            raise ValueError("zone polygon has no area (points collinear or repeated)")
        return v


class LineConfig(_Strict):
    """A counting line: segment A-B; crossing towards ``in_point``'s side counts as 'in'."""

    name: str = Field(min_length=1)
    points: tuple[Point, Point] = Field(description="segment end points A, B (pixels)")
    in_point: Point = Field(description="any point on the 'in' side of the line")
    min_distance: float = Field(
        8.0, ge=0, description="pixels an anchor must be past the line on each side (anti-flicker)"
    )

    @model_validator(mode="after")
    def _valid(self) -> LineConfig:
        (ax, ay), (bx, by) = self.points
        length = ((bx - ax) ** 2 + (by - ay) ** 2) ** 0.5
        if length < 1.0:
            raise ValueError("points: line end points must differ")
        px, py = self.in_point
        if abs((bx - ax) * (py - ay) - (by - ay) * (px - ax)) / length < 1.0:
            raise ValueError("in_point: must lie off the line, on its 'in' side")
        return self


class WindowConfig(_Strict):
    """Weekly window; ``end <= start`` runs past midnight into the next day."""

    days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS), min_length=1)
    start: time = time(0, 0)
    end: time = time(0, 0)


class ScheduleConfig(_Strict):
    """When rules using it are armed, in the city's local time."""

    name: str = Field(min_length=1)
    timezone: str = Field("Asia/Almaty", description="IANA time zone of the windows")
    windows: list[WindowConfig] = Field(default_factory=list)
    holidays: list[date] = Field(default_factory=list)
    on_holidays: Literal["active", "inactive", "weekly"] = Field(
        "active", description="holidays armed all day, never, or like an ordinary weekday"
    )

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r} (IANA name, e.g. Asia/Almaty)") from None
        return v


class CalibrationConfig(_Strict):
    """Four image points and where they are on the ground (metres): a homography."""

    image_points: list[Point] = Field(min_length=4, max_length=4)
    world_points: list[Point] = Field(min_length=4, max_length=4)

    @model_validator(mode="after")
    def _non_degenerate(self) -> CalibrationConfig:
        for field in ("image_points", "world_points"):
            pts: list[Point] = getattr(self, field)
            for i in range(4):
                tri = [pts[j] for j in range(4) if j != i]
                if _area(tri) < 1e-3:
                    raise ValueError(f"{field}: three of the four points are collinear")
        return self


# ---------------------------------------------------------------- rules
class _RuleBase(_Strict):
    name: str = Field(min_length=1, description="unique per scene; events carry it")
    classes: list[str] = Field(default_factory=lambda: ["person"], min_length=1)
    min_score: float = Field(0.3, ge=0, le=1)
    min_width: float = Field(0.0, ge=0, description="ignore boxes narrower (pixels)")
    min_height: float = Field(0.0, ge=0, description="ignore boxes lower (pixels)")
    schedule: str | None = Field(None, description="schedule name; always armed when omitted")
    cooldown_s: float = Field(0.0, ge=0, description="quiet time after an event")
    dedup: Literal["track", "rule"] = Field(
        "track", description="cooldown per track, or one cooldown for the whole rule"
    )
    anchor: Literal["bottom_center", "center"] = "bottom_center"


class _ZoneRule(_RuleBase):
    zone: str | None = Field(None, description="zone name; the whole frame when omitted")
    min_frames: int = Field(2, ge=1, description="consecutive frames inside before it counts")
    exit_after_s: float = Field(2.0, ge=0, description="absence tolerated before 'end'")


class IntrusionRuleConfig(_ZoneRule):
    type: Literal["intrusion"] = "intrusion"


class LoiteringRuleConfig(_ZoneRule):
    type: Literal["loitering"] = "loitering"
    min_dwell_s: float = Field(30.0, gt=0, description="time in zone before 'start'")


class CrowdRuleConfig(_ZoneRule):
    type: Literal["crowd"] = "crowd"
    min_count: int = Field(5, ge=1)
    min_duration_s: float = Field(5.0, ge=0)
    min_frames: int = 1


class LineCrossingRuleConfig(_RuleBase):
    type: Literal["line_crossing"] = "line_crossing"
    line: str
    directions: Literal["in", "out", "both"] = "both"
    forget_after_s: float = Field(5.0, ge=0, description="keep a lost track's side this long")


class StoppedVehicleRuleConfig(_ZoneRule):
    type: Literal["stopped_vehicle"] = "stopped_vehicle"
    classes: list[str] = Field(default_factory=lambda: ["car", "bus", "truck", "motorcycle"])
    still_radius: float = Field(6.0, gt=0, description="pixels the anchor may wander")
    min_duration_s: float = Field(30.0, gt=0)


class WrongWayRuleConfig(_ZoneRule):
    type: Literal["wrong_way"] = "wrong_way"
    classes: list[str] = Field(default_factory=lambda: ["car", "bus", "truck", "motorcycle"])
    direction: tuple[Point, Point] = Field(description="two points: the lane's allowed direction")
    min_speed: float = Field(20.0, gt=0, description="pixels/s below which heading is ignored")
    max_angle: float = Field(120.0, gt=90, le=180, description="degrees off the lane = wrong way")
    min_duration_s: float = Field(1.0, ge=0)


class SpeedingRuleConfig(_ZoneRule):
    type: Literal["speeding"] = "speeding"
    classes: list[str] = Field(default_factory=lambda: ["car", "bus", "truck", "motorcycle"])
    limit_kmh: float = Field(gt=0)
    min_duration_s: float = Field(0.6, ge=0, description="above the limit this long")


class AbandonedObjectRuleConfig(_ZoneRule):
    type: Literal["abandoned_object"] = "abandoned_object"
    classes: list[str] = Field(default_factory=lambda: ["backpack", "handbag", "suitcase"])
    min_still_s: float = Field(30.0, gt=0)
    still_radius: float = Field(10.0, gt=0)
    owner_radius: float = Field(150.0, ge=0, description="no person closer than this (pixels)")
    static_fallback: bool = Field(True, description="also watch static foreground blobs")
    min_area: float = Field(400.0, gt=0, description="pixels of a static blob")


class ObjectRemovedRuleConfig(_ZoneRule):
    type: Literal["object_removed"] = "object_removed"
    classes: list[str] = Field(default_factory=lambda: ["backpack", "handbag", "suitcase"])
    min_present_s: float = Field(30.0, gt=0, description="how long it stood before it counts")
    still_radius: float = Field(10.0, gt=0)
    static_fallback: bool = True
    min_area: float = Field(400.0, gt=0)


class IllegalDumpRuleConfig(_ZoneRule):
    type: Literal["illegal_dump"] = "illegal_dump"
    classes: list[str] = Field(
        default_factory=lambda: ["suitcase", "couch", "chair", "bed", "refrigerator", "tv"]
    )
    zone: str = Field(description="the no-dumping zone")
    min_still_s: float = Field(120.0, gt=0)
    min_area: float = Field(400.0, gt=0)


class BinOverflowRuleConfig(_ZoneRule):
    type: Literal["bin_overflow"] = "bin_overflow"
    zone: str = Field(description="ground around the bins")
    threshold: float = Field(0.25, gt=0, le=1, description="static foreground fraction")
    min_duration_s: float = Field(60.0, ge=0)


class FightRuleConfig(_ZoneRule):
    type: Literal["fight"] = "fight"
    proximity: float = Field(1.0, gt=0, description="centre distance / mean box height")
    threshold: float = Field(0.18, gt=0, le=1, description="violence score that counts")
    min_duration_s: float = Field(1.0, ge=0)


class _FireBase(_ZoneRule):
    classes: list[str] = Field(default_factory=lambda: ["fire"])
    exclude: list[str] = Field(default_factory=list, description="zones never considered")
    model: str | None = Field(None, description="ONNX model path; the classical method if None")
    model_labels: list[str] = Field(default_factory=lambda: ["fire", "smoke"])
    confirm_frames: int = Field(4, ge=1, description="positive frames of the last window")
    window: int = Field(6, ge=1)
    min_area: float = Field(150.0, gt=0, description="pixels at analysis width 320")


class FireRuleConfig(_FireBase):
    type: Literal["fire"] = "fire"


class SmokeRuleConfig(_FireBase):
    type: Literal["smoke"] = "smoke"
    classes: list[str] = Field(default_factory=lambda: ["smoke"])


SceneRuleConfig = Annotated[
    IntrusionRuleConfig
    | LoiteringRuleConfig
    | CrowdRuleConfig
    | LineCrossingRuleConfig
    | StoppedVehicleRuleConfig
    | WrongWayRuleConfig
    | SpeedingRuleConfig
    | AbandonedObjectRuleConfig
    | ObjectRemovedRuleConfig
    | IllegalDumpRuleConfig
    | BinOverflowRuleConfig
    | FightRuleConfig
    | FireRuleConfig
    | SmokeRuleConfig,
    Field(discriminator="type"),
]


class SceneConfig(_Strict):
    """Everything the rules of one camera need: geometry, schedules, rules."""

    zones: list[ZoneConfig] = Field(default_factory=list)
    lines: list[LineConfig] = Field(default_factory=list)
    schedules: list[ScheduleConfig] = Field(default_factory=list)
    calibration: CalibrationConfig | None = None
    rules: list[SceneRuleConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> SceneConfig:
        for kind in ("zones", "lines", "schedules", "rules"):
            names = [x.name for x in getattr(self, kind)]
            dup = {n for n in names if names.count(n) > 1}
            if dup:
                raise ValueError(f"{kind}: name {sorted(dup)[0]!r} appears twice")
        zones = {z.name for z in self.zones}
        lines = {ln.name for ln in self.lines}
        schedules = {s.name for s in self.schedules}
        for i, r in enumerate(self.rules):
            where = f"rules[{i}] ({r.name})"
            zone = getattr(r, "zone", None)
            if zone is not None and zone not in zones:
                raise ValueError(f"{where}.zone: no zone named {zone!r}")
            for ex in getattr(r, "exclude", []):
                if ex not in zones:
                    raise ValueError(f"{where}.exclude: no zone named {ex!r}")
            if isinstance(r, LineCrossingRuleConfig) and r.line not in lines:
                raise ValueError(f"{where}.line: no line named {r.line!r}")
            if r.schedule is not None and r.schedule not in schedules:
                raise ValueError(f"{where}.schedule: no schedule named {r.schedule!r}")
            if isinstance(r, SpeedingRuleConfig) and self.calibration is None:
                raise ValueError(f"{where}: speeding needs the scene's calibration")
        return self

    def frame_problems(self, fps: float, step: int = 1) -> list[tuple[int, str]]:
        """(rule index, message) of settings that cannot work when frames come ``step`` / ``fps``
        seconds apart: a line that forgets a track's side between two frames never counts."""
        period = step / fps
        out = []
        for i, r in enumerate(self.rules):
            if isinstance(r, LineCrossingRuleConfig) and r.forget_after_s + 1e-6 < period:
                out.append((i, (
                    f"forget_after_s: {r.forget_after_s:g} s is shorter than one frame "
                    f"({period:g} s at {fps:g} fps): the line would never count"
                )))  # fmt: skip
        return out


class SceneRuleSetConfig(SceneConfig):
    """A camera's scene as one entry of its ``rules`` list (``type: scene``)."""

    type: Literal["scene"] = "scene"
    name: str = Field("scene", min_length=1)

    @field_validator("type", mode="before")
    @classmethod
    def _removed(cls, v: object) -> object:
        if v == "zone_presence":
            raise ValueError(
                "zone_presence was removed: use `type: scene` with an `intrusion` rule "
                "(a zone, or none for the whole frame; docs/rules.md)"
            )
        return v


RuleConfig = SceneRuleSetConfig
"""What a camera's ``rules`` list holds: scenes (one engine for every rule type)."""
