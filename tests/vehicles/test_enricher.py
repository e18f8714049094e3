"""The enricher's bookkeeping (scripted boxes on synthetic pictures: logic only; the
colours themselves are measured on real vehicles in test_colour.py)."""

from __future__ import annotations

import numpy as np

from kuzet.config.vehicles import DEFAULT_TYPES
from kuzet.core import COCO_CLASSES, Detections, Frame
from kuzet.vehicles.enricher import VehicleAttributes

CAR = COCO_CLASSES.index("car")
PERSON = COCO_CLASSES.index("person")


def frame(i: int, img: np.ndarray) -> Frame:
    return Frame("c", i, i / 5, 1.8e9 + i / 5, img)


def tracks(rows: list[tuple[int, int, tuple[int, int, int, int]]]) -> Detections:
    return Detections(
        np.array([r[2] for r in rows], np.float32).reshape(-1, 4),
        np.full(len(rows), 0.9),
        np.array([r[1] for r in rows], np.int64),
        tracker_id=np.array([r[0] for r in rows], np.int64),
    )


def test_a_box_cut_by_the_edge_decides_only_without_a_whole_look() -> None:
    img = np.full((200, 300, 3), 255, np.uint8)  # a white vehicle ...
    img[:, :40] = 0  # ... whose part at the left edge is in black shade
    enr = VehicleAttributes("c", COCO_CLASSES, DEFAULT_TYPES, looks=4, every_n=1, min_width=10)
    out = []
    for i in range(4):
        box = (0, 50, 40, 120) if i < 2 else (50, 50, 250, 150)  # cut twice, then whole
        out += enr.enrich(frame(i, img), tracks([(1, CAR, box), (2, CAR, (0, 10, 30, 40))]))
    out += enr.finish()
    got = {e.track_id: e.attributes["vehicle_colour"] for e in out}
    assert got == {1: "white", 2: "black"}  # track 2 was only ever cut: its cut looks decide


def test_one_event_per_track_also_when_it_ends_early_and_people_are_ignored() -> None:
    img = np.full((200, 300, 3), (30, 30, 200), np.uint8)  # red everywhere
    enr = VehicleAttributes(
        "c", COCO_CLASSES, DEFAULT_TYPES, looks=3, every_n=1, min_width=10, forget_after_s=1.0
    )
    out = []
    for i in range(6):  # track 1 lives 6 frames: its event at the third look, no second one
        rows = [(1, CAR, (10, 10, 110, 80)), (3, PERSON, (150, 10, 180, 90))]
        if i < 2:
            rows.append((2, CAR, (150, 100, 260, 180)))  # two looks, then gone
        out += enr.enrich(frame(i, img), tracks(rows))
    assert [e.track_id for e in out] == [1]
    for i in range(6, 12):  # 1.2 s later track 2 is forgotten: its event, with 2 looks
        out += enr.enrich(frame(i, img), tracks([(1, CAR, (10, 10, 110, 80))]))
    assert [e.track_id for e in out] == [1, 2]
    assert out[1].attributes["looks"] == 2 and out[1].attributes["vehicle_colour"] == "red"
    assert enr.finish() == []  # nothing left, nothing twice
    assert out[0].id != out[1].id and out[0].type == "vehicle_attributes"
