"""Frames before, at and after a traffic violation, kept at full resolution.

An officer signs a violation on what the pictures show, so they are the analysed
frames themselves (no boxes drawn, no downscaling), not the tap's 640-pixel previews.
Each camera keeps a short ring of *references* to recent frames (one every
``keep_every_s``, back to the newest one at or before ``before_s`` ago, bounded in bytes:
about 6 frames, 37 MB of 1080p or 4 MB of 640x360): nothing is encoded until an event with
``attributes.violation`` true arrives. Then the frame nearest ``before_s`` earlier and
the event's own frame are written as JPEGs at once; the first frame ``after_s`` later
is written when it comes. A side record ``frames.json`` names each picture's time,
size and the host clock's sync state at capture (:func:`kuzet.core.clock.clock_state`).

Blobs: ``violations/YYYY/MM/DD/<camera>/<event-id>/{before,at,after}.jpg`` and
``frames.json``; the prefix travels on the event as ``attributes.evidence_frames``.
A picture that could not be captured (the source ended before ``after_s``) is listed
in ``frames.json`` as missing with the reason, never filled with another frame.
"""

from __future__ import annotations

import json
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import cv2
import numpy as np

from kuzet.core import Event, Frame
from kuzet.core.clock import clock_state

log = logging.getLogger(__name__)
PutBlob = Callable[[str, bytes], None]
FRAMES_RECORD = "frames.json"


def frames_prefix(event: Event) -> str:
    day = event.ts.astimezone(UTC)
    return f"violations/{day:%Y/%m/%d}/{event.camera_id}/{event.id}"


def is_violation(event: Event) -> bool:
    return event.attributes.get("violation") is True and event.phase != "end"


@dataclass
class _Pending:
    prefix: str
    due: float  # wall time of the "after" picture
    record: dict[str, Any] = field(default_factory=dict)


class ViolationFrames:
    """The pipeline's hook: :meth:`offer` per analysed frame with its events (the
    detector thread), :meth:`finish` when a camera's source ended."""

    def __init__(
        self,
        put_blob: PutBlob,
        *,
        before_s: float = 1.0,
        after_s: float = 1.0,
        keep_every_s: float = 0.2,
        max_ring_bytes: int = 64 << 20,
        quality: int = 92,
        clock: Callable[[], dict[str, Any]] = clock_state,
    ) -> None:
        self.put_blob = put_blob
        self.before_s, self.after_s, self.keep_every_s = before_s, after_s, keep_every_s
        self.max_ring_bytes, self.quality, self.clock = max_ring_bytes, quality, clock
        self._rings: dict[str, deque[tuple[float, np.ndarray]]] = {}
        self._pending: dict[str, list[_Pending]] = {}
        self.captured = 0  # violations whose pictures were taken (metrics, tests)

    def offer(self, frame: Frame, events: list[Event]) -> list[Event]:
        """Returns the events, violations with ``evidence_frames`` added. Never raises:
        a failed picture must not cost the event."""
        try:
            return self._offer(frame, events)
        except Exception:
            log.exception("violation frames failed", extra={"camera": frame.camera_id})
            return events

    def finish(self, camera_id: str) -> None:
        """The source ended: close what waits for an "after" picture, saying why."""
        for p in self._pending.pop(camera_id, []):
            p.record["after"] = {"missing": "the source ended before the after picture"}
            self._write_record(p)
        self._rings.pop(camera_id, None)

    # ------------------------------------------------------------ the detector thread
    def _offer(self, frame: Frame, events: list[Event]) -> list[Event]:
        cam, t = frame.camera_id, frame.wall_time
        self._keep(cam, t, frame.image)
        waiting = self._pending.get(cam)
        if waiting:
            for p in [p for p in waiting if t >= p.due]:
                p.record["after"] = self._picture(f"{p.prefix}/after.jpg", t, frame.image)
                self._write_record(p)
                waiting.remove(p)
        out = []
        for ev in events:
            if is_violation(ev):
                prefix = frames_prefix(ev)
                self._capture(ev, prefix, t, frame.image)
                ev = ev.model_copy(
                    update={"attributes": {**ev.attributes, "evidence_frames": prefix}}
                )
            out.append(ev)
        return out

    def _keep(self, cam: str, t: float, image: np.ndarray) -> None:
        ring = self._rings.setdefault(cam, deque())
        if not ring or t - ring[-1][0] >= self.keep_every_s - 1e-3 or t < ring[-1][0]:
            if ring and t < ring[-1][0]:  # the source restarted (a looped file): start over
                ring.clear()
            ring.append((t, image))
        # keep one frame at or before t - before_s (the "before" candidate), and newer ones
        want = t - self.before_s + 1e-6
        while len(ring) > 1 and ring[1][0] <= want:
            ring.popleft()
        size = sum(img.nbytes for _, img in ring)
        while len(ring) > 1 and size > self.max_ring_bytes:
            size -= ring.popleft()[1].nbytes

    def _before(self, cam: str, t: float) -> tuple[float, np.ndarray] | None:
        """The newest kept frame at or before ``t - before_s``, else the oldest kept."""
        ring = self._rings.get(cam) or deque()
        want = t - self.before_s
        best = None
        for item in ring:
            if item[0] <= want + 1e-6:
                best = item
        if best is None and ring and ring[0][0] < t:
            best = ring[0]
        return best

    def _capture(self, ev: Event, prefix: str, t: float, image: np.ndarray) -> None:
        record: dict[str, Any] = {
            "event_id": ev.id,
            "camera_id": ev.camera_id,
            "event_ts": ev.ts.astimezone(UTC).isoformat(),
            "clock_at_capture": self.clock(),
            "offsets_s": {"before": -self.before_s, "after": self.after_s},
        }
        before = self._before(ev.camera_id, t)
        if before is None:
            record["before"] = {"missing": "no earlier frame was kept (the source just started)"}
        else:
            record["before"] = self._picture(f"{prefix}/before.jpg", before[0], before[1])
        record["at"] = self._picture(f"{prefix}/at.jpg", t, image)
        record["after"] = {"missing": "not taken yet (the process stopped first?)"}
        self.captured += 1
        pending = _Pending(prefix, t + self.after_s, record)
        self._write_record(pending)  # rewritten with the after picture when it comes
        self._pending.setdefault(ev.camera_id, []).append(pending)

    def _picture(self, key: str, t: float, image: np.ndarray) -> dict[str, Any]:
        ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, self.quality])
        if not ok:
            return {"missing": "JPEG encoding failed"}
        self.put_blob(key, bytes(buf.tobytes()))
        return {
            "key": key,
            "ts": datetime.fromtimestamp(t, UTC).isoformat(),
            "width": int(image.shape[1]),
            "height": int(image.shape[0]),
        }

    def _write_record(self, p: _Pending) -> None:
        body = json.dumps(p.record, indent=2, sort_keys=True).encode()
        self.put_blob(f"{p.prefix}/{FRAMES_RECORD}", body)
