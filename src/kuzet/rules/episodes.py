"""A debounced condition per (track row, rule) turned into start/end transitions.

Every duration rule is the same state machine: the condition must hold for
``min_frames`` consecutive frames and ``min_duration`` seconds to start, and stay false
(or unseen) for ``grace`` seconds to end, so a short track loss never splits an episode.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kuzet.rules.tracks import Columns

EPS = 1e-6
"""Seconds: media times are sums of 1/fps, so 2.8 - 0.8 must still count as 2 s."""


@dataclass(slots=True)
class Ended:
    row: int
    rule: int
    since: float
    last_true: float
    start_pts: float


class Episodes:
    """Per-frame cost is a few ops on the given rows, not on every row ever allocated.

    Two full-capacity passes of the naive version are avoided: unseen rows lose their
    consecutive count lazily (on their next sighting, from the step they were last
    seen), and the stale scan runs only once the oldest open cell could be past its
    grace (``_due``, a lower bound of open cells' ``last_true``).
    """

    def __init__(self, min_frames: np.ndarray, min_duration: np.ndarray, grace: np.ndarray) -> None:
        k = len(min_frames)
        self.min_frames = np.asarray(min_frames, np.int64)
        self.min_duration = np.asarray(min_duration, np.float64)
        self.grace = np.asarray(grace, np.float64)
        self._need = self.min_duration - EPS
        self._grace_eps = self.grace + EPS
        self._grace_min = float(self.grace.min()) + EPS if k else np.inf
        self._due = np.inf  # lower bound of last_true over cells with a 'since'
        self._n = 0  # steps taken; a row's 'seen' is the step it was last given in
        self.cols = Columns()
        self.cols.add("since", (k,), np.float64, np.nan)
        self.cols.add("last_true", (k,), np.float64, -np.inf)
        self.cols.add("count", (k,), np.int64, 0)
        self.cols.add("started", (k,), bool, False)
        self.cols.add("start_pts", (k,), np.float64, np.nan)
        self.cols.add("seen", (), np.int64, -2)

    def step(
        self, rows: np.ndarray, cond: np.ndarray, pts: float
    ) -> tuple[np.ndarray, list[Ended]]:
        """Apply this frame; returns (N, K) starts of the given rows and ended episodes."""
        if not cond.any():
            return np.zeros(cond.shape, bool), self.idle(rows, pts)
        a = self.cols.a
        n = self._n = self._n + 1
        seen, count, started = a["seen"], a["count"][rows], a["started"][rows]
        missed = seen[rows] != n - 1
        seen[rows] = n
        if missed.any():  # rows unseen last step lost their consecutive count then
            count[missed[:, None] & ~started] = 0
        since, last = a["since"][rows], a["last_true"][rows]
        last = np.where(cond, pts, last)
        since = np.where(cond & np.isnan(since), pts, since)
        self._due = min(self._due, pts)
        count = np.where(cond | started, count + cond, 0)
        start = cond & ~started & (count >= self.min_frames) & (pts - since >= self._need)
        a["since"][rows], a["last_true"][rows], a["count"][rows] = since, last, count
        if start.any():
            a["started"][rows] = started | start
            sp = a["start_pts"][rows]
            a["start_pts"][rows] = np.where(start, pts, sp)
        return start, self._maybe_expire(pts)

    def idle(self, rows: np.ndarray, pts: float) -> list[Ended]:
        """``step`` with the condition false everywhere (nothing can start); the ends."""
        a = self.cols.a
        n = self._n = self._n + 1
        a["seen"][rows] = n
        count = a["count"][rows]
        if count.any():  # consecutive counts of rows not started drop to 0
            a["count"][rows] = count * a["started"][rows]
        return self._maybe_expire(pts)

    def _maybe_expire(self, pts: float) -> list[Ended]:
        return self._expire(pts) if pts - self._due > self._grace_min else []

    def _expire(self, pts: float) -> list[Ended]:
        a = self.cols.a
        stale = pts - a["last_true"] > self._grace_eps
        ended = stale & a["started"]
        out: list[Ended] = []
        if ended.any():
            for r, k in np.argwhere(ended).tolist():
                out.append(
                    Ended(
                        r,
                        k,
                        float(a["since"][r, k]),
                        float(a["last_true"][r, k]),
                        float(a["start_pts"][r, k]),
                    )
                )
        open_ = ~np.isnan(a["since"])
        reset = stale & open_
        if reset.any():
            a["since"][reset] = np.nan
            a["count"][reset] = 0
            a["started"][reset] = False
            a["start_pts"][reset] = np.nan
            open_ &= ~reset
        self._due = float(a["last_true"][open_].min()) if open_.any() else np.inf
        return out

    def drain(self) -> list[Ended]:
        """End-of-stream flush: the episodes started and not ended; then forget every row."""
        a = self.cols.a
        ended = [
            Ended(
                r,
                k,
                float(a["since"][r, k]),
                float(a["last_true"][r, k]),
                float(a["start_pts"][r, k]),
            )
            for r, k in np.argwhere(a["started"]).tolist()
        ]
        self.cols.reset(np.arange(self.cols.cap))
        return ended


@dataclass(slots=True)
class KeyedState:
    since: float
    last_true: float
    start_pts: float | None = None
    peak: float = 0.0


class KeyedEpisodes:
    """The same state machine for a handful of keyed things (pairs, fire regions)."""

    def __init__(self, min_duration: float, grace: float) -> None:
        self.min_duration, self.grace = min_duration, grace
        self.state: dict[object, KeyedState] = {}

    def step(
        self, true_now: dict[object, float], pts: float
    ) -> tuple[list[object], list[tuple[object, KeyedState]]]:
        """``true_now`` maps keys whose condition holds to a score; returns starts, ends."""
        starts = []
        for key, score in true_now.items():
            st = self.state.get(key)
            if st is None:
                st = self.state[key] = KeyedState(pts, pts)
            st.last_true, st.peak = pts, max(st.peak, score)
            if st.start_pts is None and pts - st.since >= self.min_duration - EPS:
                st.start_pts = pts
                starts.append(key)
        ends = []
        for key, st in list(self.state.items()):
            if pts - st.last_true > self.grace + EPS:
                del self.state[key]
                if st.start_pts is not None:
                    ends.append((key, st))
        return starts, ends

    def open(self) -> list[tuple[object, KeyedState]]:
        out = [(k, s) for k, s in self.state.items() if s.start_pts is not None]
        self.state.clear()
        return out
