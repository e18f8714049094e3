"""The roles screen reads what each role may do from the server's policy (GET /api/roles):
its permissions in words and the clearances a new account of it gets, in every language.
A supervisor's tab bar has the clearance requests; an operator's has not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.incidents.conftest import CAMERAS, make_ops, stop_ops

from kuzet.access.model import Role
from kuzet.config.ops import OpsConfig

from .conftest import Hold, Server, login, person, shot

pytestmark = pytest.mark.slow
VIEW = {"width": 1440, "height": 900}


def row(page: Any, role: str) -> str:
    return str(page.inner_text(f"#adm-roles tr[data-id={role}]"))


def test_roles_show_the_policy_in_three_languages(browser: Any, tmp_path: Path) -> None:
    store, svc, bus, app = make_ops(tmp_path, OpsConfig(), CAMERAS)
    root = person(svc, "root", "situation-centre", Role.ADMINISTRATOR)
    sup = person(svc, "saule", "city-police", Role.SUPERVISOR)
    op = person(svc, "aliya", "city-police", Role.OPERATOR)
    try:
        with Server(app) as server:
            page = browser.new_context(viewport=VIEW).new_page()
            calls: list[str] = []
            page.on("request", lambda r: calls.append(r.url))
            login(page, server.url, "root", root, lang="en")
            page.click("#adm-nav button[data-sub=roles]")
            sup_row = "#adm-roles tr[data-id=supervisor]"
            # the table is drawn from /api/roles: wait for the words, not just the first item
            page.wait_for_selector(f"{sup_row}:has-text('approve clearance requests')")
            assert any(u.endswith("/api/roles") for u in calls)
            assert "manage accounts" in row(page, "administrator")
            assert "snapshots, clips and live video" not in row(page, "administrator")
            assert "biometrics (faces)" in row(page, "investigator")  # a default clearance
            assert "each API key holds a chosen part" in row(page, "integration")
            shot(page, tmp_path, "a6-roles-from-the-policy", docs=True)
            page.select_option("header select.lang", "kk")
            page.wait_for_selector(f"{sup_row}:has-text('рұқсат сұрауларын бекіту')")
            assert "биометрия (беттер)" in row(page, "investigator")
            page.select_option("header select.lang", "ru")
            page.wait_for_selector(f"{sup_row}:has-text('утверждать запросы допусков')")
            assert "управлять учётными записями" in row(page, "administrator")

            for name, secret, has in (("saule", sup, True), ("aliya", op, False)):
                p = browser.new_context(viewport=VIEW).new_page()
                login(p, server.url, name, secret, lang="ru")
                tabs = p.eval_on_selector_all("#tabs button", "bs => bs.map(b => b.dataset.tab)")
                assert ("grants" in tabs) is has, (name, tabs)
                if has:
                    assert p.inner_text("#tabs button[data-tab=grants]") == "Запросы допусков"
    finally:
        stop_ops(app)
        bus.close()
        store.close()


def test_a_slow_first_accounts_load_does_not_draw_over_roles(browser: Any, tmp_path: Path) -> None:
    """The admin tab opens on accounts; a person who clicks "roles" before that first load
    is back must keep the roles table when it does come back (it used to draw over it)."""
    store, svc, bus, app = make_ops(tmp_path, OpsConfig(), CAMERAS)
    root = person(svc, "root", "situation-centre", Role.ADMINISTRATOR)
    try:
        with Server(app) as server:
            page = browser.new_context(viewport=VIEW).new_page()
            # the accounts screen's last call before it draws
            held = Hold(page, lambda u: u.endswith("/api/grants?status=pending"))
            login(page, server.url, "root", root, lang="en")
            held.wait()  # (the route's callback may come after the request event)
            page.click("#adm-nav button[data-sub=roles]")
            sup_row = "#adm-roles tr[data-id=supervisor]"
            page.wait_for_selector(f"{sup_row}:has-text('approve clearance requests')")
            held.release()
            assert page.query_selector("#adm-user-new") is None
            assert "approve clearance requests" in row(page, "supervisor")
    finally:
        stop_ops(app)
        bus.close()
        store.close()
