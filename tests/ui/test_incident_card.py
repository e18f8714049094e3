"""The open incident card of a duty operator: it follows an incident that keeps receiving
events (no reload, no lock against arriving events), its operating procedure is ticked off
and recorded, and an operator who loses a race on the same step is told so in Russian
and sees what the winner did. (Synthetic events on the in-process bus: workflow logic.)"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.incidents.conftest import CAMERAS, ev, make_ops, stop_ops

from kuzet.config.ops import OpsConfig

from .conftest import Server, login, person, shot, until

pytestmark = pytest.mark.slow


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[tuple[Any, Any, Server, dict[str, str]]]:
    store, svc, bus, app = make_ops(tmp_path, OpsConfig(group_window_s=120), CAMERAS)
    secrets = {n: person(svc, n, "city-police") for n in ("asel", "marat")}
    with Server(app) as server:
        yield svc, bus, server, secrets
    stop_ops(app)
    bus.close()
    store.close()


def _open(page: Any, inc_id: str) -> None:
    page.locator(f"#queue li[data-id='{inc_id}']").click()
    page.wait_for_selector(f"#detail [data-incident='{inc_id}']")


def test_card_follows_a_growing_incident_and_a_lost_race_is_explained(
    browser: Any, centre: Any, tmp_path: Path
) -> None:
    svc, bus, server, secrets = centre
    bus.publish(ev("school-1", type="fight"))  # a fight: city police, with a procedure
    a = browser.new_context(viewport={"width": 1440, "height": 860}).new_page()
    login(a, server.url, "asel", secrets["asel"], lang="ru")
    a.wait_for_selector("#queue li[data-id]", timeout=10_000)
    inc_id = a.locator("#queue li[data-id]").first.get_attribute("data-id")
    _open(a, inc_id)
    assert a.inner_text("#d-count") == "1"

    # The second operator of the same agency has a lagging connection: the socket's
    # messages to her page are held back, so her card still shows the incident as new.
    b = browser.new_context(viewport={"width": 1440, "height": 860}).new_page()

    def hold(ws: Any) -> None:
        server_ws = ws.connect_to_server()
        server_ws.on_message(lambda _m: None)  # never forwarded to the page

    b.route_web_socket(re.compile(r".*/api/ws/ops$"), hold)
    login(b, server.url, "marat", secrets["marat"], lang="ru")
    b.wait_for_selector(f"#queue li[data-id='{inc_id}']", timeout=10_000)
    _open(b, inc_id)

    # Events keep arriving: the open card counts them live, without a reload.
    for _ in range(3):
        bus.publish(ev("school-1", type="fight"))
        time.sleep(0.3)
    until(a, "document.querySelector('#d-count').textContent === '4'", 10)
    assert "новых событий" in a.inner_text("#d-live")

    # The procedure of a fight: tick the first item; it is recorded with who did it.
    a.locator("#d-checklist li[data-item='0'] input").check()
    until(a, "document.querySelector(\"#d-checklist li[data-item='0'] small\").textContent !== ''")
    assert "asel" in a.inner_text("#d-checklist li[data-item='0'] small")
    assert "Вызвать полицию" in a.inner_text("#d-checklist")
    a.select_option("header select.lang", "kk")  # the default procedures speak Kazakh too
    until(a, "document.querySelector('#d-checklist').textContent.includes('Полицияны шақыру')")
    assert "Вызвать" not in a.inner_text("#d-checklist")
    a.select_option("header select.lang", "ru")
    until(a, "document.querySelector('#d-checklist').textContent.includes('Вызвать полицию')")

    # Acknowledge while the events still come: no conflict with arriving events.
    bus.publish(ev("school-1", type="fight"))
    a.click("#detail button[data-action=acknowledge]")
    a.wait_for_selector("#d-state[data-state=acknowledged]", timeout=5_000)
    assert a.inner_text("#d-error") == ""

    # Marat, a step behind, acknowledges too: refused, told why in Russian, card refreshed.
    b.click("#detail button[data-action=acknowledge]")
    b.wait_for_selector("#d-error[data-code]:not([data-code=''])", timeout=5_000)
    msg = b.inner_text("#d-error")
    assert b.get_attribute("#d-error", "data-code") in {"incident_conflict", "invalid_transition"}
    assert re.search("[а-я]", msg) and not re.search("[a-z]{4}", msg), msg  # Russian, no English
    b.wait_for_selector("#d-state[data-state=acknowledged]", timeout=5_000)
    assert b.locator("#detail button[data-action=assign]").count() == 1  # the buttons moved on
    shot(b, tmp_path, "11-conflict-explained", docs=True)
    marks = [r for r in svc.audit.rows() if r["target"] == f"incident/{inc_id}"]
    assert [r["actor"] for r in marks if r["action"] == "incident.acknowledge"] == ["asel"]
