"""The hook in the node: real footage (the first 10 s of vtest.avi) through reader,
detector loop and pipeline; a stage raises one violation (a stand-in for the rules, which
the node treats alike) and the published event carries pictures taken by the node."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from kuzet.config.models import CameraConfig, SiteConfig
from kuzet.core import Detections, Event, Frame
from kuzet.pipeline.node import Node
from kuzet.pipeline.violation_frames import ViolationFrames

T0 = datetime(2026, 12, 6, 8, 0, tzinfo=UTC).timestamp()


class NoBoxes:
    labels = ("car",)

    def detect(self, images: list[np.ndarray]) -> list[Detections]:
        return [Detections.empty() for _ in images]


class RaisesOne:
    """Emits a red-light violation on the frame at 3 s, as a rule would."""

    def enrich(self, frame: Frame, tracks: Detections) -> list[Event]:
        if abs(frame.pts - 3.0) > 1e-6:
            return []
        ts = datetime.fromtimestamp(frame.wall_time, UTC)
        attrs = {"violation": True, "signal_state": "red", "vehicle_class": "car"}
        return [Event(id="red-1", type="red_light", camera_id=frame.camera_id, ts=ts,
                      pts=frame.pts, track_id=3, attributes=attrs)]  # fmt: skip

    def finish(self) -> list[Event]:
        return []


def test_the_node_captures_before_at_after_for_a_violation(
    tmp_path: Path, vtest_clip: Path
) -> None:
    blobs: dict[str, bytes] = {}
    cam = CameraConfig(id="road", main_url=str(vtest_clip), fps=10.0)
    site = SiteConfig(data_dir=tmp_path, cameras=[cam])
    published: list[Event] = []
    node = Node(site, NoBoxes(), published.append, put_blob=blobs.__setitem__, realtime=False,
                enrichers_for=lambda cam: [RaisesOne()], media_origin=T0,
                violation_frames=ViolationFrames(blobs.__setitem__))  # fmt: skip
    node.start()
    try:
        assert node.wait(120)
    finally:
        node.stop()
    (ev,) = [e for e in published if e.type == "red_light"]
    prefix = ev.attributes["evidence_frames"]
    rec = json.loads(blobs[f"{prefix}/frames.json"])
    times = {
        k: datetime.fromisoformat(rec[k]["ts"]).timestamp() - T0 for k in ("before", "at", "after")
    }
    assert times == {"before": 2.0, "at": 3.0, "after": 4.0}
    assert (rec["at"]["width"], rec["at"]["height"]) == (768, 576)  # vtest's own size
    assert all(blobs[f"{prefix}/{k}.jpg"][:2] == b"\xff\xd8" for k in ("before", "at", "after"))
