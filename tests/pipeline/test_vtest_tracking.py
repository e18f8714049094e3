"""Real footage: the pedestrians of vtest.avi detected and tracked at 5 fps.

Hand counts (persons visible, counted by eye on the source frames, 10 fps numbering):
frame 100: 7, frame 200: 7, frame 400: 3, frame 700: 8 (docs/benchmarks.md keeps the table).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import av
import numpy as np
import pytest

from kuzet.config import CameraConfig, IntrusionRuleConfig, NanoDetConfig, SceneRuleSetConfig
from kuzet.core import Frame
from kuzet.pipeline.camera import CameraPipeline
from kuzet.tracking import TrackerSettings
from kuzet.vision import create_detector

pytestmark = pytest.mark.slow

HAND_COUNT = {100: 7, 200: 7, 400: 3, 700: 8}


@pytest.fixture(scope="module")
def tracked(vtest_path: Path) -> tuple[dict[int, int], dict[int, list[int]]]:
    det = create_detector(NanoDetConfig())
    cam = CameraConfig(
        id="vtest",
        main_url=str(vtest_path),
        rules=[SceneRuleSetConfig(rules=[IntrusionRuleConfig(name="p")])],
    )
    pipe = CameraPipeline(cam, det.labels, tracker=TrackerSettings(fps=5.0))
    counts: dict[int, int] = {}
    life: dict[int, list[int]] = defaultdict(list)
    with av.open(str(vtest_path)) as c:
        for i, vf in enumerate(c.decode(video=0)):
            if i % 2:
                continue  # 10 fps source analysed at 5 fps
            img = vf.to_ndarray(format="bgr24")
            dets = det.detect([img])[0]
            pipe.process(Frame("vtest", i, i / 10, 0.0, img), dets)
            t = pipe.last_tracks
            persons = t[t.class_id == 0]
            counts[i] = len(persons)
            for tid in persons.tracker_id if persons.tracker_id is not None else []:
                life[int(tid)].append(i)
    return counts, life


def test_counts_match_hand_counts(tracked: tuple[dict[int, int], dict[int, list[int]]]) -> None:
    counts, _ = tracked
    for frame, expected in HAND_COUNT.items():
        assert abs(counts[frame] - expected) <= 1, f"frame {frame}: {counts[frame]} vs {expected}"
    total_err = sum(abs(counts[f] - n) for f, n in HAND_COUNT.items())
    assert total_err <= 3


def test_track_ids_are_stable(tracked: tuple[dict[int, int], dict[int, list[int]]]) -> None:
    _, life = tracked
    lengths = np.array([len(v) for v in life.values()])
    # ~20 different people cross the scene in 80 s; a fragmenting tracker gives >100 ids
    assert len(life) <= 40
    assert np.median(lengths) >= 30  # 6 s at 5 fps
    # an id never jumps back in time: every track's frames are increasing
    assert all(v == sorted(v) for v in life.values())
