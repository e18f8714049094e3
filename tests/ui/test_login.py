"""Sign-in says why it failed, in the person's language: a wrong password or code, a code
that was already used (wait for the next one), an account locked until a given time.
Machine-readable codes the server may add (totp_invalid, totp_reused, locked + until) get
their own words; anything else the generic sentence, never the server's English."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pyotp
import pytest
from tests.incidents.conftest import CAMERAS, make_ops, stop_ops

from kuzet.config.ops import OpsConfig

from .conftest import PASSWORD, Server, person, shot

pytestmark = pytest.mark.slow

WORDS = {  # code -> what the Russian message must say
    "unauthorized": "Неверное имя, пароль или код",
    "invalid_credentials": "Неверное имя, пароль или код",
    "totp_invalid": "Неверный код",
    "totp_reused": "уже использован",
    "too_many_attempts": "Повторите в",
    "locked": "заблокирована",
}


def attempt(page: Any, name: str, password: str, code: str) -> tuple[str, str]:
    page.fill("#username", name)
    page.fill("#password", password)
    page.fill("#totp", code)
    page.click("#login-submit")
    page.wait_for_selector("#login-error:not(:empty)", timeout=10_000)
    text = page.inner_text("#login-error")
    page.evaluate("document.querySelector('#login-error').textContent = ''")
    return page.get_attribute("#login-error", "data-code") or "", text


def test_sign_in_failures_are_explained(browser: Any, tmp_path: Path) -> None:
    store, svc, bus, app = make_ops(tmp_path, OpsConfig(), CAMERAS)
    secret = person(svc, "aliya", "education")
    try:
        with Server(app) as server:
            page = browser.new_context(viewport={"width": 900, "height": 700}).new_page()
            page.goto(f"{server.url}/ui/")
            page.select_option("#login select.lang", "ru")
            totp = pyotp.TOTP(secret)

            # A code used a moment ago (by a sign-in that worked) is refused as used.
            code = totp.now()
            page.fill("#username", "aliya")
            page.fill("#password", PASSWORD)
            page.fill("#totp", code)
            page.click("#login-submit")
            page.wait_for_selector("#app:not([hidden])", timeout=10_000)
            page.click("#logout")
            page.wait_for_selector("#login:not([hidden])", timeout=10_000)
            page.select_option("#login select.lang", "ru")
            got, text = attempt(page, "aliya", PASSWORD, code)
            assert got in {"invalid_credentials", "totp_reused", "totp_invalid"}, got
            assert WORDS[got] in text, (got, text)

            got, text = attempt(page, "aliya", "Wrong-Password-123", totp.now())
            assert got in {"invalid_credentials", "totp_invalid"}, (got, text)
            assert WORDS[got] in text, (got, text)
            assert not re.search(r"[A-Za-z]{5}", text), text  # no server English

            # Failures lock the account for a while: the page says until when (Almaty time).
            for _ in range(6):
                got, text = attempt(page, "aliya", "Wrong-Password-123", "000000")
                if got in {"too_many_attempts", "locked"}:
                    break
            assert got in {"too_many_attempts", "locked"}, (got, text)
            assert WORDS[got] in text and re.search(r"\d\d:\d\d", text), text
            shot(page, tmp_path, "14-sign-in-locked", docs=True)
            page.select_option("#login select.lang", "kk")  # the message is not English there
            got, text = attempt(page, "aliya", PASSWORD, totp.at(time.time() + 30))
            assert got in {"too_many_attempts", "locked"}
            assert re.search("[әіңғүұқөһ]", text), text
    finally:
        stop_ops(app)
        bus.close()
        store.close()
