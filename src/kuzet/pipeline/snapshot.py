"""JPEG snapshots of events, with the box that raised them drawn."""

from __future__ import annotations

import cv2
import numpy as np

from kuzet.core import Event


def render_snapshot(image: np.ndarray, event: Event, quality: int = 85) -> bytes:
    """Encode the frame with the event's box; the frame itself is not modified."""
    canvas = image.copy()
    if event.box is not None:
        x1, y1, x2, y2 = (round(v) for v in event.box)
        cv2.rectangle(canvas, (x1, y1), (x2, y2), (0, 0, 255), 2)
        label = f"{event.class_name or ''} #{event.track_id} {event.rule or event.type}"
        cv2.putText(
            canvas, label, (x1, max(12, y1 - 4)), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
            (0, 0, 255), 1, cv2.LINE_AA,
        )  # fmt: skip
    ok, buf = cv2.imencode(".jpg", canvas, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return bytes(buf.tobytes())
