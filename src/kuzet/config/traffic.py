"""Vehicle and traffic-violation rule models, and the scene's signals and road markings.

A *signal* is a traffic light the rules consult by name: read by colour from a box of
the picture, or fed by the junction's controller (HTTP today, MQTT later) into the
signal board. A *marking* is a painted polyline (a solid line) rules refer to by name.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Literal

from pydantic import Field, model_validator

from kuzet.config.scene_base import Point, _RuleBase, _Strict, _ZoneRule

VEHICLES = ["car", "bus", "truck", "motorcycle"]
SignalState = Literal["red", "amber", "green", "unknown"]
SIGNAL_STATES: tuple[SignalState, ...] = ("red", "amber", "green", "unknown")


def _vehicles() -> list[str]:
    return list(VEHICLES)


# ---------------------------------------------------------------- signals and markings
class HueRange(_Strict):
    """OpenCV hue (0-179) interval; ``lo > hi`` wraps round 0 (red)."""

    lo: int = Field(ge=0, le=179)
    hi: int = Field(ge=0, le=179)


class SignalConfig(_Strict):
    """A traffic light: its colour read from the picture, or its state from a controller."""

    name: str = Field(min_length=1)
    source: Literal["picture", "controller"] = "picture"
    box: tuple[float, float, float, float] | None = Field(
        None, description="picture: x1, y1, x2, y2 of the signal head (pixels)"
    )
    min_frames: int = Field(2, ge=1, description="picture: frames agreeing before a change")
    dark_hold_s: float = Field(
        1.2, ge=0, description="picture: a dark head keeps its last state this long (flashing)"
    )
    min_lit_fraction: float = Field(
        0.03, gt=0, le=1, description="picture: share of the box lit in one colour"
    )
    min_saturation: int = Field(90, ge=0, le=255)
    min_value: int = Field(150, ge=0, le=255, description="brightness of a lit lamp")
    red: list[HueRange] = Field(default_factory=lambda: [HueRange(lo=165, hi=10)])
    amber: list[HueRange] = Field(default_factory=lambda: [HueRange(lo=11, hi=35)])
    green: list[HueRange] = Field(default_factory=lambda: [HueRange(lo=40, hi=100)])
    stale_after_s: float | None = Field(
        None, gt=0, description="controller: no update this long makes the state unknown"
    )

    @model_validator(mode="after")
    def _box(self) -> SignalConfig:
        if self.source == "picture":
            if self.box is None:
                raise ValueError("box: a picture signal needs the signal head's box")
            x1, y1, x2, y2 = self.box
            if x2 - x1 < 2 or y2 - y1 < 2:
                raise ValueError("box: x2 > x1 and y2 > y1, at least 2 pixels each way")
        return self


class MarkingConfig(_Strict):
    """A painted line as a polyline in pixels (a solid line between lanes)."""

    name: str = Field(min_length=1)
    points: list[Point] = Field(min_length=2, description="polyline vertices, pixels")
    min_distance: float = Field(
        6.0, ge=0, description="pixels an anchor must be clear of the line on each side"
    )

    @model_validator(mode="after")
    def _length(self) -> MarkingConfig:
        pts = self.points
        if all(abs(a[0] - b[0]) + abs(a[1] - b[1]) < 1.0 for a, b in pairwise(pts)):
            raise ValueError("points: the polyline has no length (points repeated)")
        return self


# ---------------------------------------------------------------- vehicle rules
class StoppedVehicleRuleConfig(_ZoneRule):
    type: Literal["stopped_vehicle"] = "stopped_vehicle"
    classes: list[str] = Field(default_factory=_vehicles)
    still_radius: float = Field(6.0, gt=0, description="pixels the anchor may wander")
    min_duration_s: float = Field(30.0, gt=0)


class IllegalStoppingRuleConfig(StoppedVehicleRuleConfig):
    """Stopped in a no-stopping zone, during the schedule's hours when one is named."""

    type: Literal["illegal_stopping"] = "illegal_stopping"  # type: ignore[assignment]
    zone: str = Field(description="the no-stopping zone")
    min_duration_s: float = Field(60.0, gt=0)


class WrongWayRuleConfig(_ZoneRule):
    type: Literal["wrong_way"] = "wrong_way"
    classes: list[str] = Field(default_factory=_vehicles)
    direction: tuple[Point, Point] = Field(description="two points: the lane's allowed direction")
    min_speed: float = Field(20.0, gt=0, description="pixels/s below which heading is ignored")
    max_angle: float = Field(120.0, gt=90, le=180, description="degrees off the lane = wrong way")
    min_duration_s: float = Field(1.0, ge=0)


class SpeedingRuleConfig(_ZoneRule):
    type: Literal["speeding"] = "speeding"
    classes: list[str] = Field(default_factory=_vehicles)
    limit_kmh: float = Field(gt=0)
    min_duration_s: float = Field(0.6, ge=0, description="above the limit this long")
    box_jitter_px: float = Field(
        2.0, ge=0, description="standard deviation of the foot point per frame (pixels)"
    )
    beyond_uncertainty: bool = Field(
        False, description="count only when speed - uncertainty is above the limit"
    )


class BusLaneRuleConfig(_ZoneRule):
    """A vehicle of ``classes`` (not buses) in the bus lane for ``min_duration_s``."""

    type: Literal["bus_lane"] = "bus_lane"
    classes: list[str] = Field(default_factory=lambda: ["car", "truck", "motorcycle"])
    zone: str = Field(description="the bus lane")
    min_duration_s: float = Field(3.0, ge=0, description="in the lane this long (turning is not)")


class SolidLineRuleConfig(_RuleBase):
    """A track whose anchor crosses a solid marking, either way."""

    type: Literal["solid_line"] = "solid_line"
    classes: list[str] = Field(default_factory=_vehicles)
    marking: str = Field(description="marking name (a polyline of the scene)")
    forget_after_s: float = Field(3.0, ge=0, description="keep a lost track's side this long")


class _SignalRule(_RuleBase):
    classes: list[str] = Field(default_factory=_vehicles)
    signal: str = Field(description="signal name of the scene")
    line: str = Field(description="the stop line; its in_point lies on the junction side")
    grace_s: float = Field(
        0.0, ge=0, description="crossing this soon after red began is not counted"
    )
    forget_after_s: float = Field(5.0, ge=0, description="keep a lost track's side this long")


class RedLightRuleConfig(_SignalRule):
    """Crossing the stop line while red (and, with ``zone``, going on into the junction)."""

    type: Literal["red_light"] = "red_light"
    zone: str | None = Field(None, description="the junction; omitted: the crossing suffices")
    confirm_s: float = Field(5.0, gt=0, description="time to reach the junction zone")


class StopLineRuleConfig(_SignalRule):
    """Past the stop line on red and stopped there (in ``zone`` when one is named)."""

    type: Literal["stop_line"] = "stop_line"
    zone: str | None = Field(None, description="where stopping counts (e.g. the crosswalk)")
    still_radius: float = Field(6.0, gt=0, description="pixels the anchor may wander")
    min_duration_s: float = Field(1.0, ge=0, description="stopped beyond the line this long")


SIGNAL_RULES = (RedLightRuleConfig, StopLineRuleConfig)
