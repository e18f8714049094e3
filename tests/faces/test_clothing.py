"""Clothing colour names on real footage (vtest.avi). Boxes and expected colours were
set by eye on saved, enlarged crops: frame 0 - dark jacket + blue jeans (B), black coat
+ black trousers (C); frame 500 - red top + blue jeans (woman), black jacket + jeans."""

from __future__ import annotations

import av
import numpy as np
import pytest

from kuzet.assets import ensure
from kuzet.attributes.clothing import ClothingColours, clothing_colours
from kuzet.core import Detections, Frame

CASES = {
    0: [((498, 155, 532, 234), "black", "blue"), ((636, 238, 688, 323), "black", "black")],
    500: [((304, 185, 334, 265), "red", "blue"), ((568, 280, 614, 392), "black", "blue")],
}


@pytest.fixture(scope="module")
def frames() -> dict[int, np.ndarray]:
    out = {}
    with av.open(str(ensure("vtest.avi", quiet=True))) as c:
        for i, f in enumerate(c.decode(video=0)):
            if i in CASES or i in (501, 502):
                out[i] = f.to_ndarray(format="bgr24")
            if i > 502:
                break
    return out


def test_named_colours_match_what_is_seen(frames: dict[int, np.ndarray]) -> None:
    for idx, people in CASES.items():
        for box, upper, lower in people:
            got = clothing_colours(frames[idx], np.array(box, np.float32))
            assert got == {"upper_colour": upper, "lower_colour": lower}, (idx, box, got)


def test_enricher_emits_one_event_per_track(frames: dict[int, np.ndarray]) -> None:
    enr = ClothingColours("cam", every_n=1, looks=3, min_height=60)
    # the woman walks left ~4 px a frame (measured on her red top); the man stands
    woman = {500: (304, 185, 334, 265), 501: (300, 186, 330, 266), 502: (296, 187, 326, 267)}
    events = []
    for i in (500, 501, 502):
        boxes = np.array([woman[i], CASES[500][1][0]], np.float32)
        tracks = Detections(
            boxes, np.array([0.9, 0.9]), np.array([0, 0]), tracker_id=np.array([7, 8])
        )
        events += enr.enrich(Frame("cam", i, i / 10, 1.7e9 + i / 10, frames[i]), tracks)
    events += enr.finish()
    got = {e.track_id: (e.attributes["upper_colour"], e.attributes["lower_colour"]) for e in events}
    assert len(events) == 2 and got == {7: ("red", "blue"), 8: ("black", "blue")}
    assert all(e.type == "person_attributes" and e.attributes["looks"] == 3 for e in events)
    assert all(e.attributes["carried_bag"] == "none" for e in events)  # no bag seen
