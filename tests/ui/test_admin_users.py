"""Accounts in the browser: the first administrator (the one-time password `kuzet admin
create-first` prints) sets up TOTP and lands on the accounts screen, creates an operator
there, and the one-time password the page shows is the one the operator signs in with.
Deactivating the account in the same screen ends the operator's session; it can be
reactivated. Resetting sign-in gives a new one-time password that works; unlock ends a
lock of failed sign-ins and resetting the second factor makes the person set up TOTP again.
Clearances the administrator does not hold wait for a supervisor, and the page says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.incidents.conftest import CAMERAS, make_ops, stop_ops

from kuzet.access.model import Role
from kuzet.config.ops import OpsConfig

from .conftest import PASSWORD, Server, first_sign_in, login, person, shot

pytestmark = pytest.mark.slow
VIEW = {"width": 1440, "height": 900}


def _uid(svc: Any, name: str) -> str:
    return str(svc.accounts.find(name))


def tabs(page: Any) -> list[str]:
    return list(page.locator("#tabs button").evaluate_all("bs => bs.map(b => b.dataset.tab)"))


def test_first_admin_creates_an_operator_who_signs_in(browser: Any, tmp_path: Path) -> None:
    store, svc, bus, app = make_ops(tmp_path, OpsConfig(), CAMERAS)
    one_time = svc.create_first_admin("root")
    try:
        with Server(app) as server:
            admin = browser.new_context(viewport=VIEW).new_page()
            first_sign_in(admin, server.url, "root", one_time, lang="ru")
            # An administrator lands on administration, and sees no screen with video.
            admin.wait_for_selector("#admin-pane:not([hidden]) #adm-new-form")
            assert tabs(admin)[0:1] != ["map"] and "admin" in tabs(admin)
            assert "audit" not in tabs(admin) and "wall" not in tabs(admin)
            assert "Новая учётная запись" in admin.inner_text("#adm-new-form h2")

            admin.fill("#adm-new-username", "aruzhan")
            admin.select_option("#adm-new-agency", "education")
            admin.select_option("#adm-new-role", "operator")
            admin.fill("#adm-new-reason", "new shift operator, order 12")
            admin.click("#adm-new-submit")
            otp = admin.locator("#adm-otp").inner_text(timeout=10_000).strip()
            assert len(otp) >= 12
            # an operator gets video by default, which the administrator does not hold: it
            # waits for a supervisor, and the page says so where the account was made
            pending = admin.inner_text("#adm-new-result #adm-pending")
            assert "видео" in pending and "старший смены" in pending, pending
            row = admin.locator("#adm-users tr[data-id]", has_text="aruzhan")
            row.wait_for()
            assert "оператор" in row.inner_text() and "не настроен" in row.inner_text()
            shot(admin, tmp_path, "a1-admin-new-account", docs=True)
            created = [
                r for r in svc.audit.rows(action="user.create") if r["target"] == "user:aruzhan"
            ]
            assert created and created[-1]["actor"] == "root"
            assert created[-1]["reason"] == "new shift operator, order 12"

            # The operator signs in with exactly what the page showed (Kazakh interface).
            op = browser.new_context(viewport=VIEW).new_page()
            first_sign_in(op, server.url, "aruzhan", otp, lang="kk")
            assert "aruzhan" in op.inner_text("#whoami")
            assert "admin" not in tabs(op)
            op.reload()  # the session survives a reload (refresh cookie) ...
            op.wait_for_selector("#app:not([hidden])", timeout=10_000)

            # ... until the administrator deactivates the account (asked twice, in the page).
            admin.reload()
            admin.wait_for_selector("#adm-users tr[data-id]")
            admin.locator("#adm-users tr[data-id]", has_text="aruzhan").click()
            admin.wait_for_selector("#adm-user-card[data-user=aruzhan]")
            assert admin.inner_text("#adm-u-totp") == "настроен"
            assert admin.locator("#adm-user-card button[data-action=reset_totp]").is_enabled()
            assert "ждёт утверждения" in admin.inner_text("#adm-user-card [data-clearance=video]")
            assert admin.locator("#adm-user-card button[data-action=unlock]").count() == 0
            admin.click("#adm-user-card button[data-action=deactivate]")
            assert admin.locator("#adm-users tr", has_text="отключена").count() == 0
            admin.click("#adm-user-card button[data-action=deactivate]")
            admin.locator("#adm-users tr[data-id]", has_text="отключена").wait_for()
            op.reload()
            op.wait_for_selector("#login:not([hidden])", timeout=10_000)
            assert op.is_hidden("#app")

            admin.click("#adm-user-card button[data-action=reactivate]")
            admin.locator("#adm-users tr[data-id]", has_text="aruzhan").filter(
                has_text="активна"
            ).wait_for()
            changes = [r["detail"] for r in svc.audit.rows(action="user.update", actor="root")]
            assert changes[-2:] == [{"active": {"from": True, "to": False}},
                                    {"active": {"from": False, "to": True}}]  # fmt: skip
    finally:
        stop_ops(app)
        bus.close()
        store.close()


def test_reset_sign_in_gives_a_one_time_password_that_works(browser: Any, tmp_path: Path) -> None:
    store, svc, bus, app = make_ops(tmp_path, OpsConfig(), CAMERAS)
    root = person(svc, "root", "situation-centre", Role.ADMINISTRATOR)
    _, otp = svc.accounts.create_user(None, "aruzhan", "education", Role.OPERATOR)
    assert otp is not None
    try:
        with Server(app) as server:
            op = browser.new_context(viewport=VIEW).new_page()
            first_sign_in(op, server.url, "aruzhan", otp, lang="en")  # phone lost right after
            admin = browser.new_context(viewport=VIEW).new_page()
            login(admin, server.url, "root", root, lang="en")
            admin.locator("#adm-users tr[data-id]", has_text="aruzhan").click()
            admin.click("#adm-user-card button[data-action=reset]")  # asked twice: it ends
            assert admin.locator("#adm-otp").count() == 0  # her sessions
            admin.click("#adm-user-card button[data-action=reset]")
            second = admin.locator("#adm-otp").inner_text(timeout=10_000).strip()
            assert second and second != otp
            # root now knows a password of hers: her video clearance, which root does not
            # hold, is suspended until a supervisor approves it again (said on the card)
            assert "video" in admin.inner_text("#adm-u-result #adm-pending")
            assert "video" not in svc.accounts.get_user(None, _uid(svc, "aruzhan"))["clearances"]
            again = browser.new_context(viewport=VIEW).new_page()
            first_sign_in(again, server.url, "aruzhan", second, lang="en")  # a new TOTP set-up
            assert "aruzhan" in again.inner_text("#whoami")
    finally:
        stop_ops(app)
        bus.close()
        store.close()


def test_unlock_and_reset_second_factor_from_the_card(browser: Any, tmp_path: Path) -> None:
    """Failed sign-ins lock the operator out; the card says until when and how many, Unlock
    lets her in again; Reset second factor (her phone is lost) keeps her password and makes
    her set up TOTP at the next sign-in (Kazakh interface)."""
    store, svc, bus, app = make_ops(tmp_path, OpsConfig(), CAMERAS)
    root = person(svc, "root", "situation-centre", Role.ADMINISTRATOR)
    aliya = person(svc, "aliya", "education", Role.OPERATOR)
    try:
        with Server(app) as server:
            op = browser.new_context(viewport=VIEW).new_page()
            op.goto(f"{server.url}/ui/")
            op.select_option("#login select.lang", "kk")
            for _ in range(6):  # wrong passwords, as she types them
                op.fill("#username", "aliya")
                op.fill("#password", "Wrong-Password-123")
                op.fill("#totp", "000000")
                op.click("#login-submit")
                op.wait_for_selector("#login-error:not(:empty)", timeout=10_000)
                if op.get_attribute("#login-error", "data-code") in {"locked", "too_many_attempts"}:
                    break
            assert op.get_attribute("#login-error", "data-code") in {"locked", "too_many_attempts"}

            admin = browser.new_context(viewport=VIEW).new_page()
            login(admin, server.url, "root", root, lang="kk")
            admin.locator("#adm-users tr[data-id]", has_text="aliya").click()
            admin.wait_for_selector("#adm-user-card[data-user=aliya]")
            assert "дейін бұғатталған" in admin.inner_text("#adm-u-state")  # locked until HH:MM
            failed = int(admin.inner_text("#adm-u-failed"))
            assert failed >= 5
            admin.fill("#adm-u-reason", "she forgot the new password, ticket 9")
            admin.click("#adm-user-card button[data-action=unlock]")
            admin.wait_for_selector("#adm-u-result.ok")
            assert f"{failed} сәтсіз кіру" in admin.inner_text("#adm-u-result")
            assert admin.inner_text("#adm-u-state") == "белсенді"
            assert admin.locator("#adm-user-card button[data-action=unlock]").count() == 0
            unlocked = svc.audit.rows(action="user.unlock", actor="root")
            assert unlocked[-1]["reason"] == "she forgot the new password, ticket 9"

            login(op, server.url, "aliya", aliya, lang="kk")  # she is let in again
            assert "aliya" in op.inner_text("#whoami")

            # her phone is lost: reset the second factor (asked twice: it ends her session)
            admin.click("#adm-user-card button[data-action=reset_totp]")
            assert "Растаңыз" in admin.inner_text("#adm-user-card button[data-action=reset_totp]")
            assert not svc.audit.rows(action="user.totp_reset")
            admin.click("#adm-user-card button[data-action=reset_totp]")
            admin.wait_for_selector("#adm-u-result.ok:has-text('аутентификатор')")
            assert admin.inner_text("#adm-u-totp") == "бапталмаған"
            assert svc.audit.rows(action="user.totp_reset", actor="root")
            op.reload()  # her session ended
            op.wait_for_selector("#login:not([hidden])", timeout=10_000)
            op.fill("#username", "aliya")
            op.fill("#password", PASSWORD)  # the password stays
            op.click("#login-submit")
            op.wait_for_selector("#enrol:not([hidden])", timeout=10_000)  # TOTP set up anew
            shot(admin, tmp_path, "a4-admin-unlock-reset-totp", docs=True)
    finally:
        stop_ops(app)
        bus.close()
        store.close()
