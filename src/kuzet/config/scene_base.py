"""What every scene rule model builds on: geometry, schedules, calibration, rule bases.

Split from :mod:`kuzet.config.rules` (which re-exports all of it) so rule families of
their own modules (traffic violations) can share the bases without an import cycle.
"""

from __future__ import annotations

from datetime import date, time
from typing import Literal
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

    name: str | None = Field(None, description="survey name/id, carried on speed violations")
    image_points: list[Point] = Field(min_length=4, max_length=4)
    world_points: list[Point] = Field(min_length=4, max_length=4)
    point_error_m: float = Field(
        0.1, ge=0, description="standard error of each surveyed ground point (metres)"
    )
    point_error_px: float = Field(
        1.0, ge=0, description="standard error of each clicked image point (pixels)"
    )

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
