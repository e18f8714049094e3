"""red_light from a signal head read in the picture, and from a controller's feed.

Pictures: real vtest.avi frames with a **synthetic** signal head painted in the top-right
corner (housing, three lamps, the lit one a saturated disc with a bright core), JPEG
round-tripped as a camera would send it. Tracks are synthetic (logic): cars driving up
the picture across a stop line at y = 300.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import pytest
from tests.rules.helpers import T0, dets, run_events, scene

from kuzet.config.rules import SignalConfig
from kuzet.core import COCO_CLASSES, Event, Frame
from kuzet.rules.engine import SceneEngine
from kuzet.rules.signals import PictureSignal, SignalBoard, read_lamp

HEAD = (700.0, 20.0, 730.0, 104.0)  # x1, y1, x2, y2 of the painted signal head
LAMPS = {"red": (715, 34), "amber": (715, 62), "green": (715, 90)}
COLOUR = {"red": (40, 40, 255), "amber": (0, 170, 255), "green": (170, 255, 0)}  # BGR
FPS = 5.0
STOP = {"name": "stop", "points": [[100, 300], [600, 300]], "in_point": [350, 200]}
JUNCTION = {"name": "junction", "points": [[100, 120], [600, 120], [600, 280], [100, 280]]}
PICTURE = {"name": "main", "source": "picture", "box": list(HEAD)}


@pytest.fixture(scope="module")
def street(vtest_path: Path) -> list[np.ndarray]:
    """The first 60 frames of vtest.avi (real footage)."""
    cap = cv2.VideoCapture(str(vtest_path))
    frames = []
    while len(frames) < 60:
        ok, img = cap.read()
        assert ok, "vtest.avi ended early"
        frames.append(img)
    cap.release()
    return frames


def paint(img: np.ndarray, lit: set[str]) -> np.ndarray:
    """A signal head with the ``lit`` lamps on, JPEG-compressed like a camera's frame."""
    out = img.copy()
    x1, y1, x2, y2 = (int(v) for v in HEAD)
    cv2.rectangle(out, (x1, y1), (x2, y2), (30, 30, 30), -1)
    for name, centre in LAMPS.items():
        if name in lit:
            cv2.circle(out, centre, 11, COLOUR[name], -1, cv2.LINE_AA)
            cv2.circle(out, centre, 4, (235, 235, 255), -1, cv2.LINE_AA)  # blown-out core
        else:
            cv2.circle(out, centre, 11, (50, 50, 50), -1, cv2.LINE_AA)
    ok, jpg = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, 80])
    assert ok
    return cv2.imdecode(jpg, cv2.IMREAD_COLOR)


# green 0-9, amber 10-14, red 15-44, red+amber 45-47, green 48-59 (frame index at 5 fps)
SEQUENCE = [{"green"}] * 10 + [{"amber"}] * 5 + [{"red"}] * 30
SEQUENCE += [{"red", "amber"}] * 3 + [{"green"}] * 12


def car_up(tid: int, cross_frame: int, frames: int = 60, speed: float = 10.0) -> list[tuple]:
    """(frame, row) of a car driving up 10 px a frame, its foot at y = 300 at ``cross_frame``."""
    return [
        (i, (tid, 350.0, 300.0 + speed * (cross_frame - i), "car", 0.9, 60, 40))
        for i in range(frames)
        if -40 <= 300.0 + speed * (cross_frame - i) <= 470
    ]


def script_of(*cars: list[tuple], frames: int = 60) -> list[list[tuple]]:
    script: list[list[tuple]] = [[] for _ in range(frames)]
    for c in cars:
        for i, row in c:
            script[i].append(row)
    return script


def iso(frame: int) -> str:
    return datetime.fromtimestamp(T0 + frame / FPS, UTC).isoformat()


