"""`kuzet serve` refuses to start without the audit and access keys, unless the site opts
into the embedded key files (the demo does): those are 0600 under the data dir, a loud
warning at every start, and `kuzet audit verify` reads them."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kuzet.serve
from kuzet.access.keyfiles import AUDIT_KEY_FILE
from kuzet.access.service import AccessService
from kuzet.cli import app as cli
from kuzet.demo import demo_site
from kuzet.schema import open_store

ENV = ("KUZET_AUDIT_KEY", "KUZET_ACCESS_KEYS", "KUZET_ACCESS_KEY_FILE")


@pytest.fixture
def no_keys(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    started: list[object] = []
    monkeypatch.setattr(kuzet.serve, "run_service", lambda site, **kw: started.append(site))
    return started


def _site(tmp_path: Path, extra: str = "") -> Path:
    site = tmp_path / "site.yaml"
    site.write_text(f"data_dir: {tmp_path / 'var'}\nstore: {{url: 'sqlite:///{tmp_path}/k.db'}}\n"
                    f"{extra}")  # fmt: skip
    return site


def test_serve_refuses_without_keys(tmp_path: Path, no_keys: list[object]) -> None:
    r = CliRunner().invoke(cli, ["serve", "--site", str(_site(tmp_path))])
    assert r.exit_code == 2 and not no_keys
    assert "KUZET_AUDIT_KEY" in r.output and "KUZET_ACCESS_KEYS" in r.output
    assert "embedded_keys" in r.output and "Traceback" not in r.output


def test_serve_starts_with_keys_or_the_embedded_opt_in(
    tmp_path: Path, no_keys: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    opted = _site(tmp_path, "access: {embedded_keys: true}\n")
    assert CliRunner().invoke(cli, ["serve", "--site", str(opted)]).exit_code == 0
    monkeypatch.setenv("KUZET_AUDIT_KEY", "k" * 40)
    monkeypatch.setenv("KUZET_ACCESS_KEYS", "a1:" + "A" * 43 + "=")
    assert CliRunner().invoke(cli, ["serve", "--site", str(_site(tmp_path))]).exit_code == 0
    assert len(no_keys) == 2


def test_the_demo_opts_in_and_its_key_file_is_private(
    tmp_path: Path, no_keys: list[object], caplog: pytest.LogCaptureFixture
) -> None:
    site = demo_site(cameras=1, data_dir=tmp_path / "var")
    assert site.access.embedded_keys
    store = open_store(site.store.url)
    try:
        with caplog.at_level(logging.WARNING):
            svc = AccessService(store.engine, site.access, data_dir=site.data_dir)
        path = site.data_dir / AUDIT_KEY_FILE
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert "EMBEDDED AUDIT KEY" in caplog.text and str(path.absolute()) in caplog.text
        assert svc.audit.keyed
        svc.audit.record("u", "a")
    finally:
        store.close()
    # the CLI finds the same key in the data dir, so the chain verifies
    site_file = tmp_path / "demo.yaml"
    site_file.write_text(f"data_dir: {site.data_dir}\nstore: {{url: '{site.store.url}'}}\n")
    r = CliRunner().invoke(cli, ["audit", "verify", "--site", str(site_file)])
    assert r.exit_code == 0 and "intact" in r.output, r.output


def test_without_a_key_the_service_says_so(
    tmp_path: Path, no_keys: list[object], caplog: pytest.LogCaptureFixture
) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'k.db'}")
    try:
        with caplog.at_level(logging.WARNING):
            svc = AccessService(store.engine)
        assert not svc.audit.keyed and "plain SHA-256" in caplog.text
    finally:
        store.close()
