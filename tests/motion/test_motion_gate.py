"""The motion gate on still frames, real walkers and a synthetic moving square."""

from __future__ import annotations

import itertools

import av
import numpy as np
import pytest

from kuzet.assets import ensure
from kuzet.config.models import MotionConfig
from kuzet.motion import MotionGate


@pytest.fixture(scope="module")
def walkers() -> list[np.ndarray]:
    """40 frames of vtest.avi at 5 fps (every other frame)."""
    with av.open(str(ensure("vtest.avi"))) as c:
        frames = itertools.islice(c.decode(video=0), 0, 80, 2)
        return [f.to_ndarray(format="bgr24") for f in frames]


def test_still_frames_are_not_motion(walkers: list[np.ndarray]) -> None:
    gate = MotionGate()
    rng = np.random.default_rng(1)
    base = walkers[0].astype(np.int16)
    results = []
    for _ in range(30):  # sensor noise only
        noisy = np.clip(base + rng.normal(0, 2, base.shape), 0, 255).astype(np.uint8)
        results.append(gate.update(noisy))
    assert not any(r.moving for r in results)
    assert all(len(r.boxes) == 0 for r in results)


def test_vtest_walkers_are_motion(walkers: list[np.ndarray]) -> None:
    gate = MotionGate.from_config(MotionConfig())
    results = [gate.update(f) for f in walkers]
    after_warmup = results[5:]
    assert sum(r.moving for r in after_warmup) >= 0.9 * len(after_warmup)
    boxes = after_warmup[-1].boxes
    assert boxes.shape[1] == 4 and len(boxes) >= 3  # several pedestrians
    assert boxes[:, 2].max() <= 768 and boxes[:, 3].max() <= 576


def test_moving_square_gives_a_box_where_it_is() -> None:
    gate = MotionGate(width=160)
    bg = np.full((480, 640, 3), 90, np.uint8)
    bg[::40] = 120  # some texture
    for _ in range(50):  # MOG2 learns fast while young: let the background settle
        gate.update(bg)
    result = None
    for step in range(5):
        frame = bg.copy()
        x = 300 + step * 8
        frame[200:280, x : x + 80] = 240
        result = gate.update(frame)
    assert result is not None and result.moving
    assert len(result.boxes) == 1
    x1, y1, x2, y2 = result.boxes[0]
    assert abs(x1 - 332) <= 12 and abs(x2 - 412) <= 12
    assert abs(y1 - 200) <= 12 and abs(y2 - 280) <= 12
    assert result.fraction == pytest.approx(80 * 80 / (640 * 480), rel=0.5)


def test_resolution_change_resets_the_background(walkers: list[np.ndarray]) -> None:
    gate = MotionGate()
    for f in walkers[:5]:
        gate.update(f)
    small = walkers[5][::2, ::2].copy()
    assert not gate.update(small).moving  # warm-up again, no false alarm
