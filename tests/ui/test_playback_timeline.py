"""An investigator opens an incident, plays its camera's recording on the timeline, scrubs
to another moment, bookmarks it for the incident and exports a range as signed evidence,
all with the mouse and the keyboard; the bundle downloaded verifies against the site's
key. The camera card offers the full-rate live view to her, not to an operator. Real
footage (vtest.avi as H.264) recorded by the real recorder; the page asks nothing of any
other server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from tests.incidents.conftest import CAMERAS

from kuzet.access.model import Role
from kuzet.core.event import Event
from kuzet.evidence.verify import verify_bundle

from .conftest import Server, login, person, shot, until
from .recorded import Recorded, recorded_city

pytestmark = pytest.mark.slow
ALMATY = ZoneInfo("Asia/Almaty")
VIEW = {"width": 1440, "height": 900}
CAM = "school-1"
T0 = float(int(time.time()) - 900)  # the recording's start: a quarter of an hour ago
START = datetime.fromtimestamp(T0, UTC)
EVENT_AT = START + timedelta(seconds=6)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from rtsp import make_h264_clip

    return make_h264_clip(tmp_path_factory.mktemp("ui-clip") / "cam.ts", seconds=24)


@pytest.fixture
def city(tmp_path: Path, clip: Path) -> Iterator[tuple[Recorded, Server]]:
    rec = recorded_city(tmp_path, clip, T0, [c for c in CAMERAS if c.id == CAM])
    event = Event(id="ev-gate", type="intrusion", camera_id=CAM, ts=EVENT_AT, phase="start",
                  rule="gate", class_name="person", score=0.9)  # fmt: skip
    rec.store.insert_events([event])  # the timeline's mark
    rec.bus.publish(event)  # the incident
    with Server(rec.app) as server:
        yield rec, server
    rec.close()


def local(ts: datetime) -> str:
    """What a person types into a time field with seconds: the city's wall clock."""
    return ts.astimezone(ALMATY).strftime("%Y-%m-%dT%H:%M:%S")


def wall(page: Any) -> float | None:
    got = page.get_attribute(f".pb-player[data-camera={CAM}]", "data-wall")
    return None if got is None else datetime.fromisoformat(got).timestamp()


def since_start(page: Any) -> float:
    w = wall(page)
    return -1.0 if w is None else w - T0


PLAYER = f"document.querySelector('.pb-player[data-camera={CAM}]')"


def near(page: Any, seconds: float, timeout: float = 15) -> None:
    """Waits until the player shows START + seconds (within a second)."""
    until(page, f"(w => w && Math.abs(Date.parse(w) / 1000 - {T0 + seconds}) < 1.0)"
                f"({PLAYER}.dataset.wall)", timeout)  # fmt: skip


def click_at(page: Any, seconds: float) -> None:
    """A click on the camera's row where the axis shows START + seconds."""
    tl = page.locator("#pb-timeline")
    v0 = datetime.fromisoformat(tl.get_attribute("data-v0")).timestamp()
    v1 = datetime.fromisoformat(tl.get_attribute("data-v1")).timestamp()
    box = page.locator(f".pb-row[data-camera={CAM}] .pb-track").bounding_box()
    x = box["x"] + (T0 + seconds - v0) / (v1 - v0) * box["width"]
    page.mouse.click(x, box["y"] + box["height"] / 2)


