"""Thread-safe camera status: the reader thread writes, the API thread reads."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from kuzet.core import CameraState, CameraStatus

log = logging.getLogger(__name__)

StatusCallback = Callable[[CameraStatus], None]


class StatusTracker:
    """Holds one camera's :class:`CameraStatus` and reports state changes.

    The callback runs on the reader thread; an exception in it is logged, never
    allowed to stop the camera.
    """

    def __init__(
        self, camera_id: str, on_status: StatusCallback | None = None, fps_window: int = 25
    ) -> None:
        self._lock = threading.Lock()
        self._status = CameraStatus(camera_id=camera_id, since=time.time())
        self._on_status = on_status
        self._times: deque[float] = deque(maxlen=fps_window)

    def snapshot(self) -> CameraStatus:
        with self._lock:
            return dataclasses.replace(self._status)

    def set_state(self, state: CameraState, reason: str | None = None) -> None:
        with self._lock:
            st = self._status
            if st.state == state and st.reason == reason:
                return
            st.state, st.reason, st.since = state, reason, time.time()
            if state is not CameraState.ONLINE:
                self._times.clear()
                st.fps = 0.0
            copy = dataclasses.replace(st)
        quiet = (CameraState.ONLINE, CameraState.FINISHED, CameraState.STOPPED)
        level = logging.INFO if state in quiet else logging.WARNING
        log.log(
            level,
            "camera %s %s%s",
            copy.camera_id,
            state.value,
            f": {reason}" if reason else "",
            extra={"camera_id": copy.camera_id, "state": state.value, "reason": reason},
        )
        self._notify(copy)

    def frame(self, wall_time: float) -> None:
        with self._lock:
            st = self._status
            st.frames += 1
            st.last_frame_at = wall_time
            self._times.append(time.monotonic())
            if len(self._times) >= 2:
                span = self._times[-1] - self._times[0]
                st.fps = round((len(self._times) - 1) / span, 2) if span > 0 else 0.0

    def dropped(self, n: int = 1) -> None:
        with self._lock:
            self._status.dropped_frames += n

    def reconnected(self) -> None:
        with self._lock:
            self._status.reconnects += 1

    def keyframes_only(self, on: bool) -> None:
        with self._lock:
            self._status.keyframes_only = on

    def _notify(self, status: CameraStatus) -> None:
        if self._on_status is None:
            return
        try:
            self._on_status(status)
        except Exception:
            log.exception("status callback failed", extra={"camera_id": status.camera_id})
