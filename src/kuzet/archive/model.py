"""What a track search asks and answers, and the checks that make bad input a clear error."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from kuzet.archive.schema import ATTRIBUTES, CAMERA_RE
from kuzet.config.rules import LineConfig, ZoneConfig

MAX_LIMIT = 1000


class ArchiveQueryError(ValueError):
    """Bad search input, naming the field (the API answers 422 with it)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


@dataclass(frozen=True, slots=True)
class TrackQuery:
    """Tracks whose time span overlaps [since, until), newest start first.

    ``cameras`` None = every camera in the index (the API always passes the caller's
    scope). Several values of one attribute mean any of them; several attributes must
    all match. ``line`` / ``zone`` (one at a time, with exactly one camera) keep only
    tracks that crossed the line (``direction``) or entered / were inside the zone.
    """

    since: datetime
    until: datetime
    cameras: frozenset[str] | None = None
    classes: tuple[str, ...] | None = None
    attributes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    line: LineConfig | None = None
    direction: Literal["in", "out", "both"] = "both"
    zone: ZoneConfig | None = None
    zone_mode: Literal["enter", "inside"] = "enter"
    cursor: str | None = None
    limit: int = 100
    trajectory: bool = False

    def check(self, max_range: timedelta, max_cameras: int) -> None:
        """Raise :class:`ArchiveQueryError` on anything a search cannot answer."""
        for name in ("since", "until"):
            if getattr(self, name).tzinfo is None:
                raise ArchiveQueryError(name, "needs a time zone (e.g. 2026-12-06T10:00:00Z)")
        if self.until <= self.since:
            raise ArchiveQueryError("until", "must be after 'since'")
        if self.until - self.since > max_range:
            raise ArchiveQueryError(
                "until",
                f"the range is {_days(self.until - self.since)}; one search may cover at most "
                f"{_days(max_range)} (archive.max_range_days)",
            )
        if not 1 <= self.limit <= MAX_LIMIT:
            raise ArchiveQueryError("limit", f"must be between 1 and {MAX_LIMIT}")
        if self.cameras is not None:
            if len(self.cameras) > max_cameras:
                raise ArchiveQueryError(
                    "camera_id", f"{len(self.cameras)} cameras; at most {max_cameras} per search"
                )
            bad = sorted(c for c in self.cameras if not CAMERA_RE.match(c))
            if bad:
                raise ArchiveQueryError("camera_id", f"invalid camera id {bad[0]!r}")
        unknown = sorted(set(self.attributes) - set(ATTRIBUTES))
        if unknown:
            raise ArchiveQueryError(
                "attr", f"unknown attribute {unknown[0]!r}; known: {', '.join(ATTRIBUTES)}"
            )
        if self.line is not None and self.zone is not None:
            raise ArchiveQueryError("zone", "give a line or a zone, not both")
        if (self.line is not None or self.zone is not None) and (
            self.cameras is None or len(self.cameras) != 1
        ):
            field_name = "line" if self.line is not None else "zone"
            raise ArchiveQueryError(
                field_name, "a line or zone is drawn on one camera's picture: name one camera_id"
            )
        if self.cursor is not None:
            decode_cursor(self.cursor)

    @property
    def geometry(self) -> bool:
        return self.line is not None or self.zone is not None


def _days(d: timedelta) -> str:
    days = d.total_seconds() / 86400
    return f"{days:g} days" if days >= 1 else f"{d.total_seconds() / 3600:g} hours"


@dataclass(frozen=True, slots=True)
class TrackHit:
    """One row found. ``at`` is when to open playback: the crossing / entry for a line
    or zone search, else the track's start. ``crossings`` lists every crossing of the
    line ((time, 'in'|'out')); ``trajectory`` is [[x, y, ms from start], ...] on request."""

    ref: str
    camera_id: str
    track_id: int
    part: int
    start: datetime
    end: datetime
    class_name: str
    score: float
    frames: int
    frame_w: int
    frame_h: int
    snapshot: bool
    attributes: dict[str, str]
    at: datetime
    crossings: list[tuple[datetime, str]] | None = None
    trajectory: list[list[int]] | None = None


@dataclass(frozen=True, slots=True)
class TrackPage:
    items: list[TrackHit]
    next_cursor: str | None
    files: int  # Parquet files the search opened (a cost figure for the UI / logs)


# ---------------------------------------------------------------- cursor
Key = tuple[int, str, int, int]  # start_us, camera_id, track_id, part: the sort key


def encode_cursor(key: Key) -> str:
    raw = json.dumps(list(key), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Key:
    try:
        pad = "=" * (-len(cursor) % 4)
        data: Any = json.loads(base64.urlsafe_b64decode(cursor + pad))
        start, cam, tid, part = data
        if not (isinstance(cam, str) and CAMERA_RE.match(cam)):
            raise ValueError
        return int(start), cam, int(tid), int(part)
    except (ValueError, TypeError, json.JSONDecodeError):
        raise ArchiveQueryError("cursor", "not a cursor this search issued") from None


def utc(t: datetime) -> datetime:
    """Naive times are UTC (the API's convention for query strings)."""
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t
