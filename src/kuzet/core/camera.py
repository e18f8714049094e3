"""What an operator sees of a camera's health."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class CameraState(StrEnum):
    STARTING = "starting"
    ONLINE = "online"
    RECONNECTING = "reconnecting"
    FAILED = "failed"
    STOPPED = "stopped"
    FINISHED = "finished"  # a file source reached its end


@dataclass(slots=True)
class CameraStatus:
    camera_id: str
    state: CameraState = CameraState.STARTING
    reason: str | None = None
    fps: float = 0.0
    frames: int = 0
    dropped_frames: int = 0
    reconnects: int = 0
    last_frame_at: float | None = None
    since: float | None = None
    keyframes_only: bool = False

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["state"] = self.state.value
        return d
