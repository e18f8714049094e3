"""Real footage: line and zone counts on vtest.avi against a hand count.

Hand count (docs/rules.md has the method): line x=230, y 150..340, 'in' = moving right.
Each tuple is (source frame, 1-based at 10 fps, where the feet cross; direction).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kuzet.rules.geometry import points_in_polygon
from kuzet.rules.replay import load_scene, read_tracks, replay

DATA = Path(__file__).parent / "data"
HAND_CROSSINGS = [
    (180, "out"),
    (201, "out"),
    (245, "out"),
    (305, "out"),
    (308, "in"),
    (325, "in"),
    (521, "out"),
    (593, "out"),
    (651, "in"),
    (671, "in"),
    (673, "out"),
    (707, "in"),
    (708, "out"),
    (759, "in"),
]
# people with their feet in the zone, by eye, every 50th frame (boundary cases as ranges)
HAND_OCCUPANCY = {
    51: (0, 0),
    101: (0, 0),
    151: (0, 0),
    201: (1, 1),
    251: (1, 1),
    301: (3, 4),
    351: (0, 0),
    401: (1, 1),
    451: (1, 1),
    501: (1, 1),
    551: (1, 1),
    601: (1, 1),
    651: (2, 3),
    701: (2, 2),
    751: (2, 2),
}
TOLERANCE_FRAMES = 8


def crossings(tracks: Path) -> list[tuple[int, str]]:
    scene = load_scene(DATA / "vtest_scene.yaml")
    return [
        (round(e.pts * 10) + 1, e.attributes["direction"])
        for e in replay(scene, read_tracks(tracks), fps=10.0)
        if e.type == "line_crossing"
    ]


def match(got: list[tuple[int, str]]) -> tuple[int, int, int]:
    """Greedy one-to-one matching in time and direction: (matched, missed, extra)."""
    free = list(got)
    matched = 0
    for frame, direction in HAND_CROSSINGS:
        best = min(
            (g for g in free if g[1] == direction), default=None, key=lambda g: abs(g[0] - frame)
        )
        if best is not None and abs(best[0] - frame) <= TOLERANCE_FRAMES:
            free.remove(best)
            matched += 1
    return matched, len(HAND_CROSSINGS) - matched, len(free)


def test_recorded_tracks_match_the_hand_count_exactly() -> None:
    got = crossings(DATA / "vtest_tracks.txt")
    assert match(got) == (14, 0, 0)
    assert sum(d == "in" for _, d in got) == 6 and sum(d == "out" for _, d in got) == 8


def test_zone_occupancy_matches_the_hand_count() -> None:
    zone = np.array(load_scene(DATA / "vtest_scene.yaml").zones[0].points)
    for n, d in read_tracks(DATA / "vtest_tracks.txt"):
        if n in HAND_OCCUPANCY:
            lo, hi = HAND_OCCUPANCY[n]
            inside = int(points_in_polygon(d.anchor("bottom_center"), zone).sum())
            assert lo <= inside <= hi, f"frame {n}: {inside} in zone, hand count {lo}-{hi}"


@pytest.mark.slow
def test_detector_and_tracker_end_to_end(tmp_path: Path) -> None:
    """Re-detect and re-track the clip (NanoDet + ByteTrack, 5 fps) and count again."""
    import tests.rules.make_vtest_tracks as mk

    mk.OUT = tmp_path / "tracks.txt"
    mk.main()
    matched, _missed, extra = match(crossings(mk.OUT))
    assert matched >= 13 and extra <= 1
