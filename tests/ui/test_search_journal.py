"""History in the browser: two incidents at a school camera; the education supervisor
resolves one and hands the other to a patrol. The education operator's journal lists the
resolved one (timeline, blurred snapshot of real footage) and not the open one; her shift
hand-over report shows the open one with its owner and last step, and the closed one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.incidents.conftest import CAMERAS, enrol, ev, make_ops, stop_ops, wait_for

from kuzet.access.model import Role
from kuzet.config.ops import OpsConfig
from kuzet.vision.blazeface import default_detector

from .conftest import Server, footage, login, person, shot, until

pytestmark = pytest.mark.slow
VIEW = {"width": 1440, "height": 900}


@pytest.fixture
def day(tmp_path: Path, vtest_path: Path) -> Iterator[tuple[Any, Server, dict[str, str]]]:
    store, svc, bus, app = make_ops(tmp_path, OpsConfig(), CAMERAS)
    app.state.kuzet.faces = default_detector  # operators see pictures with faces blurred
    jpg, _ = footage(vtest_path, frames=10)
    token, _ = enrol(svc, "bek", "education", Role.SUPERVISOR)
    boss = {"Authorization": f"Bearer {token}"}
    ids: dict[str, str] = {}
    with Server(app) as server, httpx.Client(base_url=server.url, headers=boss) as http:
        for kind in ("intrusion", "loitering"):
            e = ev("school-1", type=kind, snapshot=f"snapshots/{kind}.jpg")
            app.state.kuzet.blobs.put(f"snapshots/{kind}.jpg", jpg)
            store.insert_events([e])
            bus.publish(e)

        def listed() -> list[dict[str, Any]]:
            r = http.get("/api/ops/incidents")
            return list(r.json()) if r.status_code == 200 else []

        for inc in wait_for(lambda: len(listed()) == 2 and listed(), what="two incidents"):
            ids[inc["type"]] = inc["id"]

        def step(kind: str, action: str, **kw: Any) -> None:
            cur = http.get(f"/api/ops/incidents/{ids[kind]}").json()["incident"]
            body = {"action": action, "step_version": cur.get("step_version"), **kw}
            r = http.post(f"/api/ops/incidents/{ids[kind]}/steps", json=body)
            assert r.status_code == 200, r.text

        step("intrusion", "acknowledge")
        step("intrusion", "resolve", note="Сторож открыл ворота")
        step("loitering", "acknowledge")
        step("loitering", "assign", agency="education", unit="наряд 7", note="Наряд выехал")
        yield svc, server, ids
    stop_ops(app)
    bus.close()
    store.close()


def test_journal_lists_resolved_and_handover_shows_open(
    browser: Any, day: Any, tmp_path: Path
) -> None:
    svc, server, ids = day
    secret = person(svc, "aigul", "education")
    page = browser.new_context(viewport=VIEW).new_page()
    login(page, server.url, "aigul", secret, lang="ru")

    page.click("#tabs button[data-tab=journal]")
    page.wait_for_selector("#jr-list[data-state=done]")
    listed = page.locator("#jr-list tr[data-id]").evaluate_all("rs => rs.map(r => r.dataset.id)")
    assert listed == [ids["intrusion"]]  # closed only: the open one is not in the journal
    row = page.locator(f"#jr-list tr[data-id='{ids['intrusion']}']")
    assert "решён" in row.inner_text() and "Проникновение" in row.inner_text()
    row.click()
    page.wait_for_selector(f"#jr-card[data-incident='{ids['intrusion']}'] #jr-log ol")
    assert "Сторож открыл ворота" in page.inner_text("#jr-log")
    until(page, "document.querySelector('#jr-snap')?.naturalWidth > 0")
    shot(page, tmp_path, "h2-journal", docs=True)

    page.click("#tabs button[data-tab=handover]")
    page.wait_for_selector("#ho-report[data-state=done] #ho-closed table")
    open_row = page.locator(f"#ho-open tr[data-id='{ids['loitering']}']")
    text = open_row.inner_text()
    assert "Управление образования / наряд 7" in text  # the owner: agency and unit
    assert "bek" in text and "назначен" in text and "Наряд выехал" in text
    assert page.locator(f"#ho-open tr[data-id='{ids['intrusion']}']").count() == 0
    assert page.locator(f"#ho-closed tr[data-id='{ids['intrusion']}']").count() == 1
    assert page.inner_text("#ho-open-n b") == "1"
    shot(page, tmp_path, "h3-shift-handover", docs=True)
    page.select_option("#app select.lang", "kk")  # the same report, in Kazakh
    assert "Әлі ашық" in page.inner_text("#ho-report")
    assert "Білім басқармасы" in page.inner_text(f"#ho-open tr[data-id='{ids['loitering']}']")
    seen = {r["action"] for r in svc.audit.rows(actor="aigul")}
    assert {"ops.journal", "ops.handover"} <= seen
