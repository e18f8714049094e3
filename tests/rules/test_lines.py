"""line_crossing: direction, flicker, simultaneous crossings, track loss, segment ends."""

from __future__ import annotations

from tests.rules.helpers import run, run_events, scene

from kuzet.rules.lines import LineFamily

LINE = {"name": "door", "points": [[100, 0], [100, 200]], "in_point": [200, 100], "min_distance": 8}


def cfg(**rule: object):  # type: ignore[no-untyped-def]
    r = {"type": "line_crossing", "name": "count", "line": "door", **rule}
    return scene(lines=[LINE], rules=[r])


def walk(tid: int, xs: list[float], y: float = 100) -> list[list[tuple[int, float, float]]]:
    return [[(tid, x, y)] for x in xs]


def test_single_crossing_in_and_out() -> None:
    assert run(cfg(), walk(1, [50, 70, 90, 110, 130])) == [(3, "count", "instant", 1)]
    evs = run_events(cfg(), walk(1, [150, 120, 95, 80]))
    assert [(e.attributes["direction"], e.attributes["count_out"]) for e in evs] == [("out", 1)]
    assert round(evs[0].pts * 5) == 3


def test_flicker_on_the_line_counts_once() -> None:
    xs = [50, 80, 95, 105, 95, 106, 94, 105, 120, 104, 96, 104, 99]
    evs = run_events(cfg(), walk(1, xs))
    assert [(round(e.pts * 5), e.attributes["direction"]) for e in evs] == [(8, "in")]


def test_simultaneous_crossings_each_count() -> None:
    script = [
        [(1, 80, 50), (2, 85, 120), (3, 120, 160)],
        [(1, 115, 50), (2, 112, 120), (3, 90, 160)],
    ]
    evs = run_events(cfg(), script)
    got = sorted((e.track_id, e.attributes["direction"]) for e in evs)
    assert got == [(1, "in"), (2, "in"), (3, "out")]
    assert {round(e.pts * 5) for e in evs} == {1}
    assert max(e.attributes["count_in"] for e in evs) == 2


def test_track_lost_on_the_line_and_reacquired_beyond_counts_once() -> None:
    script = walk(7, [60, 80, 96]) + [[]] * 3 + walk(7, [125, 140])
    assert run(cfg(), script) == [(6, "count", "instant", 7)]


def test_track_lost_longer_than_forget_is_not_counted() -> None:
    script = walk(7, [60, 80]) + [[]] * 30 + walk(7, [125, 140])
    assert run(cfg(forget_after_s=5.0), script) == []


def test_walking_round_the_end_of_the_segment_does_not_count() -> None:
    assert run(cfg(), walk(1, [50, 80, 120, 150], y=260)) == []
    # ... and coming back through the segment afterwards counts as 'out' once
    script = walk(1, [50, 80, 120, 150], y=260) + walk(1, [130, 90, 70], y=100)
    evs = run_events(cfg(), script)
    assert [(round(e.pts * 5), e.attributes["direction"]) for e in evs] == [(5, "out")]


def test_class_filter_size_filter_and_direction_filter() -> None:
    car = [[(1, x, 100, "car")] for x in (50, 90, 130)]
    assert run(cfg(), car) == []
    small = [[(1, x, 100, "person", 0.9, 5, 10)] for x in (50, 90, 130)]
    assert run(cfg(min_height=20), small) == []
    # only 'in' is reported, but 'out' is still counted
    script = walk(1, [150, 120, 90, 70]) + walk(1, [80, 110, 130])
    evs = run_events(cfg(directions="in"), script)
    assert [
        (e.attributes["direction"], e.attributes["count_in"], e.attributes["count_out"])
        for e in evs
    ] == [("in", 1, 1)]


def test_per_class_counts_are_separate() -> None:
    script = [
        [(1, 50, 100, "person"), (2, 50, 150, "bicycle")],
        [(1, 130, 100, "person"), (2, 130, 150, "bicycle")],
        [(3, 50, 60, "person")],
        [(3, 130, 60, "person")],
    ]
    c = cfg(classes=["person", "bicycle"])
    evs = run_events(c, script)
    assert [(e.class_name, e.attributes["count_in"]) for e in evs] == [
        ("person", 1),
        ("bicycle", 1),
        ("person", 2),
    ]


def test_totals_and_deterministic_ids() -> None:
    from kuzet.rules import create_rule

    a = run_events(cfg(), walk(1, [50, 130, 50, 130]))
    b = run_events(cfg(), walk(1, [50, 130, 50, 130]))
    assert [e.id for e in a] == [e.id for e in b] and len({e.id for e in a}) == 3
    engine = create_rule("cam", cfg())
    fam = engine.families["lines"]  # type: ignore[attr-defined]
    assert isinstance(fam, LineFamily)
