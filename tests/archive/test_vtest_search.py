"""Real footage: the real pipeline over vtest.avi fills the track index, then a search
finds a track known by eye, by its colour and by a line drawn after the fact.

Known by eye (tests/faces/test_clothing.py, tests/rules/test_vtest_counts.py): at source
frame 500 (50.0 s) a woman in a red top and blue jeans stands at box (304, 185, 334, 265),
walking left; she crosses the hand-counted line x = 230 (y 150..340) leftwards ("out")
at source frame 521 (52.0 s). The 14 hand-counted crossings of that line are the
reference for the after-the-fact line over every stored track.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from tests.rules.test_vtest_counts import DATA, match

from kuzet.archive import TrackHit, TrackIndex, TrackQuery
from kuzet.config import CameraConfig, NanoDetConfig, SiteConfig
from kuzet.config.archive import ArchiveConfig
from kuzet.config.faces import FacesConfig
from kuzet.config.rules import LineConfig
from kuzet.core import Event
from kuzet.pipeline.enrichers import Enrichment
from kuzet.pipeline.node import Node
from kuzet.rules.replay import load_scene
from kuzet.vision import create_detector

pytestmark = pytest.mark.slow
T0 = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)  # the recording's start, as given to analysis
LINE = LineConfig(name="x230", points=((230, 150), (230, 340)), in_point=(300, 245))
WOMAN_AT_500 = (319.0, 265.0)  # her feet (bottom centre of the box) at 50.0 s


@dataclass
class Run:
    index: TrackIndex
    events: list[Event]


@pytest.fixture(scope="module")
def run(vtest_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Run:
    data = tmp_path_factory.mktemp("site")
    scene = load_scene(DATA / "vtest_scene.yaml")  # the live counting line, for comparison
    site = SiteConfig(
        data_dir=data,
        detector=NanoDetConfig(threads=1),
        faces=FacesConfig(clothing_colours=True),  # the colours the index stores
        archive=ArchiveConfig(),
        cameras=[CameraConfig(id="vtest", main_url=str(vtest_path), fps=5.0, rules=[scene])],
    )
    enrichment = Enrichment(site, engine=None)  # type: ignore[arg-type]  # no plugin here needs it
    assert enrichment.enabled == ["archive", "person_attributes"]
    events: list[Event] = []
    node = Node(site, create_detector(site.detector), events.append, realtime=False,
                enrichers_for=lambda cam: enrichment.for_camera(cam, None),
                media_origin=T0.timestamp())  # fmt: skip
    node.start()
    try:
        assert node.wait(600)
    finally:
        node.stop()
    enrichment.close()  # writes what is buffered
    return Run(TrackIndex(site.archive.root(data)), events)


def q(**kw: object) -> TrackQuery:
    base: dict[str, object] = {"since": T0, "until": T0 + timedelta(minutes=2), "limit": 1000}
    return TrackQuery(**(base | kw))  # type: ignore[arg-type]


def position(h: TrackHit, t: datetime) -> tuple[float, float] | None:
    assert h.trajectory is not None
    path = np.array(h.trajectory, np.float64)
    ms = (t - h.start).total_seconds() * 1000
    if not path[0, 2] <= ms <= path[-1, 2]:
        return None
    return float(np.interp(ms, path[:, 2], path[:, 0])), float(
        np.interp(ms, path[:, 2], path[:, 1])
    )


def woman(hits: list[TrackHit]) -> TrackHit:
    at_500 = T0 + timedelta(seconds=50)
    near = []
    for h in hits:
        p = position(h, at_500)
        if p is not None and np.hypot(p[0] - WOMAN_AT_500[0], p[1] - WOMAN_AT_500[1]) < 25:
            near.append(h)
    assert len(near) == 1, [(h.ref, position(h, at_500)) for h in hits]
    return near[0]


def test_every_track_became_a_row(run: Run) -> None:
    page = run.index.search(q())
    persons = [h for h in page.items if h.class_name == "person"]
    assert (
        15 <= len(persons) <= 40
    )  # ~20 people cross in 80 s (tests/pipeline/test_vtest_tracking.py)
    assert all(h.snapshot and h.frames >= 1 and h.frame_w == 768 for h in persons)
    coloured = [h for h in persons if "upper_colour" in h.attributes]
    assert len(coloured) >= len(persons) // 2  # attributes events reached the rows
    assert run.index.snapshot(persons[0].ref)[:2] == b"\xff\xd8"  # type: ignore[index]


def test_the_woman_in_red_by_colour(run: Run) -> None:
    red = run.index.search(q(attributes={"upper_colour": ("red",)}, trajectory=True)).items
    her = woman(red)
    assert her.attributes["upper_colour"] == "red" and her.class_name == "person"
    # the colour filter really filters: tracks of other colours are not returned
    everyone = run.index.search(q(trajectory=True)).items
    assert woman(everyone).ref == her.ref and len(red) < len(everyone) / 2


def test_the_woman_by_a_line_drawn_after_the_fact(run: Run) -> None:
    cam = frozenset({"vtest"})
    out = run.index.search(q(cameras=cam, line=LINE, direction="out", trajectory=True)).items
    her = woman(out)
    (crossing,) = [c for c in her.crossings or [] if c[1] == "out"]
    assert abs((crossing[0] - T0).total_seconds() - 52.0) <= 0.8  # hand count: frame 521
    both = run.index.search(q(cameras=cam, line=LINE, attributes={"upper_colour": ("red",)}))
    assert her.ref in [h.ref for h in both.items]
    assert her.ref not in [h.ref for h in run.index.search(q(cameras=cam, line=LINE,
                                                               direction="in")).items]  # fmt: skip


def test_after_the_fact_line_matches_the_hand_count_and_the_live_rule(run: Run) -> None:
    hits = run.index.search(q(cameras=frozenset({"vtest"}), line=LINE)).items
    stored = [(round((t - T0).total_seconds() * 10) + 1, d)
              for h in hits for t, d in h.crossings or []]  # fmt: skip
    matched, missed, extra = match(stored)
    assert matched >= 13 and extra <= 1, (matched, missed, extra)
    live = Counter((e.track_id, e.attributes["direction"]) for e in run.events
                   if e.type == "line_crossing")  # fmt: skip
    after = Counter((h.track_id, d) for h in hits for _, d in h.crossings or [])
    assert sum((live - after).values()) + sum((after - live).values()) <= 1, (live, after)
