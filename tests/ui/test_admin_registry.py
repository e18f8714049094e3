"""The camera registry, roles, agencies and API keys in the browser (English), checked
against the store and the API they change: a camera found by search and edited, one added
and removed; an agency's scope changed; an integration account given a key that works for
what it was granted and nothing else, then revoked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.incidents.conftest import CAMERAS, make_ops, stop_ops

from kuzet.access.model import Role
from kuzet.config.ops import OpsConfig

from .conftest import Server, login, person, shot

pytestmark = pytest.mark.slow
VIEW = {"width": 1440, "height": 900}


def ids(page: Any, table: str) -> list[str]:
    return list(
        page.locator(f"{table} tr[data-id]").evaluate_all("rs => rs.map(r => r.dataset.id)")
    )


def test_camera_registry_search_edit_add_remove(browser: Any, tmp_path: Path) -> None:
    store, svc, bus, app = make_ops(tmp_path, OpsConfig(), CAMERAS)
    secret = person(svc, "dias", "situation-centre", Role.ADMINISTRATOR)
    try:
        with Server(app) as server:
            page = browser.new_context(viewport=VIEW).new_page()
            login(page, server.url, "dias", secret, lang="en")
            page.click("#tabs button[data-tab=registry]")
            page.wait_for_selector("#reg-list tr[data-id]")
            assert ids(page, "#reg-list") == ["school-1", "traffic-1"]
            assert "unknown" in page.inner_text("#reg-list tr[data-id=traffic-1]")  # no pipeline
            page.fill("#reg-q", "farabi")
            assert ids(page, "#reg-list") == ["traffic-1"]
            page.click("#reg-list tr[data-id=traffic-1]")
            assert page.input_value("#reg-id") == "traffic-1"
            page.fill("#reg-name", "Al-Farabi / Baitursynov")
            page.fill("#reg-district", "Bostandyk")
            page.click("#reg-save")
            page.wait_for_selector("#reg-result.ok")
            cam = store.get_camera("traffic-1")
            assert cam is not None and cam.name == "Al-Farabi / Baitursynov"
            assert cam.district == "Bostandyk" and cam.main_url == "file:b.mp4"
            assert "Al-Farabi / Baitursynov" in page.inner_text("#reg-list tr[data-id=traffic-1]")

            page.fill("#reg-q", "")
            page.click("#reg-new")
            page.fill("#reg-id", "park-7")
            page.fill("#reg-name", "Central park gate")
            page.fill("#reg-category", "public_safety")
            page.fill("#reg-district", "Medeu")
            page.fill("#reg-lat", "43.2567")
            page.fill("#reg-lon", "76.9534")
            page.fill("#reg-dir", "135")
            page.fill("#reg-fov", "90")
            page.fill("#reg-main", "rtsp://cam:s3cret@10.0.0.9/main")
            page.click("#reg-save")
            page.wait_for_selector("#reg-list tr[data-id=park-7]")
            park = store.get_camera("park-7")
            assert park is not None and "s3cret" not in park.main_url  # sealed at rest
            opened = svc.cameras.open_url("park-7", park.main_url)
            assert opened == "rtsp://cam:s3cret@10.0.0.9/main"
            assert park.latitude == pytest.approx(43.2567) and park.direction_deg == 135
            assert park.fov_deg == 90
            assert "s3cret" not in page.content()  # the registry never shows a password
            page.select_option("#reg-dis", "Medeu")
            assert ids(page, "#reg-list") == ["park-7"]
            shot(page, tmp_path, "a2-camera-registry", docs=True)
            page.click("#reg-list tr[data-id=park-7]")
            page.click("#reg-delete")
            assert store.get_camera("park-7") is not None  # the first click only asks
            page.click("#reg-delete")
            page.wait_for_selector("#reg-list tr[data-id=park-7]", state="detached")
            assert store.get_camera("park-7") is None
    finally:
        stop_ops(app)
        bus.close()
        store.close()


def test_roles_agencies_and_api_keys(browser: Any, tmp_path: Path) -> None:
    store, svc, bus, app = make_ops(tmp_path, OpsConfig(), CAMERAS)
    secret = person(svc, "dias", "situation-centre", Role.ADMINISTRATOR)
    try:
        with Server(app) as server:
            page = browser.new_context(viewport=VIEW).new_page()
            login(page, server.url, "dias", secret, lang="en")
            page.wait_for_selector("#adm-new-form")
            page.click("#adm-nav button[data-sub=roles]")
            admins = page.locator("#adm-roles tr[data-id=administrator]")
            assert admins.locator("td").last.inner_text() == "1"
            assert "watches no video" in admins.inner_text()

            page.click("#adm-nav button[data-sub=agencies]")
            page.click("#adm-agencies tr[data-id=education]")
            assert page.input_value("#adm-ag-cats") == "kindergarten, school"
            page.fill("#adm-ag-cats", "school, kindergarten, safe_yard")
            page.click("#adm-ag-save")
            page.wait_for_selector("#adm-ag-result.ok")
            edu = next(a for a in svc.accounts.agencies() if a["id"] == "education")
            assert sorted(edu["scope"]["categories"]) == ["kindergarten", "safe_yard", "school"]

            page.click("#adm-nav button[data-sub=users]")
            page.fill("#adm-new-username", "erp-bridge")
            page.select_option("#adm-new-agency", "city-police")
            page.select_option("#adm-new-role", "integration")
            page.click("#adm-new-submit")
            page.wait_for_selector("#adm-new-result .secret")
            assert page.locator("#adm-otp").count() == 0  # keys, not a password
            page.click("#adm-users tr[data-id]:has-text('erp-bridge')")
            page.wait_for_selector("#adm-keys #adm-key-create")
            page.check("#adm-keys input[value='events.read']")
            page.click("#adm-key-create")
            key = page.locator("#adm-key").inner_text(timeout=10_000).strip()
            with httpx.Client(base_url=server.url, headers={"X-API-Key": key}) as http:
                assert http.get("/api/events").status_code == 200
                assert http.get("/api/cameras").status_code == 403  # not granted
                page.click("#adm-keys button[data-key-action=revoke]")
                page.wait_for_selector("#adm-keys td:has-text('revoked')")
                assert http.get("/api/events").status_code == 401

            # a key with face search: the administrator does not hold it, so it waits for a
            # supervisor (said under the new key), and the key works without it meanwhile
            page.check("#adm-keys input[value='events.read']")
            page.check("#adm-keys input[value='faces.search']")
            page.click("#adm-key-create")
            waiting = page.locator("#adm-keys #adm-key-pending").inner_text(timeout=10_000)
            assert "search by face" in waiting and "supervisor" in waiting, waiting
            face_key = page.locator("#adm-key").inner_text().strip()
            with httpx.Client(base_url=server.url, headers={"X-API-Key": face_key}) as http:
                assert http.get("/api/events").status_code == 200
                assert http.post("/api/faces/search").status_code == 403  # not yet
    finally:
        stop_ops(app)
        bus.close()
        store.close()
