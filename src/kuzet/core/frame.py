"""One decoded picture with the times the rest of the pipeline reasons about."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(slots=True)
class Frame:
    """A decoded frame.

    ``pts`` is media time in seconds (what rules and event ids use, so replays are
    deterministic); ``wall_time`` is when it was decoded (what latency metrics use).
    """

    camera_id: str
    index: int
    pts: float
    wall_time: float
    image: np.ndarray  # H x W x 3, BGR, uint8
    keyframe: bool = False

    @property
    def height(self) -> int:
        return int(self.image.shape[0])

    @property
    def width(self) -> int:
        return int(self.image.shape[1])
