"""Per-track state as rows of numpy arrays, and the per-frame view every rule reads.

Track ids are mapped to stable rows so a rule family keeps its state as (rows x rules)
arrays and updates all tracks and all its rules with a few array operations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from kuzet.core import Detections, Frame


class Columns:
    """Named state arrays of one family, indexed by track row; grown and reset with rows."""

    def __init__(self) -> None:
        self._spec: dict[str, tuple[tuple[int, ...], type, object]] = {}
        self.a: dict[str, np.ndarray] = {}
        self.cap = 0

    def add(self, name: str, shape: tuple[int, ...], dtype: type, fill: object) -> None:
        self._spec[name] = (shape, dtype, fill)
        self.a[name] = np.full((self.cap, *shape), fill, dtype=dtype)

    def grow(self, cap: int) -> None:
        if cap <= self.cap:
            return
        for name, (shape, dtype, fill) in self._spec.items():
            new: np.ndarray = np.full((cap, *shape), fill, dtype=dtype)
            new[: self.cap] = self.a[name]
            self.a[name] = new
        self.cap = cap

    def reset(self, rows: np.ndarray) -> None:
        for name, (_, _, fill) in self._spec.items():
            self.a[name][rows] = fill


_NONE = np.empty(0, np.intp)


class TrackTable:
    """tracker_id -> row, with rows freed once a track is unseen for ``forget_s``."""

    def __init__(self, forget_s: float) -> None:
        self.forget_s = forget_s
        self._row: dict[int, int] = {}
        self._free: list[int] = []
        self.cap = 0
        self.tid = np.empty(0, np.int64)
        self.last_seen = np.empty(0, np.float64)
        self.used = np.empty(0, bool)
        self._prev_ids: list[int] | None = None  # None: no cached mapping
        self._prev_rows = np.empty(0, np.intp)
        self._due = np.inf  # lower bound of last_seen over used rows: skip most scans

    def rows(self, tids: np.ndarray, pts: float) -> tuple[np.ndarray, np.ndarray]:
        """Rows of these track ids (allocated on first sight), and seconds since last seen."""
        ids = tids.tolist()
        if ids == self._prev_ids:  # the same tracks as last frame: the same rows
            out = self._prev_rows
        else:
            found = list(map(self._row.get, ids))
            if None in found:  # some id is new: allocate in order of appearance
                get = self._row.get
                for i, t in enumerate(ids):
                    r = get(t)
                    found[i] = self._alloc(t) if r is None else r
            out = np.array(found, np.intp)
            self._prev_ids, self._prev_rows = ids, out
        if len(out):
            self._due = min(self._due, pts)
        gap = pts - self.last_seen[out]
        self.last_seen[out] = pts
        return out, gap

    def _alloc(self, tid: int) -> int:
        if not self._free:
            old, self.cap = self.cap, max(64, self.cap * 2)
            self.tid = np.concatenate([self.tid, np.full(self.cap - old, -1, np.int64)])
            self.last_seen = np.concatenate([self.last_seen, np.full(self.cap - old, -np.inf)])
            self.used = np.concatenate([self.used, np.zeros(self.cap - old, bool)])
            self._free = list(range(self.cap - 1, old - 1, -1))
        r = self._free.pop()
        self._row[tid] = r
        self.tid[r], self.used[r] = tid, True
        return r

    def expire(self, pts: float) -> np.ndarray:
        """Rows of tracks unseen for longer than ``forget_s``; they are free afterwards."""
        if not pts - self._due > self.forget_s:
            return _NONE
        gone = np.flatnonzero(self.used & (pts - self.last_seen > self.forget_s))
        if len(gone):
            self._prev_ids = None
        for r in gone.tolist():
            del self._row[int(self.tid[r])]
            self._free.append(r)
        self.used[gone] = False
        self.tid[gone] = -1
        used = self.last_seen[self.used]
        self._due = float(used.min()) if len(used) else np.inf
        return gone


class Anchors(dict[str, np.ndarray]):
    """Reference points per box, computed on first use (most frames need one kind)."""

    def __init__(self, xyxy: np.ndarray) -> None:
        super().__init__()
        self._xyxy = xyxy

    def __missing__(self, key: str) -> np.ndarray:
        b = self._xyxy
        if key == "center":
            p = (b[:, :2] + b[:, 2:]) / 2
        elif key == "bottom_center":
            p = np.empty((len(b), 2), b.dtype)
            p[:, 0] = (b[:, 0] + b[:, 2]) / 2
            p[:, 1] = b[:, 3]
        else:
            raise ValueError(f"unknown anchor {key!r}")
        self[key] = p
        return p

    def float64(self, key: str) -> np.ndarray:
        """The same points as float64 (what geometry works in), without a float32 copy."""
        if key != "bottom_center" or key in self:
            return self[key].astype(np.float64)
        b = self._xyxy
        p = np.empty((len(b), 2), np.float64)
        p[:, 0] = (b[:, 0] + b[:, 2]) / 2
        p[:, 1] = b[:, 3]
        return p


@dataclass(slots=True)
class View:
    """One frame as the rules see it; geometry is computed once for all rules.

    Class/score/size filters are computed on first use (``eligible``): a frame whose
    tracks touch no zone and cross no line never needs them.
    """

    frame: Frame
    tracks: Detections
    labels: tuple[str, ...]
    rows: np.ndarray
    tids: np.ndarray
    anchors: dict[str, np.ndarray]
    in_zone: dict[str, np.ndarray]  # anchor kind -> (N, zones)
    line_dist: dict[str, np.ndarray]  # anchor kind -> (N, lines), + on the 'in' side
    line_along: dict[str, np.ndarray]  # anchor kind -> (N, lines), 0..1 along each segment
    filters: Callable[[], np.ndarray]  # -> (N, rules): class, score and size filters
    armed: np.ndarray  # (rules,): schedule active now
    row_tid: np.ndarray  # track id of every row (for events of tracks not in this frame)
    gap: np.ndarray  # (N,): seconds since each track was last seen (inf when new)
    row_seen: np.ndarray  # media time every row was last seen
    has_image: bool = True
    line_geo: dict[str, np.ndarray] = field(default_factory=dict)  # kind -> (N, 2, lines)
    zone_hit: dict[str, bool] = field(default_factory=dict)  # kind -> some zone column set
    extra: dict[str, object] = field(default_factory=dict)
    _eligible: np.ndarray | None = None
    _ok: np.ndarray | None = None

    @property
    def eligible(self) -> np.ndarray:
        if self._eligible is None:
            self._eligible = self.filters()
        return self._eligible

    @property
    def ok(self) -> np.ndarray:
        """(N, rules): eligible and armed, what every family tests."""
        if self._ok is None:
            self._ok = self.eligible & self.armed
        return self._ok

    @property
    def pts(self) -> float:
        return self.frame.pts

    def class_name(self, i: int) -> str:
        c = int(self.tracks.class_id[i])
        return self.labels[c] if 0 <= c < len(self.labels) else str(c)

    def box(self, i: int) -> tuple[float, float, float, float]:
        x1, y1, x2, y2 = self.tracks.xyxy[i].tolist()
        return (x1, y1, x2, y2)
