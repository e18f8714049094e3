"""Per-lane counts, speed, occupancy and queue of one camera, from its tracks, in
1-minute bins (wall time, UTC-aligned).

Pure logic over ``(time, track ids, classes, anchor points)`` so tests drive it with
tracks whose counts, speeds and occupancy are known; the enricher feeds it frames.

* count: a vehicle counts once per lane, on its ``min_frames``-th frame inside;
* speed: per vehicle, ground displacement (through the scene's homography) from its
  first to its last point inside the lane over the time between them, booked when it
  leaves the lane (or is lost);
* occupancy: share of observed time with any vehicle's anchor in the lane; the state
  of a frame holds until the next analysed frame, up to ``max_gap_s`` (beyond it the
  time is unobserved, e.g. the camera was down);
* queue: vehicles in the lane slower than ``stop_speed_kmh`` (time-averaged and the
  bin's maximum), and in metres from the lane's head point to the farthest of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from kuzet.config.traffic_analytics import TrafficConfig
from kuzet.rules.geometry import apply_homography, points_in_polygon
from kuzet.traffic.stats import LaneBin

BIN_S = 60
TAU_S = 0.5  # time constant of the velocity estimate (as the speeding rule's)


@dataclass(frozen=True, slots=True)
class Lane:
    approach: str
    name: str
    segment: str
    polygon: np.ndarray  # image pixels
    head: np.ndarray | None = None  # ground metres (needs the homography)


@dataclass(slots=True)
class _InLane:
    frames: int = 0
    counted: bool = False
    booked: bool = False  # speed booked
    enter_ts: float = 0.0
    enter_pos: np.ndarray | None = None
    last_ts: float = 0.0
    last_pos: np.ndarray | None = None


@dataclass(slots=True)
class _Track:
    cls: str
    last_ts: float
    pos: np.ndarray  # metres when calibrated, else pixels
    vel: np.ndarray = field(default_factory=lambda: np.zeros(2))
    obs: int = 1
    lanes: dict[int, _InLane] = field(default_factory=dict)


@dataclass(slots=True)
class ClosedBin:
    start: float  # epoch seconds
    lanes: list[tuple[Lane, LaneBin]]
    partial: bool = False  # the source ended inside it


class LaneAggregator:
    def __init__(
        self, lanes: list[Lane], cfg: TrafficConfig, to_world: np.ndarray | None = None
    ) -> None:
        self.lanes, self.cfg, self.to_world = lanes, cfg, to_world
        self.stop_speed = cfg.stop_speed_kmh / 3.6 if to_world is not None else cfg.stop_speed_px_s
        self._tracks: dict[int, _Track] = {}
        self._bins: dict[float, list[LaneBin]] = {}
        self._prev_ts: float | None = None
        self._occupied = np.zeros(len(lanes), bool)  # state of the previous frame
        self._queue = np.zeros(len(lanes), np.int64)

    # ------------------------------------------------------------ bins
    def _bin(self, ts: float) -> list[LaneBin]:
        start = float(int(ts // BIN_S) * BIN_S)
        if start not in self._bins:
            self._bins[start] = [LaneBin() for _ in self.lanes]
        return self._bins[start]

    def _spread(self, t0: float, t1: float) -> None:
        """Book the interval [t0, t1) with the previous frame's state, split at bin edges."""
        t = t0
        while t < t1 - 1e-9:
            edge = min(t1, (int(t // BIN_S) + 1) * BIN_S)
            dt = edge - t
            for b, occ, q in zip(self._bin(t), self._occupied, self._queue, strict=True):
                b.observed_s += dt
                b.occupied_s += dt * bool(occ)
                b.queue_veh_s += dt * int(q)
            t = edge

    def _closed(self, now: float | None) -> list[ClosedBin]:
        out = []
        for start in sorted(self._bins):
            if now is not None and start + BIN_S > now:
                break
            out.append(
                ClosedBin(
                    start,
                    list(zip(self.lanes, self._bins.pop(start), strict=True)),
                    partial=now is None
                    and self._prev_ts is not None
                    and start + BIN_S > self._prev_ts,
                )
            )
        return out

    # ------------------------------------------------------------ tracks
    def _book_speed(self, li: _InLane, lane_i: int, ts: float) -> None:
        if li.booked or not li.counted or self.to_world is None:
            return
        li.booked = True
        dt = li.last_ts - li.enter_ts
        if dt <= 0 or li.enter_pos is None or li.last_pos is None:
            return
        v = float(np.hypot(*(li.last_pos - li.enter_pos))) / dt * 3.6
        b = self._bin(ts)[lane_i]
        b.speed_n += 1
        b.speed_sum_kmh += v

    def _velocity(self, tr: _Track, ts: float, pos: np.ndarray) -> None:
        dt = ts - tr.last_ts
        if 0 < dt <= self.cfg.max_gap_s:
            inst = (pos - tr.pos) / dt
            a = 1 - np.exp(-dt / TAU_S)
            tr.vel = inst if tr.obs == 1 else tr.vel + a * (inst - tr.vel)
            tr.obs += 1
        else:
            tr.vel, tr.obs = np.zeros(2), 1
        tr.pos, tr.last_ts = pos, ts

    def update(
        self, ts: float, tids: np.ndarray, classes: list[str], anchors: np.ndarray
    ) -> list[ClosedBin]:
        """One analysed frame (``ts`` epoch seconds, anchors in pixels); returns the bins
        that ended before it."""
        if self._prev_ts is not None:
            if ts < self._prev_ts:
                return []  # a frame from the past (clock step): ignored
            if ts - self._prev_ts <= self.cfg.max_gap_s:
                self._spread(self._prev_ts, ts)
        self._bin(ts)
        keep = np.array([c in self.cfg.classes for c in classes], bool)
        tids = np.asarray(tids, np.int64)[keep]
        anchors = np.asarray(anchors, np.float64).reshape(-1, 2)[keep]
        cls = [c for c, k in zip(classes, keep, strict=True) if k]
        pos = anchors if self.to_world is None else apply_homography(self.to_world, anchors)
        for n, tid in enumerate(tids.tolist()):
            tr = self._tracks.get(tid)
            if tr is None:
                self._tracks[tid] = _Track(cls[n], ts, pos[n])
            else:
                self._velocity(tr, ts, pos[n])
        occupied = np.zeros(len(self.lanes), bool)
        queue = np.zeros(len(self.lanes), np.int64)
        for i, lane in enumerate(self.lanes):
            inside = points_in_polygon(anchors, lane.polygon) if len(anchors) else np.zeros(0, bool)
            occupied[i] = bool(inside.any())
            far = None
            for n, tid in enumerate(tids.tolist()):
                tr = self._tracks[tid]
                li = tr.lanes.get(i)
                if not inside[n]:
                    if li is not None and li.frames:
                        self._book_speed(li, i, ts)
                        li.frames = 0
                    continue
                if li is None:
                    li = tr.lanes[i] = _InLane(enter_ts=ts, enter_pos=pos[n])
                li.frames += 1
                li.last_ts, li.last_pos = ts, pos[n]
                if li.frames >= self.cfg.min_frames and not li.counted:
                    li.counted = True
                    b = self._bin(ts)[i]
                    b.counts[tr.cls] = b.counts.get(tr.cls, 0) + 1
                stopped = tr.obs >= 2 and float(np.hypot(*tr.vel)) < self.stop_speed
                if li.counted and stopped:
                    queue[i] += 1
                    if lane.head is not None and self.to_world is not None:
                        d = float(np.hypot(*(pos[n] - lane.head)))
                        far = d if far is None else max(far, d)
            b = self._bin(ts)[i]
            b.queue_max_veh = max(b.queue_max_veh, int(queue[i]))
            if far is not None:
                b.queue_max_m = max(b.queue_max_m or 0.0, far)
            elif lane.head is not None and self.to_world is not None and b.queue_max_m is None:
                b.queue_max_m = 0.0
        self._occupied, self._queue, self._prev_ts = occupied, queue, ts
        self._forget(ts)
        return self._closed(ts)

    def _forget(self, ts: float) -> None:
        for tid in [t for t, tr in self._tracks.items() if ts - tr.last_ts > self.cfg.lost_after_s]:
            tr = self._tracks.pop(tid)
            for i, li in tr.lanes.items():
                self._book_speed(li, i, ts)

    def finish(self) -> list[ClosedBin]:
        """End of the source: book what is in the lanes and close every open bin."""
        ts = self._prev_ts
        if ts is not None:
            for tr in self._tracks.values():
                for i, li in tr.lanes.items():
                    self._book_speed(li, i, ts)
        self._tracks.clear()
        return self._closed(None)
