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
    def __init__(self, min_frames: np.ndarray, min_duration: np.ndarray, grace: np.ndarray) -> None:
        k = len(min_frames)
        self.min_frames = np.asarray(min_frames, np.int64)
        self.min_duration = np.asarray(min_duration, np.float64)
        self.grace = np.asarray(grace, np.float64)
        self.cols = Columns()
        self.cols.add("since", (k,), np.float64, np.nan)
        self.cols.add("last_true", (k,), np.float64, -np.inf)
        self.cols.add("count", (k,), np.int64, 0)
        self.cols.add("started", (k,), bool, False)
        self.cols.add("start_pts", (k,), np.float64, np.nan)

    def step(
        self, rows: np.ndarray, cond: np.ndarray, pts: float
    ) -> tuple[np.ndarray, list[Ended]]:
        """Apply this frame; returns (N, K) starts of the given rows and ended episodes."""
        a = self.cols.a
        since, last, count = a["since"][rows], a["last_true"][rows], a["count"][rows]
        started = a["started"][rows]
        last = np.where(cond, pts, last)
        since = np.where(cond & np.isnan(since), pts, since)
        count = np.where(cond, count + 1, np.where(started, count, 0))
        start = (
            cond & ~started & (count >= self.min_frames) & (pts - since >= self.min_duration - EPS)
        )
        a["since"][rows], a["last_true"][rows], a["count"][rows] = since, last, count
        if start.any():
            a["started"][rows] = started | start
            sp = a["start_pts"][rows]
            a["start_pts"][rows] = np.where(start, pts, sp)
        # rows not seen this frame lose their consecutive count
        seen = np.zeros(self.cols.cap, bool)
        seen[rows] = True
        a["count"][~seen[:, None] & ~a["started"]] = 0
        return start, self._expire(pts)

    def _expire(self, pts: float) -> list[Ended]:
        a = self.cols.a
        stale = pts - a["last_true"] > self.grace + EPS
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
        reset = stale & ~np.isnan(a["since"])
        if reset.any():
            a["since"][reset] = np.nan
            a["count"][reset] = 0
            a["started"][reset] = False
            a["start_pts"][reset] = np.nan
        return out

    def open_episodes(self) -> list[Ended]:
        """Started and not ended (for an end-of-stream flush)."""
        a = self.cols.a
        return [
            Ended(
                r,
                k,
                float(a["since"][r, k]),
                float(a["last_true"][r, k]),
                float(a["start_pts"][r, k]),
            )
            for r, k in np.argwhere(a["started"]).tolist()
        ]

    def close_all(self) -> None:
        self.cols.reset(np.arange(self.cols.cap))


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
