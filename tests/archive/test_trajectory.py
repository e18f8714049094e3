"""Trajectory simplification keeps where *and* when (synthetic paths: logic only)."""

from __future__ import annotations

import numpy as np

from kuzet.archive.trajectory import simplify


def _sed(t: np.ndarray, x: np.ndarray, y: np.ndarray, keep: np.ndarray) -> float:
    """Largest distance between a point and the simplified path at the same time."""
    px, py = np.interp(t, t[keep], x[keep]), np.interp(t, t[keep], y[keep])
    return float(np.max(np.hypot(px - x, py - y)))


def test_constant_walk_is_two_vertices() -> None:
    t = np.arange(50) / 5.0
    keep = simplify(t, 10 + 7 * t, 300 - 3 * t, 2.0)
    assert keep.tolist() == [0, 49]


def test_a_stop_keeps_its_vertices_so_times_stay_true() -> None:
    # walk 10 s, stand 30 s, walk on 10 s along one straight line: spatial
    # Douglas-Peucker keeps only the ends, so the stop's minute vanishes
    t = np.arange(0, 50.2, 0.2)
    x = np.clip(t, 0, 10) * 10 + np.clip(t - 40, 0, 10) * 10
    y = np.full_like(t, 200.0)
    keep = simplify(t, x, y, 2.0)
    assert len(keep) == 4
    assert np.allclose(t[keep], [0, 10, 40, 50], atol=0.21)
    assert _sed(t, x, y, keep) <= 2.0
    # where the walker passes x = 150 on the simplified path: 45 s, not ~30 s
    k = keep
    assert abs(np.interp(150, x[k][2:], t[k][2:]) - 45.0) < 0.3


def test_every_dropped_point_is_within_tolerance_at_its_time() -> None:
    rng = np.random.default_rng(7)
    for _ in range(30):
        n = int(rng.integers(2, 400))
        t = np.cumsum(rng.uniform(0.1, 0.4, n))
        x = np.cumsum(rng.normal(0, 4, n)) + 400
        y = np.cumsum(rng.normal(0, 4, n)) + 300
        tol = float(rng.uniform(0.5, 6))
        keep = simplify(t, x, y, tol)
        assert keep[0] == 0 and keep[-1] == n - 1 and np.all(np.diff(keep) > 0)
        assert _sed(t, x, y, keep) <= tol + 1e-9
        if n > 20:
            assert len(keep) < n  # it does simplify a jittery walk


def test_short_paths_are_kept_whole() -> None:
    assert simplify(np.array([0.0]), np.array([1.0]), np.array([2.0]), 1).tolist() == [0]
    assert simplify(np.array([0.0, 1]), np.array([1.0, 5]), np.array([2.0, 2]), 1).tolist() == [
        0,
        1,
    ]
