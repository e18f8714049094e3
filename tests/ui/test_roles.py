"""Every role lands somewhere useful: the shell reads the caller's permissions, shows only
the tabs it may use and opens the one meant for the role. No call the role may not make
is ever sent (the first administrator used to get a dead page from a 403). The header's
clock is the city's (Asia/Almaty) whatever zone the console is set to."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from tests.incidents.conftest import CAMERAS, make_ops, stop_ops

from kuzet.access.model import Role
from kuzet.config.ops import OpsConfig

from .conftest import Server, login, person, shot

pytestmark = pytest.mark.slow

# role -> (agency, the tab it lands on, tabs it must have, tabs it must not have)
CASES: dict[Role, tuple[str, str, set[str], set[str]]] = {
    Role.OPERATOR: ("education", "map", {"map", "wall", "stats"}, {"admin", "audit"}),
    Role.SUPERVISOR: ("city-police", "map", {"map", "wall", "stats"}, {"admin", "audit"}),
    Role.ANALYST: ("situation-centre", "stats", {"stats"}, {"map", "wall", "admin"}),
    Role.ADMINISTRATOR: ("situation-centre", "admin", {"admin"}, {"map", "wall", "stats"}),
    Role.AUDITOR: ("prosecutor", "audit", {"audit"}, {"map", "wall", "admin"}),
}


def test_each_role_lands_on_its_screen_without_a_refused_call(browser: Any, tmp_path: Path) -> None:
    store, svc, bus, app = make_ops(tmp_path, OpsConfig(), CAMERAS)
    secrets = {r: person(svc, f"user-{r.value}", CASES[r][0], r) for r in CASES}
    try:
        with Server(app) as server:
            for role, (_, landing, must, never) in CASES.items():
                # a console set to another zone still shows the city's time
                ctx = browser.new_context(viewport={"width": 1280, "height": 800},
                                          timezone_id="America/New_York")  # fmt: skip
                page = ctx.new_page()
                refused: list[str] = []
                errors: list[str] = []
                page.on("response", lambda r, bad=refused: bad.append(f"{r.status} {r.url}")
                        if r.status in (403, 503) else None)  # fmt: skip
                page.on("pageerror", lambda e, bad=errors: bad.append(str(e)))
                login(page, server.url, f"user-{role.value}", secrets[role], lang="ru")
                page.wait_for_selector(f"body[data-screen='{landing}']", timeout=10_000)
                page.wait_for_timeout(1500)  # whatever the landing screen loads, it has loaded
                tabs = set(
                    page.eval_on_selector_all("#tabs button", "bs => bs.map(b => b.dataset.tab)")
                )
                assert must <= tabs and not (never & tabs), (role, tabs)
                assert (
                    page.get_attribute(f"#tabs button[data-tab='{landing}']", "class") == "active"
                )
                assert refused == [] and errors == [], (role, refused, errors)
                assert page.is_hidden("#no-screens")
                now = datetime.now(ZoneInfo("Asia/Almaty"))
                shown = page.inner_text("#clock")[:5]
                assert shown in {
                    now.strftime("%H:%M"),
                    (now - timedelta(minutes=1)).strftime("%H:%M"),
                }
                if role is Role.ADMINISTRATOR:
                    shot(page, tmp_path, "12-administrator-lands-on-administration", docs=True)
                ctx.close()
    finally:
        stop_ops(app)
        bus.close()
        store.close()
