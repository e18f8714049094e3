"""Separation of duties in the browser: an administrator (who holds no clearance) gives an
investigator biometric clearance; it is not given but waits, and the card says so. A
supervisor the administrator made himself cannot approve it (the page explains why, in
Kazakh), nor can the administrator; an independent supervisor approves it with a reason
(English), and the investigator holds it. Russian for the administrator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.incidents.conftest import CAMERAS, make_ops, stop_ops

from kuzet.access.model import Role
from kuzet.config.ops import OpsConfig

from .conftest import Server, first_sign_in, login, person, shot

pytestmark = pytest.mark.slow
VIEW = {"width": 1440, "height": 900}


def clearances(svc: Any, name: str) -> list[str]:
    return list(svc.accounts.get_user(None, svc.accounts.find(name))["clearances"])


def open_request(page: Any, account: str) -> None:
    page.click("#tabs button[data-tab=grants]")
    row = page.locator("#gr-list tr[data-id]", has_text=account)
    row.wait_for(timeout=10_000)
    row.click()
    page.wait_for_selector(f"#gr-detail h2:has-text('{account}')")


def test_biometric_clearance_waits_for_an_independent_supervisor(
    browser: Any, tmp_path: Path
) -> None:
    store, svc, bus, app = make_ops(tmp_path, OpsConfig(), CAMERAS)
    root = person(svc, "root", "situation-centre", Role.ADMINISTRATOR)
    saule = person(svc, "saule", "city-police", Role.SUPERVISOR)  # made from the shell
    person(svc, "ivan", "city-police", Role.INVESTIGATOR)
    svc.accounts.update_user(None, svc.accounts.find("ivan"), {"clearances": ["video", "plates"]})
    assert "biometrics" not in clearances(svc, "ivan")
    try:
        with Server(app) as server:
            admin = browser.new_context(viewport=VIEW).new_page()
            login(admin, server.url, "root", root, lang="ru")
            admin.locator("#adm-users tr[data-id]", has_text="ivan").click()
            admin.wait_for_selector("#adm-user-card[data-user=ivan]")
            admin.check("#adm-user-card [data-clearance=biometrics] input")
            admin.fill("#adm-u-reason", "case 2026/118, order of the chief")
            admin.click("#adm-u-save")
            pending = admin.locator("#adm-u-result #adm-pending")
            pending.wait_for(timeout=10_000)
            assert "биометрия" in pending.inner_text() and "старший смены" in pending.inner_text()
            # not given: the box stays unticked, marked as waiting
            box = "#adm-user-card [data-clearance=biometrics]"
            assert not admin.is_checked(f"{box} input")
            assert "ждёт утверждения" in admin.inner_text(box)
            assert "биометрия" in admin.inner_text("#adm-u-pending")
            assert "biometrics" not in clearances(svc, "ivan")

            # the administrator makes a supervisor himself: a sock puppet for approving
            admin.click("#adm-user-new")
            admin.fill("#adm-new-username", "helper")
            admin.select_option("#adm-new-agency", "city-police")
            admin.select_option("#adm-new-role", "supervisor")
            admin.click("#adm-new-submit")
            helper_otp = admin.locator("#adm-otp").inner_text(timeout=10_000).strip()

            # the administrator sees his request waiting, and that it is not his to decide
            open_request(admin, "ivan")
            assert "биометрия" in admin.inner_text("#gr-list tr[data-id]:has-text('ivan')")
            assert admin.locator("#gr-approve").count() == 0
            assert "ваш запрос" in admin.inner_text("#gr-who-decides")

            helper = browser.new_context(viewport=VIEW).new_page()
            first_sign_in(helper, server.url, "helper", helper_otp, lang="kk")
            open_request(helper, "ivan")
            helper.fill("#gr-reason", "looks fine")
            helper.click("#gr-approve")
            helper.wait_for_selector("#gr-result.error", timeout=10_000)
            refused = helper.inner_text("#gr-result")
            assert "тәуелсіз" in refused and "approver" not in refused, refused
            assert "biometrics" not in clearances(svc, "ivan")

            # an independent supervisor of the agency decides, with a reason (English)
            sup = browser.new_context(viewport=VIEW).new_page()
            login(sup, server.url, "saule", saule, lang="en")
            open_request(sup, "ivan")
            assert "root" in sup.inner_text("#gr-detail")  # who asked
            assert "case 2026/118" in sup.inner_text("#gr-detail")  # and why
            sup.fill("#gr-reason", "checked against order 118")
            sup.click("#gr-approve")
            sup.wait_for_selector("#gr-result.ok", timeout=10_000)
            assert "Approved" in sup.inner_text("#gr-result")
            assert sup.inner_text("#gr-state") == "approved"
            assert "biometrics" in clearances(svc, "ivan")
            sup.select_option("#gr-status", "approved")  # the decided list shows who and when
            decided = sup.locator("#gr-list tr[data-id]", has_text="ivan")
            decided.wait_for(timeout=10_000)
            assert "saule" in decided.inner_text()
            shot(sup, tmp_path, "a5-clearance-request-approved", docs=True)

            approvals = svc.audit.rows(action="grant.approve")
            assert [(a["actor"], a["reason"]) for a in approvals] == [
                ("saule", "checked against order 118")
            ]
            # the administrator's card now shows the clearance given, nothing waiting
            admin.click("#tabs button[data-tab=admin]")
            admin.reload()
            admin.wait_for_selector("#app:not([hidden])", timeout=10_000)
            admin.locator("#adm-users tr[data-id]", has_text="ivan").click()
            admin.wait_for_selector("#adm-user-card[data-user=ivan]")
            assert admin.is_checked(f"{box} input")
            assert admin.locator("#adm-u-pending").count() == 0
    finally:
        stop_ops(app)
        bus.close()
        store.close()
