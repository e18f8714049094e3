"""The forensic search screen filters tracks by vehicle colour and type as a person does:
picks "белый" (white) from the colour list, then the truck type, and gets the white truck.
The index rows are scripted (the screen's logic; colours are measured in tests/vehicles)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from tests.archive.conftest import row

from kuzet.access.model import Role
from kuzet.archive import TrackIndex, TrackIndexWriter
from kuzet.archive.schema import track_ref
from kuzet.core.records import CameraInfo

from .conftest import Server, login, person
from .recorded import Recorded, recorded_city

T0 = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
ALMATY = ZoneInfo("Asia/Almaty")
CAMERA = CameraInfo(id="road-1", name="Al-Farabi", category="traffic", district="Bostandyq",
                    latitude=43.22, longitude=76.93, main_url="file:road.ts")  # fmt: skip


@pytest.fixture
def city(tmp_path: Path) -> Iterator[tuple[Recorded, Server, dict[int, str]]]:
    from rtsp import make_h264_clip

    clip = make_h264_clip(tmp_path / "road.ts", seconds=12, fps=10)
    w = TrackIndexWriter(tmp_path / "archive")
    rows = {
        1: row("road-1", 1, 10, cls="truck", day=T0, vehicle_colour="white", vehicle_type="truck"),
        2: row("road-1", 2, 20, cls="car", day=T0, vehicle_colour="white", vehicle_type="car"),
        3: row("road-1", 3, 30, cls="truck", day=T0, vehicle_colour="red", vehicle_type="truck"),
    }
    for r in rows.values():
        w.add(r)
    w.flush()
    refs = {k: track_ref(r.camera_id, r.start_us, r.track_id, r.part) for k, r in rows.items()}
    rec = recorded_city(tmp_path, clip, T0.timestamp(), [CAMERA],
                        archive=TrackIndex(tmp_path / "archive"))  # fmt: skip
    with Server(rec.app) as server:
        yield rec, server, refs
    rec.close()


def local(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).astimezone(ALMATY).strftime("%Y-%m-%dT%H:%M")


def test_white_truck_by_vehicle_colour_and_type(browser: Any, city: Any) -> None:
    rec, server, refs = city
    secret = person(rec.svc, "dana", "city-police", Role.INVESTIGATOR)
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    login(page, server.url, "dana", secret, lang="ru")
    page.click("#tabs button[data-tab=forensic]")
    page.wait_for_selector("#fx-form")
    page.fill("#fx-since", local(-1))
    page.fill("#fx-until", local(5))
    colours = page.locator("#fx-attr-vehicle_colour option").all_inner_texts()
    assert "белый" in colours and "бежевый" in colours  # Russian names of the palette
    page.select_option("#fx-attr-vehicle_colour", "white")
    page.click("#fx-go")
    page.wait_for_selector("#fx-results[data-state=done]")
    got = page.locator("#fx-results .fx-hit").evaluate_all("hs => hs.map(h => h.dataset.ref)")
    assert sorted(got) == sorted([refs[1], refs[2]])
    page.select_option("#fx-attr-vehicle_type", "truck")
    page.click("#fx-go")
    page.wait_for_selector("#fx-results[data-state=done]")
    got = page.locator("#fx-results .fx-hit").evaluate_all("hs => hs.map(h => h.dataset.ref)")
    assert got == [refs[1]]
