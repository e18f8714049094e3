"""An officer signs a violation in the browser, clicking and typing only: signs in, opens
the violations queue, makes their own signing key with a passphrase, opens the pending
speeding violation (frames from real footage through the pipeline hook), accepts it with
a reason and the passphrase; the package is then signed by that officer's key and verifies
offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.incidents.conftest import CAMERAS, make_ops, stop_ops
from tests.violations.conftest import make_violation

from kuzet.access.model import Role
from kuzet.config.ops import OpsConfig
from kuzet.crypto.signing import parse_public_key
from kuzet.evidence.verify import verify_bundle
from kuzet.store import LocalBlobStore

from .conftest import PASSWORD, Hold, Server, login, person, shot

pytestmark = pytest.mark.slow
VIEW = {"width": 1440, "height": 900}
PASS = "red-light-2026-almaty"


def test_an_officer_accepts_and_signs_a_violation(
    browser: Any, tmp_path: Path, vtest_path: Path
) -> None:
    store, svc, bus, app = make_ops(tmp_path, OpsConfig(), CAMERAS)
    make_violation(store, LocalBlobStore(tmp_path / "blobs"), vtest_path, "traffic-1",
                   speed_kmh=87.4, speed_uncertainty_kmh=2.1, limit_kmh=60)  # fmt: skip
    secret = person(svc, "berik", "traffic-police", Role.SUPERVISOR)
    try:
        with Server(app) as server:
            page = browser.new_context(viewport=VIEW, accept_downloads=True).new_page()
            login(page, server.url, "berik", secret, lang="en")
            page.click("#tabs button[data-tab=violations]")
            page.wait_for_selector("#vio-list tr[data-id=vio-speeding]")
            assert "123 ABC 02" in page.inner_text("#vio-list tr[data-id=vio-speeding]")
            # no key yet: signing is refused, in words
            page.click("#vio-list button[data-id=vio-speeding]")
            page.wait_for_selector("#vio-detail img.vio-frame-at")
            page.fill("#vio-reason", "speed measured 87 km/h in a 60 zone")
            page.fill("#vio-pass", PASS)
            page.click("#vio-accept")
            page.wait_for_selector("#vio-msg:has-text('no signing key')")
            # the officer's own key
            page.fill("#vio-account-pass", PASSWORD)
            page.fill("#vio-new-pass", PASS)
            page.click("#vio-enrol")
            page.wait_for_selector("#vio-key .vio-key-ok")
            fingerprint = page.inner_text("#vio-key").split(": ")[-1].strip()
            page.wait_for_selector("#vio-detail img.vio-frame-after")
            facts = page.inner_text("#vio-detail .vio-facts")
            assert "87.4" in facts and "2.1" in facts and "123 ABC 02" in facts
            shot(page, tmp_path, "v1-violation-review", docs=True)
            page.fill("#vio-reason", "speed measured 87 km/h in a 60 zone")
            page.fill("#vio-pass", PASS)
            page.click("#vio-accept")
            page.wait_for_selector("#vio-detail .vio-signed")
            assert fingerprint in page.inner_text("#vio-detail .vio-signed")
            assert not page.query_selector("#vio-list tr[data-id=vio-speeding]")  # left the queue
            with page.expect_download() as got:
                page.click("#vio-download")
            pkg = tmp_path / "package.zip"
            got.value.save_as(str(pkg))
            key = app.state.kuzet.violations.keys.active(_user_id(svc, "berik"))
            rep = verify_bundle(pkg, parse_public_key(key.public_key))
            assert rep.ok, rep.findings
            assert rep.manifest and rep.manifest["review"]["reason"].startswith("speed measured")
    finally:
        stop_ops(app)
        bus.close()
        store.close()


def test_a_slow_violation_does_not_draw_over_the_next_one(
    browser: Any, tmp_path: Path, vtest_path: Path
) -> None:
    """An officer opens one violation, then another before the first one's evidence came
    back: the card keeps the one opened last, with its own decision buttons (the late
    answer used to replace it, so a decision would go to the violation not chosen)."""
    store, svc, bus, app = make_ops(tmp_path, OpsConfig(), CAMERAS)
    blobs = LocalBlobStore(tmp_path / "blobs")
    make_violation(store, blobs, vtest_path, "traffic-1", speed_kmh=87.4, limit_kmh=60)
    make_violation(store, blobs, vtest_path, "traffic-1", "red_light", signal_state="red")
    secret = person(svc, "berik", "traffic-police", Role.SUPERVISOR)
    try:
        with Server(app) as server:
            page = browser.new_context(viewport=VIEW).new_page()
            login(page, server.url, "berik", secret, lang="en")
            page.click("#tabs button[data-tab=violations]")
            page.wait_for_selector("#vio-list tr[data-id=vio-red_light]")
            held = Hold(page, lambda u: u.endswith("/api/violations/vio-speeding"))
            page.click("#vio-list button[data-id=vio-speeding]")
            held.wait()
            page.click("#vio-list button[data-id=vio-red_light]")
            page.wait_for_selector("#vio-detail .vio-facts td:has-text('red_light')")
            held.release()
            facts = page.inner_text("#vio-detail .vio-facts")
            assert "red_light" in facts and "speeding" not in facts, facts
    finally:
        stop_ops(app)
        bus.close()
        store.close()


def _user_id(svc: Any, name: str) -> str:
    from sqlalchemy import select

    from kuzet.access.tables import UserRow

    with svc.engine.connect() as c:
        return str(c.execute(select(UserRow.id).where(UserRow.username == name)).scalar_one())
