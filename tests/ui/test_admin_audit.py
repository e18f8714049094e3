"""The audit-log viewer in the browser: an auditor lands on it (and sees nothing else),
filters the account changes, opens one record, checks the hash chain and downloads the
export; her own searches are in the log too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.incidents.conftest import CAMERAS, make_ops, stop_ops

from kuzet.access.model import Role
from kuzet.config.ops import OpsConfig

from .conftest import Server, login, person, shot

pytestmark = pytest.mark.slow


def test_auditor_reads_filters_verifies_and_exports(browser: Any, tmp_path: Path) -> None:
    store, svc, bus, app = make_ops(tmp_path, OpsConfig(), CAMERAS)
    svc.accounts.create_user(None, "bolat", "city-police", Role.OPERATOR, reason="order 7")
    secret = person(svc, "kamila", "prosecutor", Role.AUDITOR)
    # the prosecutor's auditor oversees the whole city: records of every agency
    svc.accounts.update_user(None, svc.accounts.find("kamila"), {"clearances": ["city_audit"]})
    try:
        with Server(app) as server:
            ctx = browser.new_context(
                viewport={"width": 1440, "height": 900}, accept_downloads=True
            )
            page = ctx.new_page()
            login(page, server.url, "kamila", secret, lang="kk")
            page.wait_for_selector("#audit-pane:not([hidden]) #aud-list[data-state=done]")
            tabs = page.locator("#tabs button").evaluate_all("bs => bs.map(b => b.dataset.tab)")
            # an auditor reads the log and watches clearance requests; no video, no accounts
            assert tabs == ["grants", "audit"]
            assert page.locator("#aud-list tr[data-id]").count() >= 3  # creations, her login

            page.fill("#aud-action", "user.create")
            page.click("#aud-search")
            page.wait_for_selector("#aud-list[data-state=done] tr[data-id]")
            rows = page.locator("#aud-list tbody tr").all_inner_texts()
            assert rows and all("user.create" in r for r in rows)
            bolat = page.locator("#aud-list tbody tr", has_text="bolat")
            assert "order 7" in bolat.inner_text()
            bolat.click()
            assert '"role": "operator"' in page.inner_text("#aud-json")
            shot(page, tmp_path, "a3-audit-viewer", docs=True)

            page.click("#aud-verify")
            page.wait_for_selector("#aud-note.ok")
            assert "Хеш тізбегі бүтін" in page.inner_text("#aud-note")

            with page.expect_download() as dl:
                page.click("#aud-export-csv")
            csv = Path(dl.value.path()).read_text(encoding="utf-8")
            lines = [x for x in csv.splitlines()[1:] if x.strip()]
            assert "bolat" in csv and lines and all("user.create" in x for x in lines)
        seen = {r["action"] for r in svc.audit.rows(actor="kamila")}
        assert {"audit.search", "audit.verify", "audit.export"} <= seen
    finally:
        stop_ops(app)
        bus.close()
        store.close()