def test_incident_recording_scrub_bookmark_export(
    browser: Any, city: tuple[Recorded, Server], tmp_path: Path
) -> None:
    rec, server = city
    secret = person(rec.svc, "dana", "education", Role.INVESTIGATOR)
    ctx = browser.new_context(viewport=VIEW, accept_downloads=True)
    page = ctx.new_page()
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    login(page, server.url, "dana", secret, lang="en")

    # The incident the event opened: its card, then its recording.
    page.wait_for_selector("#queue li[data-id]", timeout=10_000)
    inc_id = page.locator("#queue li[data-id]").first.get_attribute("data-id")
    page.locator(f"#queue li[data-id='{inc_id}']").click()
    page.wait_for_selector(f"#detail [data-incident='{inc_id}']")
    page.click("#d-recording")
    page.wait_for_selector("body[data-screen=playback]")
    assert "Incident" in page.inner_text("#pb-context")
    # it plays from ten seconds before the event: the picture's clock runs
    until(page, f"{PLAYER}.dataset.state === 'ready'", 20)
    until(page, f"(w => w && Date.parse(w) / 1000 > {T0 + 2})({PLAYER}.dataset.wall)", 20)
    assert 0 <= since_start(page) < 24
    assert page.locator(f".pb-row[data-camera={CAM}] .pb-mark[data-id=ev-gate]").count() == 1
    assert page.locator(f".pb-row[data-camera={CAM}] .pb-span").count() >= 1

    # Zoom to a minute and scrub: a click at +18 s, then a drag back to +12 s.
    page.click("#pb-play")  # pause
    page.select_option("#pb-zoom", str(60_000))
    click_at(page, 18)
    near(page, 18)
    box = page.locator(f".pb-row[data-camera={CAM}] .pb-track").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 10)
    page.mouse.down()
    tl = page.locator("#pb-timeline")
    v0 = datetime.fromisoformat(tl.get_attribute("data-v0")).timestamp()
    v1 = datetime.fromisoformat(tl.get_attribute("data-v1")).timestamp()
    x12 = box["x"] + (T0 + 12 - v0) / (v1 - v0) * box["width"]
    page.mouse.move(x12, box["y"] + 10, steps=8)
    page.mouse.up()
    near(page, 12)
    until(page, f"{PLAYER}.querySelector('video').readyState >= 2", 10)

    # The previous event: back to two seconds before the intrusion.
    page.click("#pb-prev")
    near(page, EVENT_AT.timestamp() - T0 - 2)

    # A bookmark here, attached to the incident.
    page.fill("#pb-bm-note", "suspect at the gate")
    assert page.is_checked("#pb-bm-attach")
    page.click("#pb-bm-add")
    page.wait_for_selector("#pb-bm-list li[data-id]")
    assert "suspect at the gate" in page.input_value("#pb-bm-list li[data-id] input.pb-bm-text")
    assert page.locator(f".pb-row[data-camera={CAM}] .pb-bm").count() == 1
    made = rec.svc.audit.rows(action="bookmark.create")[-1]
    assert made["actor"] == "dana" and made["detail"]["incident_id"] == inc_id
    shot(page, tmp_path, "p1-incident-recording-timeline", docs=True)

    # Export 4 s .. 10 s with a reason and a case number, follow it, download the bundle.
    page.fill("#pb-ex-start", local(START + timedelta(seconds=4)))
    page.fill("#pb-ex-end", local(START + timedelta(seconds=10)))
    page.click("#pb-ex-go")
    assert "reason" in page.inner_text("#pb-ex-status")  # nothing sent without them
    page.fill("#pb-ex-reason", "intrusion at the school gate")
    page.fill("#pb-ex-case", "2026-KZ-0042")
    page.check("#pb-ex-watermark")
    page.click("#pb-ex-go")
    page.wait_for_selector("#pb-ex-status[data-state=done]", timeout=120_000)
    shot(page, tmp_path, "p2-evidence-export", docs=True)
    with page.expect_download() as got:
        page.click("#pb-ex-download")
    bundle = tmp_path / "bundle.zip"
    got.value.save_as(bundle)
    report = verify_bundle(bundle, rec.signer.public)
    assert report.ok, [str(f) for f in report.findings]
    manifest = report.manifest or {}
    assert manifest["case_number"] == "2026-KZ-0042" and manifest["processing"]["watermark"]
    assert manifest["requested"]["cameras"] == [CAM]
    assert {r["action"] for r in rec.svc.audit.rows(actor="dana")} >= {
        "recording.play", "recording.timeline", "evidence.export.create", "evidence.export.download"
    }  # fmt: skip

    # Nothing was asked of any other server (blob: is the page's own video buffer).
    outside = [u for u in asked if not u.startswith((server.url, "blob:", "data:"))]
    assert outside == []
    ctx.close()


def test_full_rate_live_in_the_camera_card(browser: Any, city: tuple[Recorded, Server]) -> None:
    rec, server = city
    secret = person(rec.svc, "dana", "education", Role.INVESTIGATOR)
    page = browser.new_context(viewport=VIEW).new_page()
    login(page, server.url, "dana", secret, lang="ru")
    page.wait_for_selector(".camlist")
    page.fill(".cam-search", "school")
    page.click(f".cam-rows li[data-camera='{CAM}']")
    page.wait_for_selector(f"#detail [data-camera={CAM}]")
    page.click("#d-live-full")
    # frames arrive at the camera's rate and play: the buffer grows past a second
    until(page, "(v => v && Number(v.dataset.frames) > 30 && v.readyState >= 2)"
                "(document.querySelector('#d-live-video'))", 20)  # fmt: skip
    assert page.is_hidden("#detail figure.live img")
    page.click("#d-live-full")  # back to the analysed view
    assert page.is_hidden("#d-live-video")
    assert page.eval_on_selector("#detail figure.live img", "i => i.hidden") is False
    assert rec.svc.audit.rows(action="recording.live")[-1]["outcome"] == "ok"

    # An operator holds no biometric clearance: no full-rate button (faces cannot be
    # blurred at 25 fps); the recording, yes.
    op = person(rec.svc, "erlan", "education", Role.OPERATOR)
    page2 = browser.new_context(viewport=VIEW).new_page()
    login(page2, server.url, "erlan", op, lang="ru")
    page2.wait_for_selector(".camlist")
    page2.fill(".cam-search", "school")
    page2.click(f".cam-rows li[data-camera='{CAM}']")
    page2.wait_for_selector(f"#detail [data-camera={CAM}]")
    assert page2.locator("#d-recording").count() == 1
    assert page2.locator("#d-live-full").count() == 0


