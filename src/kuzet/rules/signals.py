"""Traffic-light states the red-light rules consult: read from the picture or fed.

Two sources, one answer (:class:`SignalReading`: state, since when, from where):

* ``picture``: the colour of the lit lamp inside the signal head's box (HSV: bright,
  saturated pixels whose hue is red, amber or green), debounced over ``min_frames``
  frames; a dark head (flashing, or the camera's exposure between two lamps) keeps the
  last state for ``dark_hold_s``. A state that follows ``unknown`` (start-up, a long dark
  spell) has no ``since``: when it began was not seen. Red and amber together (the KZ/RU
  "get ready") is red; red with green, or amber with green, is ``unknown``: never a guess.
* ``controller``: states pushed into the :class:`SignalBoard` by the junction's
  controller (``POST /api/signals``, or an MQTT feed calling :meth:`SignalBoard.put`).
  The board keeps a short history per signal so a frame analysed a little late is judged
  by the state at *its* time, not the newest. In a city the report reaches one process
  (an API replica, the device gateway) and the camera runs in another: the board relays
  it over the bus (:mod:`kuzet.rules.signal_share`).
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import cv2
import numpy as np

from kuzet.config.traffic import SignalConfig, SignalState

Source = Literal["picture", "controller"]
Relay = Callable[[str, str, SignalState, float], None]


@dataclass(frozen=True, slots=True)
class SignalReading:
    state: SignalState
    since: float | None  # wall time (Unix s) the state began; None when never known
    source: Source

    def attributes(self) -> dict[str, object]:
        """The contract's event fields: signal_state, signal_source, signal_since (ISO)."""
        since = None if self.since is None else datetime.fromtimestamp(self.since, UTC)
        return {
            "signal_state": self.state,
            "signal_source": self.source,
            "signal_since": None if since is None else since.isoformat(),
        }


@dataclass(slots=True)
class _Entry:
    since: float
    state: SignalState
    heard: float  # the latest report confirming this state


class SignalBoard:
    """Fed signal states per (camera, signal name), thread-safe, a bounded history each."""

    def __init__(self, history: int = 64) -> None:
        self._history = history
        self._lock = threading.Lock()
        self._signals: dict[tuple[str, str], list[_Entry]] = {}
        self._relays: tuple[Relay, ...] = ()

    def add_relay(self, relay: Relay) -> None:
        """Every :meth:`put` is also handed to ``relay`` (the other processes of a city,
        :mod:`kuzet.rules.signal_share`)."""
        with self._lock:
            self._relays = (*self._relays, relay)

    def remove_relay(self, relay: Relay) -> None:
        with self._lock:
            self._relays = tuple(r for r in self._relays if r != relay)

    def put(self, camera_id: str, signal: str, state: SignalState, at: float) -> bool:
        """A report fed to this process (the API, an MQTT feed): recorded here and relayed.
        False when it only confirmed the state already known."""
        changed = self.record(camera_id, signal, state, at)
        for relay in self._relays:
            relay(camera_id, signal, state, at)
        return changed

    def record(self, camera_id: str, signal: str, state: SignalState, at: float) -> bool:
        """Record that ``signal`` showed ``state`` at wall time ``at``; False when it only
        confirmed the state already known (the state's start time stays the first report's)."""
        with self._lock:
            entries = self._signals.setdefault((camera_id, signal), [])
            i = bisect_right([e.since for e in entries], at)
            before = entries[i - 1] if i else None
            if before is not None and before.state == state:
                before.heard = max(before.heard, at)
                return False
            after = entries[i] if i < len(entries) else None
            if after is not None and after.state == state:  # an earlier report of the next
                after.since = at
                return True
            entries.insert(i, _Entry(at, state, at))
            del entries[: max(0, len(entries) - self._history)]
            return True

    def state_at(
        self, camera_id: str, signal: str, at: float, stale_after_s: float | None = None
    ) -> SignalReading:
        with self._lock:
            entries = self._signals.get((camera_id, signal), [])
            i = bisect_right([e.since for e in entries], at)
            if i == 0:
                return SignalReading("unknown", None, "controller")
            e = entries[i - 1]
            heard = min(e.heard, at)
            if stale_after_s is not None and at - heard > stale_after_s:
                return SignalReading("unknown", heard + stale_after_s, "controller")
            return SignalReading(e.state, e.since, "controller")

    def current(self) -> list[dict[str, object]]:
        """The newest state of every fed signal (what the API lists)."""
        with self._lock:
            items = [(k, v[-1]) for k, v in self._signals.items() if v]
        return [
            {
                "camera_id": cam,
                "signal": name,
                "state": e.state,
                "since": datetime.fromtimestamp(e.since, UTC).isoformat(),
                "heard": datetime.fromtimestamp(e.heard, UTC).isoformat(),
            }
            for (cam, name), e in sorted(items, key=lambda kv: kv[0])
        ]