def test_lamp_colours_read_on_real_frames(street: list[np.ndarray]) -> None:
    cfg = SignalConfig.model_validate(PICTURE)
    img = street[0]
    assert read_lamp(img, cfg) is None  # the bare street corner: nothing lit
    for lit, want in [
        ({"red"}, "red"),
        ({"amber"}, "amber"),
        ({"green"}, "green"),
        ({"red", "amber"}, "red"),  # KZ/RU "get ready": still red
        ({"red", "green"}, "unknown"),  # contradictory: never a guess
        (set(), None),
    ]:
        assert read_lamp(paint(img, lit), cfg) == want, lit


def test_debounce_and_since_follow_the_known_sequence(street: list[np.ndarray]) -> None:
    sig = PictureSignal(SignalConfig.model_validate(PICTURE))  # min_frames 2
    states, sinces = [], []
    for i, lit in enumerate(SEQUENCE):
        r = sig.observe(paint(street[i], lit), T0 + i / FPS)
        states.append(r.state)
        sinces.append(r.since)
    # the first frame of each state is confirmed by the second: states lag one frame
    assert states[0] == "unknown" and states[1:11] == ["green"] * 10
    assert states[11:16] == ["amber"] * 5 and states[16:49] == ["red"] * 33
    assert states[49:] == ["green"] * 11
    assert sinces[5] is None  # green since start-up: when it began was not seen
    assert sinces[16] == T0 + 15 / FPS  # red began at the first red frame, not the confirmation
    assert sinces[49] == T0 + 48 / FPS


def test_a_one_frame_glitch_and_a_dark_flash_do_not_change_the_state(
    street: list[np.ndarray],
) -> None:
    sig = PictureSignal(SignalConfig.model_validate(PICTURE))
    seq = [{"red"}] * 5 + [{"green"}] + [{"red"}] * 3 + [set()] * 5 + [{"red"}] * 2
    seen = [sig.observe(paint(street[i], lit), T0 + i / FPS).state for i, lit in enumerate(seq)]
    assert seen[1:] == ["red"] * (len(seq) - 1)  # dark 1.0 s < dark_hold_s 1.2 s
    long_dark = [{"red"}] * 3 + [set()] * 10
    sig = PictureSignal(SignalConfig.model_validate(PICTURE))
    seen = [
        sig.observe(paint(street[i], lit), T0 + i / FPS).state for i, lit in enumerate(long_dark)
    ]
    assert seen[-1] == "unknown"  # dark longer than the hold: the state is not known


def test_red_light_from_the_picture_only_for_the_car_crossing_on_red(
    street: list[np.ndarray],
) -> None:
    cfg = scene(
        lines=[STOP],
        signals=[PICTURE],
        rules=[{"type": "red_light", "name": "rl", "signal": "main", "line": "stop"}],
    )
    images = [paint(street[i], lit) for i, lit in enumerate(SEQUENCE)]
    script = script_of(
        car_up(1, 5),  # crosses on green
        car_up(2, 12),  # on amber
        car_up(3, 25),  # on red
        car_up(4, 52),  # on green again (after red + amber)
    )
    events = run_events(cfg, script, images=images)
    assert [(e.track_id, e.type, e.phase) for e in events] == [(3, "red_light", "instant")]
    a = events[0].attributes
    assert a["violation"] is True and a["vehicle_class"] == "car"
    assert (a["signal_state"], a["signal_source"]) == ("red", "picture")
    assert a["signal_since"] == iso(15)
    # the foot is 10 px past the line (min_distance 8) one frame after y = 300
    assert a["crossed_at"] == iso(26) and a["line"] == "stop"
    assert events[0].pts == pytest.approx(26 / FPS)


