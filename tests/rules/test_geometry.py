import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from kuzet.rules.geometry import EDGE_EPS, points_in_polygon

BAND = 10 * EDGE_EPS

coord = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)


@given(x0=coord, y0=coord, w=st.floats(1, 1e3), h=st.floats(1, 1e3), px=coord, py=coord)
def test_rectangle_matches_interval_test(
    x0: float, y0: float, w: float, h: float, px: float, py: float
) -> None:
    rect = np.array([[x0, y0], [x0 + w, y0], [x0 + w, y0 + h], [x0, y0 + h]])
    # keep clear of the tolerance band around the edges, where either answer is right
    assume(min(abs(px - x0), abs(px - x0 - w), abs(py - y0), abs(py - y0 - h)) > BAND)
    expected = x0 <= px <= x0 + w and y0 <= py <= y0 + h
    assert bool(points_in_polygon(np.array([[px, py]]), rect)[0]) == expected


@given(t=st.floats(0, 1))
def test_points_on_edges_and_vertices_count_as_inside(t: float) -> None:
    tri = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    on_edges = np.array([[10 * t, 0.0], [0.0, 10 * t], [10 * (1 - t), 10 * t]])
    assert points_in_polygon(on_edges, tri).all()
    assert points_in_polygon(tri, tri).all()


def test_concave_polygon_notch_is_outside() -> None:
    u_shape = np.array([[0, 0], [30, 0], [30, 30], [20, 30], [20, 10], [10, 10], [10, 30], [0, 30]])
    pts = np.array([[15, 20], [5, 20], [25, 20], [15, 5]])
    assert points_in_polygon(pts, u_shape).tolist() == [False, True, True, True]


@given(px=coord, py=coord)
def test_degenerate_polygons_contain_nothing_or_only_their_segment(px: float, py: float) -> None:
    assert not points_in_polygon(np.array([[px, py]]), np.array([[0, 0], [1, 1]])).any()
    flat = np.array([[0.0, 0.0], [10.0, 0.0], [5.0, 0.0]])  # zero-area polygon
    assume(abs(py) > BAND or py == 0.0)
    assume(min(abs(px), abs(px - 10.0)) > BAND)
    inside = bool(points_in_polygon(np.array([[px, py]]), flat)[0])
    assert inside == (py == 0.0 and 0.0 <= px <= 10.0)


def test_empty_inputs() -> None:
    assert points_in_polygon(np.empty((0, 2)), np.array([[0, 0], [1, 0], [0, 1]])).shape == (0,)


# ---------------------------------------------------------------- many zones, lines
from kuzet.rules.geometry import (  # noqa: E402
    LineSet,
    PolygonSet,
    apply_homography,
    homography,
)

small = st.floats(-500, 500, allow_nan=False, allow_infinity=False)
polygon = st.lists(st.tuples(small, small), min_size=3, max_size=8)


@given(
    polys=st.lists(polygon, min_size=1, max_size=5),
    pts=st.lists(st.tuples(small, small), min_size=1, max_size=20),
)
def test_polygon_set_agrees_with_one_polygon_at_a_time(polys, pts) -> None:  # type: ignore[no-untyped-def]
    p = np.array(pts)
    got = PolygonSet([np.array(q) for q in polys]).contains(p)
    want = np.stack([points_in_polygon(p, np.array(q)) for q in polys], axis=1)
    assert got.shape == (len(pts), len(polys))
    assert (got == want).all()


@given(ax=small, ay=small, bx=small, by=small, px=small, py=small, t=st.floats(0, 1))
def test_line_side_and_position(ax, ay, bx, by, px, py, t) -> None:  # type: ignore[no-untyped-def]
    assume(np.hypot(bx - ax, by - ay) > 1)
    cross = (bx - ax) * (py - ay) - (by - ay) * (px - ax)
    assume(abs(cross) / np.hypot(bx - ax, by - ay) > 1)  # in_point clearly off the line
    ls = LineSet(np.array([[[ax, ay], [bx, by]]]), np.array([[px, py]]))
    assert ls.signed_distance(np.array([[px, py]]))[0, 0] > 0  # in_point side is positive
    on = np.array([[ax + t * (bx - ax), ay + t * (by - ay)]])
    assert abs(ls.signed_distance(on)[0, 0]) < 1e-6 * max(
        1.0, abs(ax) + abs(bx) + abs(ay) + abs(by)
    )
    assert abs(ls.along(on)[0, 0] - t) < 1e-6
    d = np.array([bx - ax, by - ay]) / np.hypot(bx - ax, by - ay)
    rel = np.array([px - ax, py - ay])
    reflected = np.array([ax, ay]) + 2 * (rel @ d) * d - rel
    assert ls.signed_distance(reflected[None])[0, 0] < 0


