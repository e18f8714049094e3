"""The access tests' small city (real SQLite store, accounts per role) plus violations
made as the pipeline makes them: real frames (vtest.avi) through the frame hook, the
violation and plate-read events as the RULES and READ contracts describe them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cv2
from tests.access.conftest import City, city  # noqa: F401  (the fixture, reused)

from kuzet.core import Event, Frame
from kuzet.pipeline.violation_frames import ViolationFrames
from kuzet.store import LocalBlobStore


def make_violation(
    store: Any, blobs: LocalBlobStore, vtest: Path, camera: str, kind: str = "speeding",
    **attrs: object,
) -> Event:  # fmt: skip
    """Frames through the hook as the node runs it, then the events into the store."""
    hook = ViolationFrames(blobs.put, before_s=0.5, after_s=0.5)
    cap = cv2.VideoCapture(str(vtest))
    base = datetime.now(UTC).timestamp() - 60
    tagged: list[Event] = []
    for i in range(12):
        ok, img = cap.read()
        assert ok
        f = Frame(camera, i, i / 10, base + i / 10, img)
        ev = Event(
            id=f"vio-{kind}", type=kind, camera_id=camera, pts=f.pts, track_id=42,
            ts=datetime.fromtimestamp(f.wall_time, UTC), class_name="car",
            attributes={"violation": True, "vehicle_class": "car", **attrs},
        )  # fmt: skip
        tagged += hook.offer(f, [ev] if i == 5 else [])
    cap.release()
    vio = tagged[0]
    _, crop = cv2.imencode(".jpg", img[200:240, 300:420])
    blobs.put("plates/crop-42.jpg", crop.tobytes())
    read = Event(
        id=f"read-{kind}", type="plate_read", camera_id=camera, track_id=42, ts=vio.ts,
        attributes={
            "plate": "123ABC02", "plate_display": "123 ABC 02", "plate_format": "kz_2012_private",
            "plate_country": "KZ", "plate_confidence": 0.93, "plate_reads": 6, "plate_votes": 5,
            "plate_crop": "plates/crop-42.jpg",
        },
    )  # fmt: skip
    store.insert_events([vio, read])
    return vio
