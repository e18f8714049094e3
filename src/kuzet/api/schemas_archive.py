"""Response bodies of the forensic search routes (``/api/archive/...``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class CrossingOut(BaseModel):
    at: datetime
    direction: Literal["in", "out"]


class TrackOut(BaseModel):
    """One track (or one piece of a long one) of the index."""

    ref: str = Field(description="camera:start_us:track:part; names the row in other routes")
    camera_id: str
    track_id: int
    part: int = Field(description="0, or the piece of a track cut at max_span_s / midnight")
    class_name: str
    start: datetime
    end: datetime
    duration_s: float
    at: datetime = Field(
        description="open playback here: the crossing / entry of a line or zone search, the"
        " matched face's time of a face search, else the start"
    )
    score: float = Field(description="mean detector confidence")
    frames: int = Field(description="analysed frames the track was seen on")
    frame_w: int = Field(description="analysed picture size: trajectories and lines use it")
    frame_h: int
    attributes: dict[str, str] = Field(
        description="upper_colour, lower_colour, carried_bag; gender, age_band (biometric"
        " clearance); plate (plate clearance); vehicle_colour, vehicle_type, vehicle_make,"
        " vehicle_model; only those known"
    )
    snapshot_url: str | None = Field(description="best look at the object (JPEG)")
    crossings: list[CrossingOut] | None = None
    face_score: float | None = None
    trajectory: list[tuple[int, int, int]] | None = Field(
        None, description="[x, y, ms from start], the anchor (bottom centre), when asked"
    )


class TrackPageOut(BaseModel):
    items: list[TrackOut]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page")
    cameras: int | None = Field(description="cameras searched; null = every camera")
    files: int = Field(description="index files opened (a cost figure)")


class FrameSize(BaseModel):
    width: int
    height: int


class ArchiveInfo(BaseModel):
    """What the search screen needs to build its filters."""

    attributes: list[str] = Field(description="attribute keys you may filter on")
    max_range_days: float
    max_limit: int
    directions: list[str] = ["in", "out", "both"]
    zone_modes: list[str] = ["enter", "inside"]
    frame: FrameSize | None = Field(
        None,
        description="with `camera_id`: the picture size its stored tracks were analysed at"
        " (lines and zones are given in these pixels); null when none is stored",
    )