@given(
    x0=st.floats(0, 50),
    y0=st.floats(-200, 200),
    x1=st.floats(150, 200),
    y1=st.floats(-200, 200),
    seg_lo=st.floats(-100, 90),
    seg_hi=st.floats(110, 300),
)
def test_a_straight_walk_crosses_once_in_its_direction(x0, y0, x1, y1, seg_lo, seg_hi) -> None:  # type: ignore[no-untyped-def]
    """Through a vertical segment x=100 from seg_lo to seg_hi: one count iff the path's
    crossing point lies on the segment, 'in' for left to right, 'out' back."""
    from tests.rules.helpers import run_events, scene

    y_cross = y0 + (100 - x0) * (y1 - y0) / (x1 - x0)
    assume(min(abs(y_cross - seg_lo), abs(y_cross - seg_hi)) > 1.0)
    cfg = scene(
        lines=[
            {
                "name": "l",
                "points": [[100, seg_lo], [100, seg_hi]],
                "in_point": [200, (seg_lo + seg_hi) / 2],
                "min_distance": 5,
            }
        ],
        rules=[{"type": "line_crossing", "name": "c", "line": "l"}],
    )
    steps = 12
    path = [(x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps) for i in range(steps + 1)]
    there = [[(1, x, y)] for x, y in path]
    back = [[(1, x, y)] for x, y in reversed(path)]
    evs = run_events(cfg, there + back)
    want = ["in", "out"] if seg_lo < y_cross < seg_hi else []
    assert [e.attributes["direction"] for e in evs] == want


def test_degenerate_inputs_of_sets() -> None:
    assert PolygonSet([]).contains(np.array([[1.0, 2.0]])).shape == (1, 0)
    flat = PolygonSet([np.array([[0, 0], [1, 1]]), np.array([[0, 0], [4, 0], [0, 4]])])
    assert flat.contains(np.array([[1.0, 1.0]])).tolist() == [[False, True]]
    assert PolygonSet([np.array([[0, 0], [4, 0], [0, 4]])]).contains(np.empty((0, 2))).shape == (
        0,
        1,
    )


@given(u=st.floats(0, 100), v=st.floats(0, 100))
def test_homography_maps_the_reference_points_and_between(u: float, v: float) -> None:
    img = np.array([[100, 300], [500, 300], [400, 100], [200, 100]], float)  # a trapezoid road
    world = np.array([[0, 0], [10, 0], [10, 30], [0, 30]], float)
    h = homography(img, world)
    assert np.allclose(apply_homography(h, img), world, atol=1e-6)
    back = homography(world, img)
    p = np.array([[u * 0.1, v * 0.3]])
    assert np.allclose(apply_homography(h, apply_homography(back, p)), p, atol=1e-6)


def test_homography_maps_known_points_that_were_not_given() -> None:
    """A 10 m x 10 m square seen as a symmetric trapezoid (near edge at the bottom). Points
    whose images follow from projective geometry alone, not from any solver: the
    diagonals' crossing is the square's centre, and along the two horizontal edges
    (parallel to the horizon) ratios are kept, so their midpoints map to midpoints."""
    img = np.array([[100, 400], [500, 400], [400, 100], [200, 100]], float)
    world = np.array([[0, 0], [10, 0], [10, 10], [0, 10]], float)
    h = homography(img, world)
    known_img = np.array([[300, 200], [300, 400], [300, 100], [150, 400]], float)
    known_world = np.array([[5, 5], [5, 0], [5, 10], [1.25, 0]], float)
    assert np.allclose(apply_homography(h, known_img), known_world, atol=1e-9)
    assert apply_homography(h, np.empty((0, 2))).shape == (0, 2)
    many = apply_homography(h, np.tile(img, (1000, 1)).astype(np.float32))
    assert many.dtype == np.float64 and np.allclose(many, np.tile(world, (1000, 1)), atol=1e-6)