BOARD = SignalBoard()
"""The process's board: the API route and the MQTT feed write it, every camera's scene
engine reads it; the service relays it over the bus to the city's other processes
(:mod:`kuzet.rules.signal_share`). Tests pass their own to ``SceneEngine`` / ``create_app``."""


def _hue_mask(h: np.ndarray, ranges: list[tuple[int, int]]) -> np.ndarray:
    m = np.zeros(h.shape, bool)
    for lo, hi in ranges:
        m |= (h >= lo) & (h <= hi) if lo <= hi else (h >= lo) | (h <= hi)
    return m


def read_lamp(image: np.ndarray, cfg: SignalConfig) -> SignalState | None:
    """The lit colour inside ``cfg.box`` of a BGR image; None when the head is dark."""
    assert cfg.box is not None
    h_img, w_img = image.shape[:2]
    x1, y1, x2, y2 = (round(v) for v in cfg.box)
    x1, x2 = max(0, min(x1, w_img)), max(0, min(x2, w_img))
    y1, y2 = max(0, min(y1, h_img)), max(0, min(y2, h_img))
    if x2 - x1 < 1 or y2 - y1 < 1:
        return "unknown"  # the box is off this picture: never a guess
    hsv = cv2.cvtColor(np.ascontiguousarray(image[y1:y2, x1:x2]), cv2.COLOR_BGR2HSV)
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    lit = (s >= cfg.min_saturation) & (v >= cfg.min_value)
    area = float(lit.size)
    frac = {
        name: float((lit & _hue_mask(h, [(r.lo, r.hi) for r in getattr(cfg, name)])).sum()) / area
        for name in ("red", "amber", "green")
    }
    on = {name for name, f in frac.items() if f >= cfg.min_lit_fraction}
    if not on:
        return None
    if on == {"red", "amber"} or on == {"red"}:
        return "red"
    if len(on) == 1:
        return "amber" if "amber" in on else "green"
    return "unknown"  # green with another colour: contradictory


class PictureSignal:
    """One signal head read frame by frame, debounced."""

    def __init__(self, cfg: SignalConfig) -> None:
        self.cfg = cfg
        self.state: SignalState = "unknown"
        self.since: float | None = None
        self._last_lit = -np.inf
        self._cand: SignalState | None = None
        self._cand_n = 0
        self._cand_since = 0.0

    def observe(self, image: np.ndarray, wall: float) -> SignalReading:
        raw = read_lamp(image, self.cfg)
        if raw is None:  # dark: hold the last state a moment (a flashing lamp, exposure)
            if wall - self._last_lit <= self.cfg.dark_hold_s + 1e-6:
                return self.reading()
            raw = "unknown"
        else:
            self._last_lit = wall
        if raw == self.state:
            self._cand, self._cand_n = None, 0
            return self.reading()
        if raw != self._cand:
            self._cand, self._cand_n, self._cand_since = raw, 0, wall
        self._cand_n += 1
        if self._cand_n >= self.cfg.min_frames:
            # a change seen from a known state starts at its first frame; after 'unknown'
            # (start-up, a long dark spell) when it began was not seen: not recorded
            known = self.state != "unknown"
            self.state, self.since = raw, (self._cand_since if known else None)
            self._cand, self._cand_n = None, 0
        return self.reading()

    def reading(self) -> SignalReading:
        return SignalReading(self.state, self.since, "picture")


class SceneSignals:
    """The signals of one camera's scene, advanced once per frame by the engine."""

    def __init__(self, camera_id: str, cfgs: list[SignalConfig], board: SignalBoard) -> None:
        self.camera_id, self.board = camera_id, board
        self.cfgs = {c.name: c for c in cfgs}
        self._pictures = {c.name: PictureSignal(c) for c in cfgs if c.source == "picture"}
        self._now: dict[str, SignalReading] = {}

    def observe(self, image: np.ndarray | None, wall: float) -> None:
        now: dict[str, SignalReading] = {}
        for name, cfg in self.cfgs.items():
            if cfg.source == "controller":
                now[name] = self.board.state_at(self.camera_id, name, wall, cfg.stale_after_s)
            elif image is not None and image.size:
                now[name] = self._pictures[name].observe(image, wall)
            else:  # replay without pixels: the picture cannot be read
                now[name] = self._pictures[name].reading()
        self._now = now

    def get(self, name: str) -> SignalReading:
        return self._now.get(name, SignalReading("unknown", None, "picture"))
