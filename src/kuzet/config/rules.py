"""Rule, zone, line and schedule models of a camera's scene.

Geometry is declared once per scene (named zones and lines, in frame pixels) and rules
refer to it by name, so twenty rules over one zone never drift apart. Each rule type is
one model in a discriminated union on ``type``; unknown fields are errors. The bases
live in :mod:`kuzet.config.scene_base`, vehicle and violation rules in
:mod:`kuzet.config.traffic`; everything is importable from here.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from kuzet.config.scene_base import (
    WEEKDAYS,
    CalibrationConfig,
    LineConfig,
    Point,
    ScheduleConfig,
    Weekday,
    WindowConfig,
    ZoneConfig,
    _RuleBase,
    _Strict,
    _ZoneRule,
)
from kuzet.config.traffic import (
    SIGNAL_RULES,
    BusLaneRuleConfig,
    IllegalStoppingRuleConfig,
    MarkingConfig,
    RedLightRuleConfig,
    SignalConfig,
    SolidLineRuleConfig,
    SpeedingRuleConfig,
    StopLineRuleConfig,
    StoppedVehicleRuleConfig,
    WrongWayRuleConfig,
)

__all__ = [
    "WEEKDAYS",
    "CalibrationConfig",
    "LineConfig",
    "MarkingConfig",
    "Point",
    "ScheduleConfig",
    "SignalConfig",
    "Weekday",
    "WindowConfig",
    "ZoneConfig",
    "_RuleBase",
    "_ZoneRule",
]


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
    | SmokeRuleConfig
    | IllegalStoppingRuleConfig
    | RedLightRuleConfig
    | StopLineRuleConfig
    | BusLaneRuleConfig
    | SolidLineRuleConfig,
    Field(discriminator="type"),
]


class SceneConfig(_Strict):
    """Everything the rules of one camera need: geometry, schedules, rules."""

    zones: list[ZoneConfig] = Field(default_factory=list)
    lines: list[LineConfig] = Field(default_factory=list)
    schedules: list[ScheduleConfig] = Field(default_factory=list)
    calibration: CalibrationConfig | None = None
    signals: list[SignalConfig] = Field(default_factory=list, description="traffic lights")
    markings: list[MarkingConfig] = Field(default_factory=list, description="solid lines")
    rules: list[SceneRuleConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> SceneConfig:
        for kind in ("zones", "lines", "schedules", "signals", "markings", "rules"):
            names = [x.name for x in getattr(self, kind)]
            dup = {n for n in names if names.count(n) > 1}
            if dup:
                raise ValueError(f"{kind}: name {sorted(dup)[0]!r} appears twice")
        zones = {z.name for z in self.zones}
        lines = {ln.name for ln in self.lines}
        schedules = {s.name for s in self.schedules}
        signals = {s.name for s in self.signals}
        markings = {m.name for m in self.markings}
        for i, r in enumerate(self.rules):
            where = f"rules[{i}] ({r.name})"
            zone = getattr(r, "zone", None)
            if zone is not None and zone not in zones:
                raise ValueError(f"{where}.zone: no zone named {zone!r}")
            for ex in getattr(r, "exclude", []):
                if ex not in zones:
                    raise ValueError(f"{where}.exclude: no zone named {ex!r}")
            if isinstance(r, (LineCrossingRuleConfig, *SIGNAL_RULES)) and r.line not in lines:
                known = ", ".join(sorted(lines)) or "none declared"
                raise ValueError(f"{where}.line: no line named {r.line!r} (lines: {known})")
            if isinstance(r, SIGNAL_RULES) and r.signal not in signals:
                known = ", ".join(sorted(signals)) or "none declared"
                raise ValueError(f"{where}.signal: no signal named {r.signal!r} (signals: {known})")
            if isinstance(r, SolidLineRuleConfig) and r.marking not in markings:
                known = ", ".join(sorted(markings)) or "none declared"
                raise ValueError(
                    f"{where}.marking: no marking named {r.marking!r} (markings: {known})"
                )
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
            if (
                isinstance(r, (LineCrossingRuleConfig, SolidLineRuleConfig, *SIGNAL_RULES))
                and r.forget_after_s + 1e-6 < period
            ):
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
