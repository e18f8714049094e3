"""The collector turns tracks into rows (scripted tracks and pictures: logic only)."""

from __future__ import annotations

from datetime import UTC, datetime

import cv2
import numpy as np
from tests.rules.helpers import dets

from kuzet.archive.collector import TrackCollector
from kuzet.archive.schema import TrackRow
from kuzet.config.archive import ArchiveConfig
from kuzet.config.models import CameraConfig
from kuzet.core import COCO_CLASSES, Detections, Event, Frame
from kuzet.pipeline.camera import CameraPipeline

IMG = np.full((480, 640, 3), 90, np.uint8)


class Rows:
    def __init__(self) -> None:
        self.rows: list[tuple[TrackRow, bytes | None]] = []

    def __call__(self, row: TrackRow, jpeg: bytes | None) -> None:
        self.rows.append((row, jpeg))


def feed(c: TrackCollector, t0: float, script: list[list[tuple]], fps: float = 5.0) -> None:
    for i, rows in enumerate(script):
        c.enrich(Frame("cam", i, i / fps, t0 + i / fps, IMG), dets(*rows))


def test_a_finished_track_becomes_one_row() -> None:
    sink = Rows()
    c = TrackCollector("cam", COCO_CLASSES, sink, ArchiveConfig(end_after_s=2))
    t0 = datetime(2026, 12, 6, 10, tzinfo=UTC).timestamp()
    walk = [[(7, 100 + 10 * i, 300, "person", 0.8, 40, 100)] for i in range(20)]
    feed(c, t0, walk + [[]] * 5)
    assert sink.rows == []  # 1 s unseen: not yet finished
    feed(c, t0 + 5, [[]] * 6)
    ((row, jpeg),) = sink.rows
    assert (row.camera_id, row.track_id, row.part, row.class_name) == ("cam", 7, 0, "person")
    assert row.start_us == round(t0 * 1e6) and row.end_us == round((t0 + 19 / 5) * 1e6)
    assert row.frames == 20 and abs(row.score - 0.8) < 1e-6
    assert (row.frame_w, row.frame_h) == (640, 480)
    assert row.xs.tolist() == [100, 290] and row.ys.tolist() == [300, 300]  # a straight walk
    assert row.ts_ms.tolist() == [0, 3800]
    assert jpeg is not None and row.snapshot
    pic = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert 100 < pic.shape[0] <= 192 and pic.shape[1] < 100  # the box and a margin, not the frame


def test_attributes_from_other_stages_land_in_the_row() -> None:
    sink = Rows()
    c = TrackCollector("cam", COCO_CLASSES, sink, ArchiveConfig(end_after_s=1))
    t0 = 1_800_000_000.0
    feed(c, t0, [[(3, 100, 300)], [(3, 110, 300)]])
    ev = Event(
        id="a",
        type="person_attributes",
        camera_id="cam",
        ts=datetime.now(UTC),
        track_id=3,
        attributes={
            "upper_colour": "red",
            "lower_colour": "blue",
            "looks": 3,
            "gender": "female",
            "plate_text": "123ABC02",
        },
    )
    other = ev.model_copy(update={"camera_id": "elsewhere", "attributes": {"upper_colour": "x"}})
    c.observe([ev, other])
    c.finish()
    assert sink.rows == []  # written once the finish events were observed
    c.observe([])
    ((row, _),) = sink.rows
    assert row.attributes == {
        "upper_colour": "red",
        "lower_colour": "blue",
        "gender": "female",
        "plate": "123ABC02",
    }


def test_tracks_are_cut_at_utc_midnight_and_at_max_span() -> None:
    sink = Rows()
    c = TrackCollector("cam", COCO_CLASSES, sink, ArchiveConfig(end_after_s=1, max_span_s=10))
    midnight = datetime(2026, 12, 7, tzinfo=UTC).timestamp()
    # 2 s before midnight to 13 s after, walking right at 10 px/s (5 fps)
    feed(c, midnight - 2, [[(1, 100 + 2 * i, 300)] for i in range(76)])
    c.finish()
    c.observe([])
    rows = [r for r, _ in sink.rows]
    assert [r.part for r in rows] == [0, 1, 2]
    assert rows[0].day.isoformat() == "2026-12-06" and rows[1].day.isoformat() == "2026-12-07"
    assert rows[1].start_us == round(midnight * 1e6)  # the piece starts exactly at midnight
    assert rows[0].end_us == round(midnight * 1e6) - 1
    assert rows[0].xs[-1] == rows[1].xs[0] == 120  # both hold the point at midnight
    assert 9.8 <= (rows[2].start_us - rows[1].start_us) / 1e6 < 10.0  # within max_span_s
    assert rows[2].xs[0] == rows[1].xs[-1]  # pieces join: no crossing falls between them


def test_only_the_configured_classes_and_a_failing_sink_never_stops_analysis() -> None:
    def broken(row: TrackRow, jpeg: bytes | None) -> None:
        raise OSError("disk full")

    c = TrackCollector("cam", COCO_CLASSES, broken, ArchiveConfig(classes=["car"]))
    feed(c, 0.0, [[(1, 100, 300, "person"), (2, 200, 300, "car")]] * 3)
    assert list(c._open) == [2]
    c.drain()  # the sink raises: logged, not raised


class ColourStage:
    """Stands in for the attributes enricher: names a colour on the track's 2nd frame."""

    needs_every_frame = False

    def __init__(self) -> None:
        self.n = 0

    def enrich(self, frame: Frame, tracks: Detections) -> list[Event]:
        self.n += 1
        if self.n != 2 or tracks.tracker_id is None:
            return []
        return [
            Event(
                id="c",
                type="person_attributes",
                camera_id="cam",
                ts=datetime.fromtimestamp(frame.wall_time, UTC),
                track_id=int(tracks.tracker_id[0]),
                attributes={"upper_colour": "green"},
            )
        ]

    def finish(self) -> list[Event]:
        return []


def test_the_pipeline_shows_the_collector_every_frames_events() -> None:
    sink = Rows()
    collector = TrackCollector("cam", COCO_CLASSES, sink, ArchiveConfig(end_after_s=1))
    cam = CameraConfig(id="cam", main_url="x.mp4")
    pipe = CameraPipeline(cam, COCO_CLASSES, enrichers=[collector, ColourStage()])
    assert not pipe.needs_every_frame  # neither stage keeps the motion gate from working
    boxes = Detections(
        xyxy=np.array([[100, 100, 140, 200]], np.float32),
        confidence=np.array([0.9], np.float32),
        class_id=np.array([0], np.int32),
    )
    for i in range(6):
        pipe.process(Frame("cam", i, i / 5, i / 5, IMG), boxes.scaled(1, 1, 5 * i, 0))
    pipe.finish()
    assert [r.attributes.get("upper_colour") for r, _ in sink.rows] == ["green"]
