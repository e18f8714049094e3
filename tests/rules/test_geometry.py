import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from kuzet.rules.geometry import EDGE_EPS, points_in_polygon

BAND = 10 * EDGE_EPS

coord = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)


@given(x0=coord, y0=coord, w=st.floats(1, 1e3), h=st.floats(1, 1e3), px=coord, py=coord)
def test_rectangle_matches_interval_test(x0: float, y0: float, w: float, h: float, px: float, py: float) -> None:
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
