"""Media time: pick frames at the analysis rate, and keep pts increasing across sessions."""

from __future__ import annotations


class RateSampler:
    """Keeps about ``fps`` frames per second of *media* time, chosen by pts.

    Choosing by pts (not by counting frames or by wall clock) gives the same frames on
    every replay of a file, whatever the source rate or decode speed.
    """

    def __init__(self, fps: float, tolerance: float = 0.1) -> None:
        if fps <= 0:
            raise ValueError("fps must be > 0")
        self.period = 1.0 / fps
        self._slack = self.period * tolerance
        self._due: float | None = None
        self._last: float | None = None

    def accept(self, pts: float) -> bool:
        """True when the frame at ``pts`` should be analysed."""
        if self._due is None or self._last is None or pts < self._last:
            self._due = pts + self.period  # first frame, or time went backwards
            self._last = pts
            return True
        if pts + self._slack < self._due:
            return False
        # Stay on the grid, but do not try to catch up after a gap (no bursts).
        self._due += self.period
        if self._due <= pts:
            self._due = pts + self.period
        self._last = pts
        return True


class Timeline:
    """Maps the pts of each session (file loop, reconnect) onto one increasing axis.

    Event ids are derived from pts, so a looped file or a camera that restarts its
    clock after a reconnect must never repeat a time already emitted.
    """

    def __init__(self) -> None:
        self._offset = 0.0
        self._last: float | None = None
        self._rebase = False
        self._step = 0.04

    def new_session(self, frame_step: float) -> None:
        """Call before the first frame of every new open of the source."""
        self._rebase = True
        self._step = frame_step if frame_step > 0 else 0.04

    def map(self, raw_pts: float) -> float:
        pts = raw_pts + self._offset
        if self._rebase:
            self._rebase = False
            if self._last is not None and pts <= self._last:
                self._offset = self._last + self._step - raw_pts
                pts = raw_pts + self._offset
        elif self._last is not None and pts <= self._last:
            pts = self._last + 1e-6  # out-of-order pts inside a session: stay monotonic
        self._last = pts
        return pts
