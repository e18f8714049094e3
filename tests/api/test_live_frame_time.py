"""The camera wall's MJPEG says when each frame was taken: every part carries
``X-Frame-Time`` (ISO 8601, UTC), the frame's own time from the frame tap, or the event's
time for the snapshot fallback. A tile then shows how old its picture is, not when the
bytes arrived (a snapshot of an hour ago must not read as live)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import cv2
import numpy as np
from fastapi.testclient import TestClient

from kuzet.api import create_app
from kuzet.core import CameraInfo, Detections, Frame
from kuzet.pipeline.tap import FrameTap
from kuzet.vision.blazeface import default_detector

from .conftest import RoleAuth, authed, make_event

URL = "/api/ops/cameras/cam1/live.mjpeg"


def part_heads(body: bytes) -> list[dict[str, str]]:
    """The header block of every part, names lower-cased."""
    heads = []
    for chunk in body.split(b"--kuzetframe\r\n")[1:]:
        head = chunk.partition(b"\r\n\r\n")[0].decode()
        heads.append({k.strip().lower(): v.strip() for k, _, v in
                      (line.partition(":") for line in head.split("\r\n"))})  # fmt: skip
    return heads


def jpeg() -> bytes:
    ok, buf = cv2.imencode(".jpg", np.full((48, 64, 3), 90, np.uint8))
    assert ok
    return bytes(buf.tobytes())


def test_snapshot_parts_carry_the_event_time(client: TestClient, store: Any, blobs: Any) -> None:
    store.upsert_camera(CameraInfo(id="cam1", main_url="rtsp://example.invalid/1"))
    ev = make_event(7, snapshot="cam1/2025/01/01/ev-0007.jpg")  # 2025-01-01 12:00:07 UTC
    blobs.put(ev.snapshot, jpeg())
    store.insert_events([ev])
    r = client.get(URL, params={"frames": 1})
    assert r.status_code == 200
    heads = part_heads(r.content)
    assert len(heads) == 1
    assert heads[0]["content-type"] == "image/jpeg"
    assert heads[0]["x-frame-time"] == "2025-01-01T12:00:07.000Z"


def test_tap_parts_carry_the_frame_time(
    store: Any, blobs: Any, bus: Any, access: Any, auth: RoleAuth
) -> None:
    store.upsert_camera(CameraInfo(id="cam1", main_url="rtsp://example.invalid/1"))
    tap = FrameTap(fps=4.0, threaded=False)
    taken = datetime(2026, 12, 6, 8, 30, 15, 250_000, tzinfo=UTC)
    image = np.full((120, 160, 3), 60, np.uint8)
    frame = Frame(camera_id="cam1", index=3, pts=0.75, wall_time=taken.timestamp(), image=image)
    none = Detections(xyxy=np.zeros((0, 4), np.float32), confidence=np.zeros(0, np.float32),
                      class_id=np.zeros(0, int))  # fmt: skip
    with tap.watch("cam1"):  # somebody watches: the tap encodes this frame
        tap.offer(frame, none, ("person",), [])
    got = tap.latest("cam1")
    assert got is not None and got.wall_time == taken.timestamp()
    app = create_app(store=store, blobs=blobs, bus=bus, access=access, frames=tap,
                     faces=default_detector)  # fmt: skip
    with authed(app, auth) as client:
        r = client.get(URL, params={"frames": 1})
    assert r.status_code == 200
    (head,) = part_heads(r.content)
    assert head["x-frame-time"] == "2026-12-06T08:30:15.250Z"
    assert r.content.count(b"\xff\xd8") == 1  # the tap's JPEG, not a snapshot
