"""Alarm ergonomics of a night shift: the sound repeats until the alert is acknowledged,
mute and snooze silence it (new alerts still sound after a snooze), a browser
notification pops up while the window is in the background, and the keyboard drives the
queue (next, acknowledge) with a help overlay listing the keys in the interface language."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from tests.incidents.conftest import CAMERAS, ev, make_ops, stop_ops

from kuzet.config.ops import OpsConfig

from .conftest import Server, login, person, shot, until

pytestmark = pytest.mark.slow

# Records the notifications the page shows (the real API, called through).
NOTES = """
window.__notes = [];
const Real = window.Notification;
window.Notification = class extends Real {
  constructor(title, opts) { super(title, opts); window.__notes.push(title); }
};
"""


def plays(page: Any) -> int:
    return int(page.get_attribute("#alarm", "data-plays") or 0)


def test_sound_repeats_until_acknowledged_and_keys_drive_the_queue(
    browser: Any, tmp_path: Path
) -> None:
    store, svc, bus, app = make_ops(tmp_path, OpsConfig(group_window_s=0), CAMERAS)
    secret = person(svc, "nurlan", "education")
    try:
        with Server(app) as server:
            ctx = browser.new_context(viewport={"width": 1440, "height": 860},
                                      permissions=["notifications"])  # fmt: skip
            ctx.add_init_script(NOTES)
            page = ctx.new_page()
            login(page, server.url, "nurlan", secret, lang="ru")
            assert page.is_hidden("#alarm-notify")  # permission granted: nothing to ask
            # The operator is in another window (headless Chromium keeps every page focused,
            # so the page is told it has lost the focus).
            page.evaluate("document.hasFocus = () => false")
            bus.publish(ev("school-1"))  # a school yard: education, high priority
            until(page, "document.querySelector('#alarm').dataset.sounding === '1'")
            assert page.get_attribute("#alarm", "data-priority") == "1"
            until(page, "window.__notes.length > 0")
            assert "Присутствие в зоне" in page.evaluate("window.__notes[0]")
            page.evaluate("delete document.hasFocus")
            first = plays(page)
            time.sleep(3.0)
            assert plays(page) >= first + 1  # high priority repeats every 2.5 s

            page.keyboard.press("m")  # mute: silent, and a banner says so
            until(page, "document.querySelector('#alarm').dataset.sounding === '0'")
            assert page.is_visible("#alarm-banner")
            muted = plays(page)
            time.sleep(3.0)
            assert plays(page) == muted
            page.keyboard.press("m")
            until(page, "document.querySelector('#alarm').dataset.sounding === '1'")

            page.keyboard.press("?")  # the shortcuts, in Russian, then in Kazakh
            page.wait_for_selector("#keys-help:not([hidden])")
            assert "Горячие клавиши" in page.inner_text("#keys-help")
            shot(page, tmp_path, "13-keyboard-shortcuts", docs=True)
            page.keyboard.press("Escape")
            page.select_option("header select.lang", "kk")
            page.keyboard.press("?")
            assert "Жылдам пернелер" in page.inner_text("#keys-help")
            page.keyboard.press("Escape")
            assert page.is_hidden("#keys-help")

            page.keyboard.press("j")  # the first alert, then acknowledge it by key
            page.wait_for_selector("#detail [data-incident]")
            page.keyboard.press("a")
            page.wait_for_selector("#d-state[data-state=acknowledged]")
            until(page, "document.querySelector('#alarm').dataset.sounding === '0'")
            done = plays(page)
            time.sleep(3.0)
            assert plays(page) == done  # acknowledged: the sound stops

            bus.publish(ev("school-1"))  # a second alert sounds; snooze silences it
            until(page, "document.querySelector('#alarm').dataset.sounding === '1'")
            page.click("#alarm-snooze")
            until(page, "document.querySelector('#alarm').dataset.sounding === '0'")
            assert ":" in page.inner_text("#alarm-snooze")  # "... until HH:MM:SS"
            bus.publish(ev("school-1"))  # a new one is not covered by the snooze
            until(page, "document.querySelector('#alarm').dataset.sounding === '1'")
            ctx.close()
    finally:
        stop_ops(app)
        bus.close()
        store.close()
