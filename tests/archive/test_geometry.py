"""After-the-fact lines and zones over stored paths (synthetic paths: logic only).

The decisive check: on the same tracks, the after-the-fact line finds exactly the
crossings (per track and direction) that the live ``line_crossing`` rule emitted.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from tests.rules.helpers import run_events, scene

from kuzet.archive.geometry import Paths, default_in_point, line_crossings, zone_entries
from kuzet.archive.trajectory import simplify
from kuzet.config.rules import LineConfig, ZoneConfig

LINE = LineConfig(name="gate", points=((300, 100), (300, 400)), in_point=(400, 250))


def paths(*tracks: list[tuple[float, float, float]]) -> Paths:
    """Tracks as [(t seconds, x, y), ...] -> flat paths with ms times."""
    lens = [len(t) for t in tracks]
    offsets = np.zeros(len(tracks) + 1, np.int64)
    np.cumsum(lens, out=offsets[1:])
    flat = np.array([p for tr in tracks for p in tr], np.float64).reshape(-1, 3)
    t0 = np.repeat([tr[0][0] if tr else 0.0 for tr in tracks], lens)
    return Paths(offsets, flat[:, 1], flat[:, 2], (flat[:, 0] - t0) * 1000)


def test_crossing_direction_and_interpolated_time() -> None:
    p = paths(
        [(0, 200, 250), (2, 400, 250)],  # left -> right: towards in_point: "in" at 1 s
        [(0, 400, 200), (1, 350, 200), (3, 250, 200)],  # right -> left: "out" at 2 s
        [(0, 200, 50), (2, 400, 50)],  # passes above the segment's end: nothing
    )
    h = line_crossings(LINE, p)
    assert h.row.tolist() == [0, 1]
    assert h.direction.tolist() == [1, -1]
    assert np.allclose(h.t_ms, [1000, 2000])
    assert line_crossings(LINE, p, "in").row.tolist() == [0]
    assert line_crossings(LINE, p, "out").row.tolist() == [1]


def test_jitter_on_the_line_never_counts_but_real_returns_do() -> None:
    wobble = [(i * 0.2, 300 + (5 if i % 2 else -5), 250) for i in range(20)]  # within 8 px
    back_and_forth = [(0, 280, 250), (1, 320, 250), (2, 280, 250), (3, 320, 250)]
    h = line_crossings(LINE, paths(wobble, back_and_forth))
    assert h.row.tolist() == [1, 1, 1]
    assert h.direction.tolist() == [1, -1, 1]


def test_default_in_side_is_right_of_a_to_b_on_the_picture() -> None:
    # A->B points down the picture (y grows): its right-hand side on screen is -x
    x, y = default_in_point((300, 100), (300, 400))
    assert x < 300 and y == 250


def test_same_crossings_as_the_live_rule() -> None:
    rng = np.random.default_rng(3)
    cfg = scene(
        lines=[{"name": "gate", "points": [[300, 100], [300, 400]], "in_point": [400, 250]}],
        rules=[{"type": "line_crossing", "name": "count", "line": "gate"}],
    )
    n_tracks, frames = 12, 300
    start = rng.uniform([150, 120], [450, 380], (n_tracks, 2))
    steps = rng.normal(0, 9, (frames, n_tracks, 2))
    pos = start + np.cumsum(steps, axis=0)
    script = [
        [(k + 1, float(pos[f, k, 0]), float(pos[f, k, 1])) for k in range(n_tracks)]
        for f in range(frames)
    ]
    live = Counter(
        (e.track_id, e.attributes["direction"])
        for e in run_events(cfg, script, fps=5.0)
        if e.type == "line_crossing"
    )
    assert sum(live.values()) >= 20  # the walk really crosses, often
    tracks = [
        [(f / 5.0, pos[f, k, 0], pos[f, k, 1]) for f in range(frames)] for k in range(n_tracks)
    ]
    h = line_crossings(LINE, paths(*tracks))
    stored = Counter(
        (int(r) + 1, "in" if d > 0 else "out") for r, d in zip(h.row, h.direction, strict=True)
    )
    assert stored == live
    # simplified as the index stores them (2 px), the counts stay within a few
    simple = []
    for tr in tracks:
        a = np.array(tr)
        keep = simplify(a[:, 0], a[:, 1], a[:, 2], 2.0)
        simple.append([tuple(v) for v in a[keep]])
    h2 = line_crossings(LINE, paths(*simple))
    assert abs(len(h2.row) - sum(live.values())) <= max(2, sum(live.values()) // 20)


ZONE = ZoneConfig(name="lawn", points=[(100, 100), (200, 100), (200, 200), (100, 200)])


def test_zone_entry_vertex_inside_or_segment_through() -> None:
    p = paths(
        [(0, 50, 150), (1, 150, 150), (2, 250, 150)],  # crosses the edge x=100 at 0.5 s
        [(0, 50, 150), (4, 250, 150)],  # only the segment passes through: enters at 1 s
        [(0, 150, 150), (1, 250, 150)],  # starts inside: inside, never "entered"
        [(0, 50, 50), (1, 250, 50)],  # passes by
    )
    enter = zone_entries(ZONE, p, "enter")
    assert enter.row.tolist() == [0, 1]
    assert np.allclose(enter.t_ms, [500, 1000])
    inside = zone_entries(ZONE, p, "inside")
    assert inside.row.tolist() == [0, 1, 2]
    assert np.allclose(inside.t_ms, [500, 1000, 0])


def test_empty_paths() -> None:
    p = paths()
    assert len(line_crossings(LINE, p).row) == 0
    assert len(zone_entries(ZONE, p, "enter").row) == 0
