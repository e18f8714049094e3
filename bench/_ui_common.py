"""What the two UI benchmarks share: Kuzet's app served by uvicorn on loopback, people with
TOTP set up, Debian's Chromium driven by Playwright, and percentiles."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import pyotp
import uvicorn
from fastapi import FastAPI

from kuzet.access.model import Role
from kuzet.access.service import AccessService
from kuzet.config.access import AccessConfig, Argon2Config, PasswordPolicy

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]  # fmt: skip
PASSWORD = "Correct-Horse-Battery-9"


def cheap_access() -> AccessConfig:
    """Real argon2id at a tiny cost (sign-in is not what is measured), plain-HTTP cookies."""
    return AccessConfig(
        passwords=PasswordPolicy(argon2=Argon2Config(time_cost=1, memory_kib=8, parallelism=1)),
        secure_cookies=False,
    )


def person(svc: AccessService, name: str, agency: str, role: Role = Role.OPERATOR) -> str:
    """An account with TOTP set up; returns its TOTP secret."""
    _, otp = svc.accounts.create_user(None, name, agency, role)
    assert otp is not None
    p = svc.authenticate(svc.sessions.login(name, otp).access_token)
    assert p is not None
    secret = svc.accounts.enrol_totp(p).secret
    svc.accounts.confirm_totp(p, pyotp.TOTP(secret).at(time.time() - 30), PASSWORD)
    return secret


class Server:
    """uvicorn in a thread, on 127.0.0.1 only."""

    def __init__(self, app: FastAPI) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        cfg = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(cfg)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def sign_in(page: Any, url: str, name: str, secret: str, lang: str = "en") -> None:
    page.goto(f"{url}/ui/")
    page.select_option("#login select.lang", lang)
    page.fill("#username", name)
    page.fill("#password", PASSWORD)
    page.fill("#totp", pyotp.TOTP(secret).now())
    page.click("#login-submit")
    page.wait_for_selector("#app:not([hidden])", timeout=15_000)


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")
