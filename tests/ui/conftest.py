"""A real Kuzet service (pipeline on real footage, store, bus, API, operations centre)
served by uvicorn on loopback, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
import uvicorn
from fastapi import FastAPI
from services import import_service, require_service

from kuzet.access.model import Role
from kuzet.access.service import AccessService

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]  # fmt: skip
PASSWORD = "Correct-Horse-Battery-9"
DOCS_UI = Path(__file__).resolve().parents[2] / "docs" / "ui"


def person(svc: AccessService, name: str, agency: str, role: Role = Role.OPERATOR) -> str:
    """An account with TOTP set up (but not yet logged in); returns its TOTP secret."""
    _, otp = svc.accounts.create_user(None, name, agency, role)
    assert otp is not None
    p = svc.authenticate(svc.sessions.login(name, otp).access_token)
    assert p is not None
    secret = svc.accounts.enrol_totp(p).secret
    svc.accounts.confirm_totp(p, pyotp.TOTP(secret).at(time.time() - 30), PASSWORD)
    return secret


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """uvicorn in a thread: the same server `kuzet serve` runs, on 127.0.0.1 only."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
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


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        require_service("chromium", "Debian chromium missing (apt-get install -y chromium)")
    playwright = import_service("playwright.sync_api", "playwright", "pip install playwright")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with playwright.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def login(page: Any, url: str, name: str, secret: str, *, lang: str = "ru") -> None:
    """The sign-in form, as a person fills it: name, password, the current TOTP code."""
    page.goto(f"{url}/ui/")
    page.select_option("#login select.lang", lang)
    page.fill("#username", name)
    page.fill("#password", PASSWORD)
    page.fill("#totp", pyotp.TOTP(secret).now())
    page.click("#login-submit")
    page.wait_for_selector("#app:not([hidden])", timeout=10_000)


def shot(page: Any, tmp: Path, name: str, *, docs: bool = False) -> Path:
    """A screenshot in the test's tmp dir; with KUZET_UI_DOCS=1 also a small copy (half
    size, 64-colour PNG) in docs/ui for the documentation."""
    out = tmp / f"{name}.png"
    page.screenshot(path=str(out))
    if docs and os.environ.get("KUZET_UI_DOCS") == "1":
        from PIL import Image

        DOCS_UI.mkdir(parents=True, exist_ok=True)
        with Image.open(out) as im:
            half = (im.width // 2, im.height // 2)
            small = im.convert("RGB").resize(half, Image.Resampling.LANCZOS)
            small.quantize(64).save(DOCS_UI / f"{name}.png", optimize=True)
    return out


def until(page: Any, expression: str, timeout: float = 10.0, show: str | None = None) -> Any:
    """Poll a JS expression from Python until it is truthy. ``page.wait_for_function``
    re-evaluates strings with eval in the page, which the app's CSP (rightly) forbids.
    ``show``: an expression whose value the timeout message includes (what the page had).
    An expression that throws (``querySelector(...)`` still null after a reload) counts as
    not yet true; the timeout names the last error."""
    deadline = time.monotonic() + timeout
    error: Exception | None = None
    while True:
        try:
            got = page.evaluate(expression)
        except Exception as exc:  # an element not drawn yet (a page reloading): not yet
            got, error = None, exc
        if got:
            return got
        if time.monotonic() > deadline:
            seen = f"; {show} was {page.evaluate(show)!r}" if show else ""
            last = f"; last error: {error}" if error else ""
            raise AssertionError(f"timed out waiting for {expression}{seen}{last}")
        time.sleep(0.1)


class Hold:
    """Holds the first request whose URL ``match`` accepts until :meth:`release`: the answer
    to a person's earlier action, slow on a busy server, that then arrives after the answer
    to their next action. Later requests of the same kind go through at once."""

    def __init__(self, page: Any, match: Callable[[str], bool]) -> None:
        self.page, self.match = page, match
        self.routes: list[Any] = []
        page.route(match, self._route)

    def _route(self, route: Any) -> None:
        if self.routes:
            route.continue_()
        else:
            self.routes.append(route)

    def wait(self, timeout: float = 10.0) -> None:
        """Until the request is held (the page keeps running meanwhile)."""
        deadline = time.monotonic() + timeout
        while not self.routes:
            if time.monotonic() > deadline:
                raise AssertionError("the request to hold was never made")
            self.page.wait_for_timeout(50)

    def release(self) -> None:
        """Lets the held request through and waits until its answer was handled."""
        with self.page.expect_response(lambda r: self.match(r.url)):
            self.routes[0].continue_()
        for _ in range(3):  # let the late answer's handlers run to the end
            self.page.evaluate("new Promise((r) => setTimeout(r, 50))")


def first_sign_in(page: Any, url: str, name: str, one_time: str, *, lang: str = "ru") -> str:
    """A first sign-in as a person does it: the one-time password, the TOTP set-up page (the
    key read off the page, as one types it into an app), the recovery codes, then name, new
    password and the next code. Returns the TOTP secret."""
    page.goto(f"{url}/ui/")
    page.select_option("#login select.lang", lang)
    page.fill("#username", name)
    page.fill("#password", one_time)
    page.click("#login-submit")
    page.wait_for_selector("#enrol:not([hidden])", timeout=10_000)
    secret = str(page.inner_text("#enrol-secret")).replace(" ", "")
    now = time.time()
    page.fill("#enrol-password", PASSWORD)
    page.fill("#enrol-code", pyotp.TOTP(secret).at(now))
    page.click("#enrol-submit")
    page.wait_for_selector("#enrol-done:not([hidden])", timeout=10_000)
    page.click("#enrol-continue")
    page.wait_for_selector("#login:not([hidden])")
    page.fill("#password", PASSWORD)
    page.fill("#totp", pyotp.TOTP(secret).at(now + 30))  # the next step: no replay
    page.click("#login-submit")
    page.wait_for_selector("#app:not([hidden])", timeout=10_000)
    return secret


def footage(vtest: Path, frames: int = 30) -> tuple[bytes, bytes]:
    """Real footage (vtest.avi) as an event's snapshot (JPEG) and clip (H.264 MP4, 10 fps)."""
    import av
    import cv2

    from kuzet.media.mp4 import encode_mp4

    got: list[tuple[float, Any]] = []
    with av.open(str(vtest)) as src:
        for i, f in enumerate(src.decode(video=0)):
            got.append((i / 10, f.to_ndarray(format="bgr24")))
            if len(got) >= frames:
                break
    ok, jpg = cv2.imencode(".jpg", got[len(got) // 2][1])
    assert ok
    return jpg.tobytes(), encode_mp4(got)
