"""kill -9 in the middle of `kuzet serve`, restart: every acknowledged event is stored once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from kuzet.access.service import AccessService
from kuzet.core import EventQuery
from kuzet.schema import open_store

from .conftest import integration_key

pytestmark = pytest.mark.slow


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(site: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "kuzet", "serve", "--site", str(site), "--no-print-events"],
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        env=env,
    )


HEADERS: dict[str, str] = {}


def _get(url: str) -> httpx.Response | None:
    try:
        return httpx.get(url, timeout=2, headers=HEADERS)
    except httpx.HTTPError:
        return None


def _stored_ids(api: str) -> list[str]:
    ids, cursor = [], None
    while True:
        r = _get(f"{api}/api/events?limit=1000" + (f"&cursor={cursor}" if cursor else ""))
        if r is None or r.status_code != 200:
            return ids
        body = r.json()
        ids += [e["id"] for e in body["items"]]
        cursor = body.get("next_cursor")
        if not cursor:
            return ids


def test_kill_9_then_restart_loses_and_duplicates_nothing(tmp_path: Path, vtest_clip: Path) -> None:
    port = _port()
    db = tmp_path / "kuzet.db"
    site = tmp_path / "site.yaml"
    site.write_text(
        f"data_dir: {tmp_path / 'var'}\n"
        f"store: {{url: 'sqlite:///{db}', batch_wait_ms: 10}}\n"
        f"api: {{port: {port}}}\n"
        "access: {embedded_keys: true}\n"  # serve refuses to run without keys otherwise
        "cameras:\n"
        "  - id: cam-1\n"
        f"    main_url: '{vtest_clip}'\n"
        "    rules: [{type: scene, rules: [{type: intrusion, name: people, classes: [person]}]}]\n"
    )
    api = f"http://127.0.0.1:{port}"
    with open_store(f"sqlite:///{db}") as store:  # the account exists before the service starts
        HEADERS["X-API-Key"] = integration_key(AccessService(store.engine))
    log = tmp_path / "serve.log"

    first = _serve(site, log)
    try:
        deadline = time.monotonic() + 120
        acked: list[str] = []
        while time.monotonic() < deadline and len(acked) < 5:
            time.sleep(0.3)
            acked = _stored_ids(api)  # what the API returns is committed
        assert len(acked) >= 5, log.read_text()[-2000:]
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)

    second = _serve(site, log)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            r = _get(f"{api}/api/cameras/cam-1")
            if r is not None and r.status_code == 200 and r.json()["status"]["state"] == "finished":
                break
            time.sleep(0.5)
        else:
            pytest.fail("second run never finished the clip:\n" + log.read_text()[-2000:])
        time.sleep(1.0)  # let the sink commit the tail
    finally:
        second.send_signal(signal.SIGINT)
        assert second.wait(30) == 0, log.read_text()[-2000:]

    store = open_store(f"sqlite:///{db}")
    try:
        events, cursor = [], None
        while True:
            page, cursor = store.query_events(EventQuery(limit=1000, cursor=cursor))
            events += page
            if not cursor:
                break
    finally:
        store.close()
    ids = [e.id for e in events]
    assert set(acked) <= set(ids), "an acknowledged event was lost"
    assert len(ids) == len(set(ids))
    # the replay re-created the same events under the same ids, not new copies of them
    keys = Counter((e.camera_id, e.rule, e.track_id, e.phase, e.pts) for e in events)
    assert max(keys.values()) == 1
    assert len(events) > len(acked)  # the second run completed the clip
