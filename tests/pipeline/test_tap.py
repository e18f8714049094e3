"""The frame tap: throttled, encodes only for viewers (or clips), safe across threads."""

from __future__ import annotations

import threading
import time

import cv2
import numpy as np

from kuzet.core import Detections, Frame
from kuzet.pipeline.tap import FrameTap, annotate

LABELS = ("person", "car")


def frame(cam: str, t: float, i: int = 0) -> Frame:
    img = np.full((576, 768, 3), 40, np.uint8)
    return Frame(camera_id=cam, index=i, pts=t, wall_time=t, image=img)


def tracks() -> Detections:
    return Detections(
        xyxy=np.array([[100, 100, 300, 400]], np.float32),
        confidence=np.array([0.9], np.float32),
        class_id=np.array([0]),
        tracker_id=np.array([7]),
    )


def feed(tap: FrameTap, cam: str, seconds: float, fps: float, t0: float = 1000.0) -> None:
    for i in range(int(seconds * fps)):
        tap.offer(frame(cam, t0 + i / fps, i), tracks(), LABELS, [])


def test_nothing_is_encoded_while_nobody_watches() -> None:
    tap = FrameTap(4.0, threaded=False)
    feed(tap, "a", 2.0, 10.0)
    assert tap.encoded == 0 and tap.latest("a") is None


def test_a_viewer_gets_frames_at_the_throttled_rate() -> None:
    tap = FrameTap(4.0, threaded=False)
    with tap.watch("a"):
        assert tap.viewers("a") == 1
        feed(tap, "a", 5.0, 10.0)  # 50 frames at 10 fps
        got = tap.latest("a")
    assert tap.viewers("a") == 0
    assert 19 <= tap.encoded <= 21, tap.encoded  # 4 per second on average, not 3.3 or 10
    assert got is not None and got[1][:2] == b"\xff\xd8"
    img = cv2.imdecode(np.frombuffer(got[1], np.uint8), cv2.IMREAD_COLOR)
    assert img is not None and img.shape[:2] == (480, 640)  # downscaled to max_width
    feed(tap, "b", 1.0, 10.0)  # another camera nobody watches
    assert tap.latest("b") is None


def test_viewer_count_survives_errors_and_nesting() -> None:
    tap = FrameTap(threaded=False)
    try:
        with tap.watch("a"), tap.watch("a"):
            assert tap.viewers("a") == 2
            raise RuntimeError("client went away")
    except RuntimeError:
        pass
    assert tap.viewers("a") == 0


def test_boxes_labels_and_ids_are_drawn() -> None:
    img = annotate(frame("a", 0).image, tracks(), LABELS, max_width=768)
    assert tuple(img[250, 100]) == (0, 200, 255)  # left edge of the box
    assert (img[85:99, 100:200] != 40).any()  # "person #7" above it
    assert tuple(img[250, 200]) == (40, 40, 40)  # inside untouched


def test_wait_newer_and_many_threads() -> None:
    """Three cameras fed from three threads, six readers, the tap's own encoder thread."""
    tap = FrameTap(1000.0)
    assert tap.wait_newer("a", 0, 0.05) is None  # timeout, nothing yet
    stop = threading.Event()
    seen: dict[int, list[int]] = {}
    errors: list[BaseException] = []

    def reader(n: int) -> None:
        seq = 0
        try:
            with tap.watch(f"c{n % 3}"):
                while not stop.is_set():
                    got = tap.wait_newer(f"c{n % 3}", seq, 0.5)
                    if got is not None:
                        assert got[0] > seq and got[1][:2] == b"\xff\xd8"
                        seq = got[0]
                        seen.setdefault(n, []).append(seq)
        except BaseException as exc:
            errors.append(exc)

    readers = [threading.Thread(target=reader, args=(n,)) for n in range(6)]
    for r in readers:
        r.start()
    while sum(tap.viewers(f"c{k}") for k in range(3)) < 6:
        time.sleep(0.01)
    t0 = time.time()
    writers = [threading.Thread(target=feed, args=(tap, f"c{k}", 0.2, 100.0, t0)) for k in range(3)]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    assert tap.drain(5.0)
    time.sleep(0.2)
    stop.set()
    for r in readers:
        r.join()
    assert not errors, errors
    assert tap.encoded + tap.shed == 60 and tap.encoded >= 3  # a frame late is replaced
    tap.close()
    assert all(len(seen.get(n, [])) >= 1 for n in range(6)), seen
    assert sum(tap.viewers(f"c{k}") for k in range(3)) == 0
