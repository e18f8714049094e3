"""The forensic search screen finds a track known by eye in vtest.avi (the woman in red,
tests/archive/test_vtest_search.py) as a person would: by the colour of her top within
an area drawn on the map, then by a line drawn after the fact on the camera's picture (a
thumbnail of its recording), and opens the recording at her crossing. The track index
is filled by the real pipeline (NanoDet, tracker, clothing colours) over the footage; the
recording is the same footage as H.264 through the real recorder."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from tests.archive.test_vtest_search import LINE, T0, Run, q, run, woman

from kuzet.access.model import Role
from kuzet.archive import TrackIndex
from kuzet.core.records import CameraInfo

from .conftest import Hold, Server, login, person, shot, until
from .recorded import Recorded, recorded_city

__all__ = ["run"]  # the module's pipeline run (a fixture)
pytestmark = pytest.mark.slow
ALMATY = ZoneInfo("Asia/Almaty")
VIEW = {"width": 1440, "height": 900}
CAMERA = CameraInfo(id="vtest", name="Yard 7", category="public_safety", district="Almaly",
                    latitude=43.2480, longitude=76.9110, main_url="file:vtest.avi")  # fmt: skip
W, H = 768, 576  # the analysed picture (vtest.avi); the recording's is 640x360


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from rtsp import make_h264_clip

    # vtest.avi's own 10 frames a second: the recording's clock is the analysis' clock
    return make_h264_clip(tmp_path_factory.mktemp("fx-clip") / "cam.ts", seconds=80, fps=10)


@pytest.fixture
def city(run: Run, clip: Path, tmp_path: Path) -> Iterator[tuple[Recorded, Server]]:
    rec = recorded_city(tmp_path, clip, T0.timestamp(), [CAMERA], archive=run.index)
    with Server(rec.app) as server:
        yield rec, server
    rec.close()


def local(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).astimezone(ALMATY).strftime("%Y-%m-%dT%H:%M")


def refs(page: Any) -> list[str]:
    page.wait_for_selector("#fx-results[data-state=done]")
    hits = page.locator("#fx-results .fx-hit")
    return list(hits.evaluate_all("hs => hs.map(h => h.dataset.ref)"))


def click_picture(page: Any, x: float, y: float) -> None:
    """A click on the camera's picture where the analysed frame has pixel (x, y)."""
    page.locator("#fx-svg").scroll_into_view_if_needed()  # as a person scrolls to it
    box = page.locator("#fx-svg").bounding_box()
    page.mouse.click(box["x"] + x / W * box["width"], box["y"] + y / H * box["height"])


