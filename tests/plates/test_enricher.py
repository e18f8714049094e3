"""The plate enricher end to end on a real photo (bus.jpg) with a SYNTHETIC KZ plate
pasted on the bus, panned across frames with noise and blur: one event per track."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kuzet.assets import ensure
from kuzet.core import Detections, Event, Frame, event_id
from kuzet.plates.enricher import PlateEnricher
from kuzet.plates.grammar import FORMATS
from kuzet.plates.reader import FrameRead, PlateReader
from kuzet.plates.synth import degrade, paste, plate_quad, render_plate

BUS_BOX = (20.0, 214.0, 790.0, 751.0)  # NanoDet's bus box in bus.jpg
BUS = 5  # COCO id


def _scene(text: str | None, blur: float = 0.0) -> np.ndarray:
    img = cv2.imread(str(ensure("bus.jpg", quiet=True)))
    if text is None:
        return img
    fmt = next(f for f in FORMATS if f.name == "kz_2012_private")
    plate = render_plate(text, fmt)
    q = plate_quad(BUS_BOX, width_frac=0.22, aspect=plate.shape[1] / plate.shape[0],
                   centre=(0.68, 0.86), tilt_deg=3)  # fmt: skip
    return degrade(paste(img, plate, q), np.random.default_rng(0), blur=blur)


def _run(en: PlateEnricher, scene: np.ndarray, tid: int, n: int, start: int = 0) -> list[Event]:
    """``n`` frames panning 4 px a frame, the bus tracked as ``tid``; then the track ends."""
    rng = np.random.default_rng(tid)
    out: list[Event] = []
    for k in range(n):
        dx = 4 * k
        img = np.ascontiguousarray(scene[:, dx : dx + 760])
        img = degrade(img, rng, noise=4.0, jpeg=80)
        box = np.array([BUS_BOX[0] - dx, BUS_BOX[1], min(760.0, BUS_BOX[2] - dx), BUS_BOX[3]])
        i = start + k
        frame = Frame("cam", i, i / 10, 1_765_000_000 + i / 10, img)
        out += en.enrich(frame, Detections(box[None], [0.8], [BUS], tracker_id=[tid]))
    empty = Detections.empty()
    empty.tracker_id = np.empty(0, np.int64)
    for k in range(n, n + 20):  # the bus is gone: the track ends after forget_after
        i = start + k
        out += en.enrich(Frame("cam", i, i / 10, 1_765_000_000 + i / 10, scene[:, :760]), empty)
    return out


def test_synthetic_plate_is_read_once_per_track(reader: PlateReader) -> None:
    blobs: dict[str, bytes] = {}
    en = PlateEnricher("cam", reader, blobs.__setitem__, every_n=1, early_votes=3)
    events = _run(en, _scene("777KZA02"), tid=7, n=6) + en.finish()
    assert len(events) == 1, events
    ev = events[0]
    assert ev.type == "plate_read" and ev.id == event_id("cam", "plate_read", 7, 0.0)
    a = ev.attributes
    assert (a["plate"], a["plate_display"], a["plate_format"], a["plate_country"]) == (
        "777KZA02", "777 KZA 02", "kz_2012_private", "KZ",
    )  # fmt: skip
    assert a["plate_votes"] == 3 and a["plate_reads"] == 3  # settled early, reading stopped
    assert 0.6 <= a["plate_confidence"] <= 1 and ev.score == a["plate_confidence"]
    assert a["vehicle_class"] == "bus" and ev.class_name == "bus" and ev.box is not None
    crop = cv2.imdecode(np.frombuffer(blobs[a["plate_crop"]], np.uint8), cv2.IMREAD_COLOR)
    assert crop.shape[0] == 48 and crop.shape[1] > 3 * 48  # the upright plate
    assert a["vehicle_crop"] in blobs


@pytest.mark.parametrize(
    ("text", "blur", "reason"),
    # no plate: the bus's own lettering ("cero emisiones") is read and is no plate
    [(None, 0.0, "grammar_mismatch"), ("777KZA02", 14.0, None)],
)
def test_unreadable_plate_gives_plate_unread_with_reason(
    reader: PlateReader, text: str | None, blur: float, reason: str | None
) -> None:
    en = PlateEnricher("cam", reader, None, every_n=1, max_reads=3)
    events = _run(en, _scene(text, blur), tid=3, n=3) + en.finish()
    assert [e.type for e in events] == ["plate_unread"]
    a = events[0].attributes
    assert "plate" not in a and "plate_display" not in a
    assert a["plate_reads"] == 3 and a["plate_votes"] == 0
    if reason is not None:
        assert a["no_read_reason"] == reason
    else:  # heavy motion blur: something plate-like is seen, nothing readable
        assert a["no_read_reason"] in ("grammar_mismatch", "low_confidence", "no_plate_found")


def test_real_blurred_plate_photo_is_not_guessed(reader: PlateReader) -> None:
    """licenseplate_motion.jpg (OpenCV samples): a real car whose plate blur made unreadable."""
    img = cv2.imread(str(ensure("licenseplate_motion.jpg", quiet=True)))
    r = reader.read(img, np.array([0.0, 20.0, 600.0, 420.0]))
    assert r.text is None and r.reason is not None


class _Alternating:
    """Logic only: a reader that reads two different plates in turn."""

    def __init__(self) -> None:
        self.n = 0

    def read(self, image: np.ndarray, box: np.ndarray) -> FrameRead:
        self.n += 1
        t = ("777KZA02", "123ABC05")[self.n % 2]
        return FrameRead(t, t, ("kz_2012_private",), ("KZ",), 0.9, None)


def test_votes_that_disagree_are_reported_not_picked() -> None:
    en = PlateEnricher("cam", _Alternating(), None, every_n=1, early_votes=3, min_share=0.6)  # type: ignore[arg-type]
    events = _run(en, _scene(None), tid=1, n=4) + en.finish()
    assert [e.type for e in events] == ["plate_unread"]
    a = events[0].attributes
    assert a["no_read_reason"] == "votes_disagree" and "plate" not in a
    assert (a["plate_reads"], a["plate_votes"]) == (4, 2)


def test_small_vehicles_are_not_read(reader: PlateReader) -> None:
    en = PlateEnricher("cam", reader, None, min_vehicle_height=900.0)
    events = _run(en, _scene("777KZA02"), tid=2, n=2) + en.finish()
    assert [(e.type, e.attributes["no_read_reason"]) for e in events] == [
        ("plate_unread", "too_small")
    ]
