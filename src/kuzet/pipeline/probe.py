"""Where the pipeline reports what it does; metrics and benchmarks subclass it."""

from __future__ import annotations

from kuzet.core import Event


class Probe:
    """No-op hooks on the hot path; cheap enough to call per frame."""

    def frame(self, camera_id: str, detect: bool) -> None:
        """A frame was decoded and gated."""

    def motion(self, camera_id: str, wall_time: float) -> None:
        """The motion gate saw movement in this frame (the recording's motion mode)."""

    def dropped(self, camera_id: str) -> None:
        """A frame was shed because the detector queue was full."""

    def detector(self, seconds: float, batch: int) -> None:
        """One inference call finished."""

    def analysed(self, camera_id: str, latency_s: float) -> None:
        """A frame went through detect, track and rules; latency from decode."""

    def event(self, event: Event, latency_s: float) -> None:
        """An event was published; latency from the decode of its frame."""


class Probes(Probe):
    """Several probes as one: a service's metrics and a cluster shard's counters both
    watch the same node."""

    def __init__(self, *probes: Probe) -> None:
        self.probes = probes

    def frame(self, camera_id: str, detect: bool) -> None:
        for p in self.probes:
            p.frame(camera_id, detect)

    def motion(self, camera_id: str, wall_time: float) -> None:
        for p in self.probes:
            p.motion(camera_id, wall_time)

    def dropped(self, camera_id: str) -> None:
        for p in self.probes:
            p.dropped(camera_id)

    def detector(self, seconds: float, batch: int) -> None:
        for p in self.probes:
            p.detector(seconds, batch)

    def analysed(self, camera_id: str, latency_s: float) -> None:
        for p in self.probes:
            p.analysed(camera_id, latency_s)

    def event(self, event: Event, latency_s: float) -> None:
        for p in self.probes:
            p.event(event, latency_s)