def test_two_cameras_play_in_step(browser: Any, tmp_path: Path, clip: Path) -> None:
    """A second camera added to the recording plays at the same wall time as the first,
    at the speed chosen for both; a camera with no recording at that moment says so. The
    recording is from hours ago: "go to" fetches its timelines after the speed is chosen,
    and loading the video kept resetting the speed to x1."""
    both = [c for c in CAMERAS if c.id in (CAM, "traffic-1")]
    t0 = T0 - 3 * 3600
    start = datetime.fromtimestamp(t0, UTC)
    rec = recorded_city(tmp_path, clip, t0, both)
    try:
        with Server(rec.app) as server:
            secret = person(rec.svc, "nurlan", "situation-centre", Role.INVESTIGATOR)
            page = browser.new_context(viewport=VIEW).new_page()
            login(page, server.url, "nurlan", secret, lang="kk")
            page.click("#tabs button[data-tab=playback]")
            page.wait_for_selector("#pb-add")
            page.fill("#pb-goto", local(start + timedelta(seconds=3)))
            page.select_option("#pb-add", CAM)
            page.select_option("#pb-add", "traffic-1")
            page.click("#pb-go")
            page.select_option("#pb-speed", "2")
            page.click("#pb-play")
            players = "[...document.querySelectorAll('.pb-player')]"
            walls = f"{players}.map(p => p.dataset.wall ? Date.parse(p.dataset.wall) / 1000 : null)"
            state = (
                f"{players}.map(p => [p.dataset.camera, p.dataset.state, p.dataset.wall,"
                " p.querySelector('video')?.readyState, p.querySelector('video')?.paused,"
                " p.querySelector('video')?.currentTime])"
            )
            until(
                page,
                f"(ws => ws.length === 2 && ws.every(w => w && w > {t0 + 6}))({walls})",
                60,
                show=state,
            )
            a, b = page.evaluate(walls)
            assert abs(a - b) < 1.0, (a, b)  # in step (pulled together past 0.8 s at x2)
            rates = page.evaluate(f"{players}.map(p => p.querySelector('video').playbackRate)")
            assert rates == [2, 2]
            # past the end of the recording: both say there is none, and where it was
            page.fill("#pb-goto", local(start + timedelta(seconds=60)))
            page.click("#pb-go")
            until(page, f"{players}.every(p => p.dataset.state === 'gap')", 10)
            assert "жазба жоқ" in page.inner_text(f".pb-player[data-camera={CAM}] .pb-note")
    finally:
        rec.close()


def test_an_operator_plays_blurred_video(browser: Any, tmp_path: Path, clip: Path) -> None:
    """Operators hold no biometric clearance: the playlist names blurred copies, made on
    the first request (slow), which the player waits for and plays. The recording is from
    an hour ago, beyond the timelines the camera card's screen fetched first: "go to"
    fetches there before it plays (it said "no recording" there, and stopped)."""
    from tests.evidence.conftest import OneFace

    t0 = T0 - 2700  # an hour ago
    start = datetime.fromtimestamp(t0, UTC)
    rec = recorded_city(tmp_path, clip, t0, [c for c in CAMERAS if c.id == CAM], faces=OneFace)
    try:
        with Server(rec.app) as server:
            secret = person(rec.svc, "erlan", "education", Role.OPERATOR)
            page = browser.new_context(viewport=VIEW).new_page()
            asked: list[str] = []
            page.on("request", lambda r: asked.append(r.url))
            login(page, server.url, "erlan", secret, lang="ru")
            page.fill(".cam-search", "school")
            page.click(f".cam-rows li[data-camera='{CAM}']")
            page.click("#d-recording")  # the camera card's last two minutes: nothing there
            page.wait_for_selector(f".pb-player[data-camera={CAM}][data-state=gap]")
            page.fill("#pb-goto", local(start + timedelta(seconds=2)))
            page.click("#pb-go")
            # "go" keeps play/pause as it was; with nothing recorded after the opening
            # instant the screen may already have stopped (in a race with the click)
            if page.get_attribute(".pb", "data-playing") != "1":
                page.click("#pb-play")
            until(
                page, f"(w => w && Date.parse(w) / 1000 > {t0 + 3})({PLAYER}.dataset.wall)", 120
            )  # blurring waits for CPU: a wait, not a speed claim
            assert any("part=media" in u for u in asked)  # the blurred copies, not byte ranges
            played = rec.svc.audit.rows(action="recording.play")[-1]
            assert played["actor"] == "erlan" and played["detail"]["faces_blurred"] is True
    finally:
        rec.close()
