"""Per-track state as rows of numpy arrays, and the per-frame view every rule reads.

Track ids are mapped to stable rows so a rule family keeps its state as (rows x rules)
arrays and updates all tracks and all its rules with a few array operations.
"""

from __future__ import annotations

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

    def rows(self, tids: np.ndarray, pts: float) -> tuple[np.ndarray, np.ndarray]:
        """Rows of these track ids (allocated on first sight), and seconds since last seen."""
        out = np.empty(len(tids), np.intp)
        get = self._row.get
        for i, t in enumerate(tids.tolist()):
            r = get(t)
            if r is None:
                r = self._alloc(t)
            out[i] = r
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
        gone = np.flatnonzero(self.used & (pts - self.last_seen > self.forget_s))
        for r in gone.tolist():
            del self._row[int(self.tid[r])]
            self._free.append(r)
        self.used[gone] = False
        self.tid[gone] = -1
        return gone


@dataclass(slots=True)
class View:
    """One frame as the rules see it; geometry is computed once for all rules."""

    frame: Frame
    tracks: Detections
    labels: tuple[str, ...]
    rows: np.ndarray
    tids: np.ndarray
    anchors: dict[str, np.ndarray]
    in_zone: dict[str, np.ndarray]  # anchor kind -> (N, zones)
    line_dist: dict[str, np.ndarray]  # anchor kind -> (N, lines), + on the 'in' side
    line_along: dict[str, np.ndarray]  # anchor kind -> (N, lines), 0..1 along each segment
    eligible: np.ndarray  # (N, rules): class, score and size filters
    armed: np.ndarray  # (rules,): schedule active now
    row_tid: np.ndarray  # track id of every row (for events of tracks not in this frame)
    gap: np.ndarray  # (N,): seconds since each track was last seen (inf when new)
    row_seen: np.ndarray  # media time every row was last seen
    has_image: bool = True
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def pts(self) -> float:
        return self.frame.pts

    def class_name(self, i: int) -> str:
        c = int(self.tracks.class_id[i])
        return self.labels[c] if 0 <= c < len(self.labels) else str(c)

    def box(self, i: int) -> tuple[float, float, float, float]:
        x1, y1, x2, y2 = self.tracks.xyxy[i].tolist()
        return (x1, y1, x2, y2)