def test_the_woman_in_red_by_colour_and_by_a_line_drawn_on_the_picture(
    browser: Any, run: Run, city: tuple[Recorded, Server], tmp_path: Path
) -> None:
    rec, server = city
    her = woman(run.index.search(q(trajectory=True)).items)  # the reference, found by eye
    everyone = {h.ref for h in run.index.search(q()).items}
    secret = person(rec.svc, "aigerim", "city-police", Role.INVESTIGATOR)
    page = browser.new_context(viewport=VIEW).new_page()
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    login(page, server.url, "aigerim", secret, lang="ru")
    page.click("#tabs button[data-tab=forensic]")
    page.wait_for_selector("#fx-form")
    page.fill("#fx-since", local(-1))
    page.fill("#fx-until", local(3))

    # By colour, within an area drawn around the camera on the map.
    page.select_option("#fx-class", "person")
    page.select_option("#fx-attr-upper_colour", "red")
    page.click("#fx-area summary")
    corners = [(0.01, -0.01), (0.01, 0.01), (-0.01, 0.01), (-0.01, -0.01)]
    for dlat, dlon in corners:
        lat, lon = CAMERA.latitude + dlat, CAMERA.longitude + dlon  # type: ignore[operator]
        x, y = until(page, f"window.kuzetArea && window.kuzetArea.point({lat}, {lon})")
        box = page.locator("#fx-map").bounding_box()
        page.mouse.click(box["x"] + x, box["y"] + y)
    assert page.get_attribute("#fx-area", "data-points") == "4"
    page.click("#fx-go")
    red = refs(page)
    assert her.ref in red and len(red) < len(everyone) / 2
    card = page.locator(f".fx-hit[data-ref='{her.ref}']")
    assert "красный" in card.inner_text()  # the colour in the person's language
    until(page, f"document.querySelector(\".fx-hit[data-ref='{her.ref}'] img\").naturalWidth > 0")
    shot(page, tmp_path, "f1-forensic-by-colour", docs=True)
    page.click("#fx-area-clear")
    page.click("#fx-area summary")  # folded away again

    # By a line drawn on the camera's picture: the hand-counted line x = 230, crossed
    # outwards (the "in" side is to its right). Nothing about colour this time.
    page.select_option("#fx-attr-upper_colour", "")
    page.select_option("#fx-cameras", ["vtest"])
    # the picture to draw on: a thumbnail of the camera's recording
    until(page, "document.querySelector('#fx-pic').naturalWidth > 0", 20)
    page.select_option("#fx-mode", "line")
    (ax, ay), (bx, by) = LINE.points
    click_picture(page, ax, ay)
    click_picture(page, bx, by)
    click_picture(page, *LINE.in_point)
    assert page.get_attribute("#fx-geo", "data-points") == "2"
    page.select_option("#fx-direction", "out")
    page.click("#fx-go")
    crossed = refs(page)
    assert her.ref in crossed and len(crossed) < len(everyone)
    at = page.get_attribute(f".fx-hit[data-ref='{her.ref}']", "data-at")
    assert abs((datetime.fromisoformat(at) - T0).total_seconds() - 52.0) <= 1.0  # hand count: 52 s
    until(page, "[...document.querySelectorAll('.fx-hit img')].every(i => i.naturalWidth > 0)", 20)
    shot(page, tmp_path, "f2-forensic-by-line", docs=True)

    # Her picture opens the recording at that moment.
    page.click(f".fx-hit[data-ref='{her.ref}']")
    page.wait_for_selector("body[data-screen=playback]")
    player = "document.querySelector('.pb-player[data-camera=vtest]')"
    until(page, f"{player} && {player}.dataset.state === 'ready' && {player}.dataset.wall", 20)
    shown = datetime.fromisoformat(page.get_attribute(".pb-player[data-camera=vtest]", "data-wall"))
    assert abs((shown - datetime.fromisoformat(at)).total_seconds()) < 6
    searches = rec.svc.audit.rows(action="archive.search")
    assert searches and searches[-1]["actor"] == "aigerim"
    assert [u for u in asked if not u.startswith((server.url, "blob:", "data:"))] == []


def test_a_slow_picture_does_not_replace_the_next_cameras(
    browser: Any, clip: Path, tmp_path: Path
) -> None:
    """An investigator chooses one camera to draw on, then another before the first one's
    recording was found: the picture to draw on stays the camera chosen last (the late
    answer used to put the first camera's picture under the lines drawn for the second)."""
    other = CAMERA.model_copy(update={"id": "gate", "name": "Gate 2"})
    rec = recorded_city(tmp_path, clip, T0.timestamp(), [CAMERA, other],
                        archive=TrackIndex(tmp_path / "index"))  # fmt: skip
    try:
        with Server(rec.app) as server:
            secret = person(rec.svc, "aigerim", "city-police", Role.INVESTIGATOR)
            page = browser.new_context(viewport=VIEW).new_page()
            login(page, server.url, "aigerim", secret, lang="en")
            page.click("#tabs button[data-tab=forensic]")
            page.wait_for_selector("#fx-form")
            page.fill("#fx-until", local(3))
            held = Hold(page, lambda u: "/api/recordings/vtest/timeline?" in u)
            page.select_option("#fx-cameras", ["vtest"])
            held.wait()
            page.select_option("#fx-cameras", ["gate"])
            pic = "document.querySelector('#fx-pic').getAttribute('src') || ''"
            until(page, f"{pic}.includes('/api/recordings/gate/thumbnail.jpg')", show=pic)
            held.release()
            assert "/api/recordings/gate/" in page.evaluate(pic), page.evaluate(pic)
            assert page.get_attribute("#fx-geo", "data-camera") == "gate"
    finally:
        rec.close()
