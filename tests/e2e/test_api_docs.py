"""docs/api.md's worked example (log in with the one-time password, set up TOTP, log in
for real, create a user, an integration account and an API key) is run as written, with
curl and jq, against a live `kuzet serve`; its output is the one the page shows."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kuzet.access.tables import ApiKeyRow, UserRow
from kuzet.crypto import KeyRing
from kuzet.schema import open_store

from . import test_crash_restart as serve

pytestmark = pytest.mark.slow
DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
MARK = "<!-- tested by tests/e2e/test_api_docs.py"


def _blocks() -> tuple[str, str]:
    """The bash block after the marker, and the text block after it (its output)."""
    text = DOC.read_text()
    tail = text[text.index(MARK) :]
    script = re.search(r"```bash\n(.*?)```", tail, re.DOTALL)
    output = re.search(r"```text\n(.*?)```", tail, re.DOTALL)
    assert script and output, "docs/api.md lost its worked example"
    return script.group(1), output.group(1)


def test_the_documented_curl_session_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # as docs/api.md says a server runs: with its keys in the environment
    monkeypatch.setenv("KUZET_AUDIT_KEY", "docs-example-audit-key-0123456789abcdef")
    monkeypatch.setenv("KUZET_ACCESS_KEYS", KeyRing.generate("k1"))
    for tool in ("bash", "curl", "jq"):
        assert shutil.which(tool), f"{tool} is needed (Debian package {tool})"
    script, expected = _blocks()
    port = serve._port()
    site = tmp_path / "site.yaml"
    site.write_text(
        f"data_dir: {tmp_path / 'var'}\n"
        f"store: {{url: 'sqlite:///{tmp_path / 'kuzet.db'}'}}\n"
        f"api: {{port: {port}}}\n"
    )
    kuzet = [sys.executable, "-m", "kuzet"]
    made = subprocess.run(
        [*kuzet, "admin", "create-first", "--username", "admin", "--site", str(site)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    otp = re.search(r"one-time password: (\S+)", made.stdout)
    assert otp, made.stdout
    log = tmp_path / "serve.log"
    proc = serve._serve(site, log)
    api = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            r = serve._get(f"{api}/healthz")
            if r is not None and r.status_code == 200:
                break
            time.sleep(0.3)
        else:
            pytest.fail("the service did not start:\n" + log.read_text()[-2000:])
        venv_bin = str(Path(sys.executable).parent)
        env = {**os.environ, "KUZET": api, "OTP": otp.group(1), "PASSWORD": "Docs-Example-Pass-42",
               "PATH": f"{venv_bin}:{os.environ.get('PATH', '')}"}  # fmt: skip
        run = subprocess.run(
            ["bash", "-c", script], capture_output=True, text=True, env=env, timeout=120
        )
        assert run.returncode == 0, run.stderr + log.read_text()[-2000:]
        assert run.stdout == expected, run.stdout
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0, log.read_text()[-2000:]
    with open_store(f"sqlite:///{tmp_path / 'kuzet.db'}") as store, Session(store.engine) as s:
        users = {
            u.username: (u.role, u.agency_id, u.totp_enabled) for u in s.scalars(select(UserRow))
        }
        keys = list(s.scalars(select(ApiKeyRow)))
    assert users["admin"] == ("administrator", "situation-centre", True)
    assert users["a.operator"] == ("operator", "education", False)  # sets up TOTP at first login
    assert users["dispatch-bridge"][0] == "integration" and len(keys) == 1
