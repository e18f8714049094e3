"""One track-index row: its Arrow schema, its place on disk and its public reference.

Layout under the index root (Hive-style names, UTC days)::

    day=2026-12-06/camera=gate-1/p-<seq>.parquet          rows flushed by a writer
    day=2026-12-06/camera=gate-1/c-<lo>-<hi>.parquet      compaction of p/c files lo..hi
    day=2026-12-06/camera=gate-1/snap/<start_us>-<track>-<part>.jpg   best snapshots

A row never spans two UTC days (the collector cuts tracks at midnight), so a search
opens only the days its range touches. Trajectories are the anchor (bottom centre of
the box, the rules' default) as int16 pixels with int32 milliseconds from ``start``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa

ATTRIBUTES = (
    "upper_colour", "lower_colour", "carried_bag", "gender", "age_band", "plate",
    "vehicle_colour", "vehicle_type", "vehicle_make", "vehicle_model",
)  # fmt: skip
"""Attribute columns a search may filter on (all strings; gender/age_band are biometric,
plate needs plate clearance: kuzet.access.policy names the same keys). Columns added
later are null in older files (searches read files by column name)."""

_TS = pa.timestamp("us", tz="UTC")
SCHEMA = pa.schema(
    [
        ("camera_id", pa.string()),
        ("track_id", pa.int64()),
        ("part", pa.int16()),
        ("start", _TS),
        ("end", _TS),
        ("class_name", pa.string()),
        ("score", pa.float32()),
        ("frames", pa.int32()),
        ("frame_w", pa.int16()),
        ("frame_h", pa.int16()),
        ("snapshot", pa.bool_()),
        *((name, pa.string()) for name in ATTRIBUTES),
        ("x_min", pa.int16()),
        ("x_max", pa.int16()),
        ("y_min", pa.int16()),
        ("y_max", pa.int16()),
        ("traj_x", pa.list_(pa.int16())),
        ("traj_y", pa.list_(pa.int16())),
        ("traj_t", pa.list_(pa.int32())),
    ]
)

CAMERA_RE = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
_REF_RE = re.compile(r"^([A-Za-z0-9_.-]{1,128}):(-?\d{1,19}):(-?\d{1,19}):(\d{1,5})$")


@dataclass(slots=True)
class TrackRow:
    """A finished track (or one piece of a long one): what the collector hands a writer."""

    camera_id: str
    track_id: int
    part: int
    start_us: int
    end_us: int
    class_name: str
    score: float
    frames: int
    frame_w: int
    frame_h: int
    xs: np.ndarray  # int16 pixels, anchor x
    ys: np.ndarray
    ts_ms: np.ndarray  # int32 ms from start
    attributes: dict[str, str] = field(default_factory=dict)
    snapshot: bool = False

    @property
    def day(self) -> date:
        return datetime.fromtimestamp(self.start_us / 1e6, UTC).date()


def to_table(rows: Sequence[TrackRow]) -> pa.Table:
    """Rows as one Arrow table of :data:`SCHEMA`, sorted by start (row groups prune on it)."""
    rows = sorted(rows, key=lambda r: (r.start_us, r.track_id, r.part))
    n = len(rows)
    lengths = np.fromiter((len(r.xs) for r in rows), np.int32, n)
    offsets = np.zeros(n + 1, np.int32)
    np.cumsum(lengths, out=offsets[1:])

    def flat(name: str, dtype: type) -> np.ndarray:
        parts: list[np.ndarray] = [np.asarray(getattr(r, name), dtype) for r in rows]
        return np.concatenate(parts) if parts else np.empty(0, dtype)

    xs, ys = flat("xs", np.int16), flat("ys", np.int16)
    empty = np.array([len(r.xs) == 0 for r in rows], bool)

    def bound(fn: np.ufunc, v: np.ndarray) -> pa.Array:
        out = np.zeros(n, np.int16)
        if n and len(v):
            keep = ~empty
            out[keep] = fn.reduceat(v, offsets[:-1][keep])
        return pa.array(out)

    def lists(values: np.ndarray, typ: pa.DataType) -> pa.Array:
        return pa.ListArray.from_arrays(pa.array(offsets), pa.array(values, typ))

    cols: dict[str, pa.Array] = {
        "camera_id": pa.array([r.camera_id for r in rows], pa.string()),
        "track_id": pa.array([r.track_id for r in rows], pa.int64()),
        "part": pa.array([r.part for r in rows], pa.int16()),
        "start": pa.array([r.start_us for r in rows], _TS),
        "end": pa.array([r.end_us for r in rows], _TS),
        "class_name": pa.array([r.class_name for r in rows], pa.string()),
        "score": pa.array([r.score for r in rows], pa.float32()),
        "frames": pa.array([r.frames for r in rows], pa.int32()),
        "frame_w": pa.array([r.frame_w for r in rows], pa.int16()),
        "frame_h": pa.array([r.frame_h for r in rows], pa.int16()),
        "snapshot": pa.array([r.snapshot for r in rows], pa.bool_()),
    }
    for name in ATTRIBUTES:
        cols[name] = pa.array([r.attributes.get(name) for r in rows], pa.string())
    cols |= {
        "x_min": bound(np.minimum, xs),
        "x_max": bound(np.maximum, xs),
        "y_min": bound(np.minimum, ys),
        "y_max": bound(np.maximum, ys),
        "traj_x": lists(xs, pa.int16()),
        "traj_y": lists(ys, pa.int16()),
        "traj_t": lists(flat("ts_ms", np.int32), pa.int32()),
    }
    return pa.table(cols, schema=SCHEMA)


# ---------------------------------------------------------------- places on disk
def day_name(day: date) -> str:
    return f"day={day.isoformat()}"


def partition(root: Path, day: date, camera_id: str) -> Path:
    if not CAMERA_RE.match(camera_id):
        raise ValueError(f"invalid camera id {camera_id!r}")
    return root / day_name(day) / f"camera={camera_id}"


def snapshot_path(root: Path, camera_id: str, start_us: int, track_id: int, part: int) -> Path:
    day = datetime.fromtimestamp(start_us / 1e6, UTC).date()
    return partition(root, day, camera_id) / "snap" / f"{start_us}-{track_id}-{part}.jpg"


# ---------------------------------------------------------------- public reference
def track_ref(camera_id: str, start_us: int, track_id: int, part: int) -> str:
    """``camera:start_us:track:part``: names one row for the API (snapshot, playback)."""
    return f"{camera_id}:{start_us}:{track_id}:{part}"


def parse_ref(ref: str) -> tuple[str, int, int, int]:
    m = _REF_RE.match(ref)
    if m is None:
        raise ValueError(f"{ref!r} is not a track reference (camera:start_us:track:part)")
    return m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4))