def test_grace_after_red_and_junction_confirmation(street: list[np.ndarray]) -> None:
    rule = {"type": "red_light", "name": "rl", "signal": "main", "line": "stop"}
    images = [paint(street[i], lit) for i, lit in enumerate(SEQUENCE)]
    # crosses at frame 16, 0.2 s after red began at 15: inside a 1 s grace
    graced = scene(lines=[STOP], signals=[PICTURE], rules=[{**rule, "grace_s": 1.0}])
    assert run_events(graced, script_of(car_up(5, 15)), images=images) == []
    # with a junction zone: the car that stops just past the line has not run the light
    zoned = scene(
        lines=[STOP], zones=[JUNCTION], signals=[PICTURE], rules=[{**rule, "zone": "junction"}]
    )
    stops = [
        (i, (6, 350.0, max(290.0, 300.0 + 10 * (25 - i)), "car", 0.9, 60, 40)) for i in range(45)
    ]
    runs = car_up(7, 30)
    events = run_events(zoned, script_of(stops, runs), images=images)
    assert [(e.track_id, e.attributes["zone"]) for e in events] == [(7, "junction")]


def controller_verdicts(board: SignalBoard) -> list[Event]:
    """Camera "cam"'s red-light rule on its controller signal "ctl" (no pixels), over three
    cars crossing the stop line at frames 10, 30 and 45; the board's feed is complete
    before the frames are analysed."""
    cfg = scene(
        lines=[STOP],
        signals=[{"name": "ctl", "source": "controller"}],
        rules=[{"type": "red_light", "name": "rl", "signal": "ctl", "line": "stop"}],
    )
    engine = SceneEngine("cam", cfg, board=board)
    engine.has_image = False
    events: list[Event] = []
    for i, rows in enumerate(script_of(car_up(1, 10), car_up(2, 30), car_up(3, 45))):
        frame = Frame("cam", i, i / FPS, T0 + i / FPS, np.zeros((1, 1, 3), np.uint8))
        events += engine.update(frame, dets(*rows), COCO_CLASSES)
    return events


def test_red_light_fed_by_a_controller_is_judged_at_the_frame_time() -> None:
    board = SignalBoard()
    board.put("cam", "ctl", "green", T0)
    board.put("cam", "ctl", "red", T0 + 4.0)  # red from frame 20
    board.put("cam", "ctl", "green", T0 + 8.0)  # green from frame 40
    events = controller_verdicts(board)
    assert [e.track_id for e in events] == [2]
    a = events[0].attributes
    assert (a["signal_state"], a["signal_source"], a["signal_since"]) == (
        "red",
        "controller",
        iso(20),
    )


def test_signal_board_history_staleness_and_repeats() -> None:
    b = SignalBoard(history=3)
    assert b.put("c", "s", "red", 100.0) is True
    assert b.put("c", "s", "red", 105.0) is False  # a repeat keeps the first time
    assert b.put("c", "s", "green", 130.0) is True
    assert b.put("c", "s", "amber", 127.0) is True  # late report, slotted in by time
    assert b.state_at("c", "s", 110.0).state == "red"
    assert b.state_at("c", "s", 110.0).since == 100.0
    assert b.state_at("c", "s", 128.0).state == "amber"
    assert b.state_at("c", "s", 131.0).state == "green"
    assert b.state_at("c", "s", 50.0).state == "unknown"  # before anything was heard
    assert b.state_at("c", "s", 111.0, stale_after_s=5.0).state == "unknown"  # last heard 105
    b.put("c", "s", "red", 140.0)  # history 3: the oldest (red at 100) is dropped
    assert b.state_at("c", "s", 110.0).state == "unknown"
    assert [r["state"] for r in b.current()] == ["red"]


def test_red_since_start_up_has_no_since_and_gets_no_grace(street: list[np.ndarray]) -> None:
    rule = {"type": "red_light", "name": "rl", "signal": "main", "line": "stop"}
    images = [paint(street[i], {"red"}) for i in range(40)]  # red before the camera started
    script = script_of(car_up(1, 20, frames=40), frames=40)
    plain = scene(lines=[STOP], signals=[PICTURE], rules=[rule])
    (ev,) = run_events(plain, script, images=images)
    assert ev.attributes["signal_state"] == "red" and ev.attributes["signal_since"] is None
    graced = scene(lines=[STOP], signals=[PICTURE], rules=[{**rule, "grace_s": 1.0}])
    assert run_events(graced, script, images=images) == []  # grace cannot be shown to be over
