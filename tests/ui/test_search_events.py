"""Event search in the browser: an investigator finds one known event among look-alikes by
camera + time range + object class and opens its snapshot and the clip around it (real
vtest footage); an analyst finds it by district and sees no picture (analysts never do)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from tests.incidents.conftest import CAMERAS, make_ops, stop_ops

from kuzet.access.model import Role
from kuzet.config.ops import OpsConfig
from kuzet.core.event import Event

from .conftest import Hold, Server, footage, login, person, shot, until

pytestmark = pytest.mark.slow
ALMATY = ZoneInfo("Asia/Almaty")
VIEW = {"width": 1440, "height": 900}
T = (datetime.now(UTC) - timedelta(hours=2)).replace(microsecond=0)


def local(ts: datetime) -> str:
    """What a person types into the page's time fields: the city's wall clock."""
    return ts.astimezone(ALMATY).strftime("%Y-%m-%dT%H:%M")


def event(eid: str, camera: str, ts: datetime, cls: str, **attrs: Any) -> Event:
    return Event(id=eid, type="zone_presence", camera_id=camera, ts=ts, phase="start",
                 rule="yard", track_id=7, class_name=cls, score=0.87,
                 attributes=attrs, snapshot=f"snapshots/{eid}.jpg")  # fmt: skip


@pytest.fixture
def city(tmp_path: Path, vtest_path: Path) -> Iterator[tuple[Any, Any, Server]]:
    store, svc, bus, app = make_ops(tmp_path, OpsConfig(), CAMERAS)
    jpg, mp4 = footage(vtest_path)
    known = event("known", "school-1", T, "person", upper_colour="red", clip="clips/known.mp4")
    others = [
        event("earlier", "school-1", T - timedelta(days=2), "person"),  # outside the range
        event("a-car", "school-1", T + timedelta(minutes=1), "car"),  # another class
        event("elsewhere", "traffic-1", T, "person"),  # another camera (district Medeu)
    ]
    blobs = app.state.kuzet.blobs
    for e in [known, *others]:
        blobs.put(f"snapshots/{e.id}.jpg", jpg)
    blobs.put("clips/known.mp4", mp4)
    store.insert_events([known, *others])
    with Server(app) as server:
        yield store, svc, server
    stop_ops(app)
    bus.close()
    store.close()


def search(page: Any, *, camera: str = "", district: str = "", cls: str = "") -> list[str]:
    page.fill("#srch-since", local(T - timedelta(minutes=10)))
    page.fill("#srch-until", local(T + timedelta(minutes=10)))
    if camera:
        page.select_option("#srch-camera", camera)
    if district:
        page.select_option("#srch-district", district)
    page.fill("#srch-class", cls)
    page.click("#srch-go")
    page.wait_for_selector("#srch-results[data-state=done]")
    return list(page.locator("#srch-results tr[data-id]").evaluate_all(
        "rs => rs.map(r => r.dataset.id)"))  # fmt: skip


def test_investigator_finds_the_event_and_plays_it(browser: Any, city: Any, tmp_path: Path) -> None:
    _, svc, server = city
    secret = person(svc, "timur", "city-police", Role.INVESTIGATOR)
    # A browser in another zone: the page's time fields are still the city's clock.
    page = browser.new_context(viewport=VIEW, timezone_id="Europe/Berlin").new_page()
    login(page, server.url, "timur", secret, lang="ru")
    page.click("#tabs button[data-tab=search]")
    page.wait_for_selector("#srch-form")
    assert search(page, camera="school-1", cls="person") == ["known"]
    row = page.locator("#srch-results tr[data-id=known]")
    assert "upper_colour: red" in row.inner_text()
    row.click()
    page.wait_for_selector("#srch-card[data-event=known]")
    until(page, "document.querySelector('#srch-snap')?.naturalWidth > 0")
    played = "(v => v && v.readyState >= 2 && v.duration > 2)(document.querySelector('#srch-clip'))"
    until(page, played)
    assert "School 25" in page.inner_text("#srch-card h2")
    shot(page, tmp_path, "h1-search-event-playback", docs=True)
    seen = {r["action"] for r in svc.audit.rows(actor="timur")}
    assert {"event.search", "snapshot.view", "clip.view"} <= seen
    # Without the class the car at the same camera shows too, newest first.
    assert search(page, camera="school-1", cls="") == ["a-car", "known"]


def test_analyst_searches_by_district_and_sees_no_pictures(
    browser: Any, city: Any, tmp_path: Path
) -> None:
    _, svc, server = city
    secret = person(svc, "saule", "situation-centre", Role.ANALYST)
    page = browser.new_context(viewport=VIEW).new_page()
    login(page, server.url, "saule", secret, lang="en")
    tabs = page.locator("#tabs button").evaluate_all("bs => bs.map(b => b.dataset.tab)")
    assert {"search", "journal", "stats"} <= set(tabs) and "map" not in tabs
    page.click("#tabs button[data-tab=search]")
    page.wait_for_selector("#search-pane:not([hidden]) #srch-form")
    assert search(page, district="Bostandyk", cls="person") == ["known"]
    page.click("#srch-results tr[data-id=known]")
    page.wait_for_selector("#srch-card[data-event=known]")
    assert page.locator("#srch-card img, #srch-card video").count() == 0
    assert "does not see pictures" in page.inner_text("#srch-card")


def test_a_slow_search_does_not_add_to_the_next_one(browser: Any, city: Any) -> None:
    """An investigator searches for cars, then (the answer slow) for people: the list shows
    the people search alone when the cars come back (they used to be appended to it)."""
    _, svc, server = city
    secret = person(svc, "timur", "city-police", Role.INVESTIGATOR)
    page = browser.new_context(viewport=VIEW).new_page()
    login(page, server.url, "timur", secret, lang="en")
    page.click("#tabs button[data-tab=search]")
    page.wait_for_selector("#srch-form")
    held = Hold(page, lambda u: "/api/events?" in u and "class_name=car" in u)
    page.fill("#srch-since", local(T - timedelta(minutes=10)))
    page.fill("#srch-until", local(T + timedelta(minutes=10)))
    page.select_option("#srch-camera", "school-1")
    page.fill("#srch-class", "car")
    page.click("#srch-go")
    held.wait()
    assert search(page, camera="school-1", cls="person") == ["known"]
    held.release()
    shown = page.locator("#srch-results tr[data-id]").evaluate_all(
        "rs => rs.map(r => r.dataset.id)"
    )
    assert shown == ["known"]
    note = page.inner_text("#srch-note")
    assert note.startswith("Events found: 1."), note
