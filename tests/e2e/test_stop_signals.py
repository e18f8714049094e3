"""Issue 11, blocker 5: SIGTERM (systemd, docker, `timeout`) stops `kuzet serve` exactly as
Ctrl-C does: exit 0 after the clean stop, every event acknowledged is in the store, and
SQLite's write-ahead log is folded back into the database (no `-wal` file left)."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from kuzet.access.service import AccessService
from kuzet.core import EventQuery
from kuzet.schema import open_store

from . import test_crash_restart as serve
from .conftest import integration_key

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_stops_cleanly(tmp_path: Path, vtest_clip: Path, sig: signal.Signals) -> None:
    port = serve._port()
    db = tmp_path / "kuzet.db"
    site = tmp_path / "site.yaml"
    site.write_text(
        f"data_dir: {tmp_path / 'var'}\n"
        f"store: {{url: 'sqlite:///{db}', batch_wait_ms: 10}}\n"
        f"api: {{port: {port}}}\n"
        "access: {embedded_keys: true}\n"
        "cameras:\n"
        "  - id: cam-1\n"
        f"    main_url: '{vtest_clip}'\n"
        "    loop: true\n"
        "    rules: [{type: scene, rules: [{type: intrusion, name: people, classes: [person]}]}]\n"
    )
    api = f"http://127.0.0.1:{port}"
    with open_store(f"sqlite:///{db}") as store:
        serve.HEADERS["X-API-Key"] = integration_key(AccessService(store.engine))
    log = tmp_path / "serve.log"
    proc = serve._serve(site, log)
    try:
        acked: list[str] = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(acked) < 3:
            time.sleep(0.3)
            acked = serve._stored_ids(api)
        assert len(acked) >= 3, log.read_text()[-2000:]
        # the service hands its incident engine to the API: the queue answers (the engine
        # consumes the bus beside the store's sink: it may open the incident a moment later)
        deadline = time.monotonic() + 30
        while True:
            r = serve._get(f"{api}/api/ops/incidents")
            assert r is not None and r.status_code == 200, None if r is None else r.text
            if any(i["camera_id"] == "cam-1" for i in r.json()) or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        assert any(i["camera_id"] == "cam-1" for i in r.json()), log.read_text()[-2000:]
    finally:
        proc.send_signal(sig)
        rc = proc.wait(60)
    out = log.read_text()
    assert rc == 0, out[-3000:]
    assert "kuzet stopped cleanly" in out and "Kuzet stopped after" in out, out[-3000:]
    assert "Traceback" not in out, out[-3000:]
    assert not (tmp_path / "kuzet.db-wal").exists(), "the write-ahead log was left behind"
    with open_store(f"sqlite:///{db}") as store:
        stored, _ = store.query_events(EventQuery(limit=1000))
    assert set(acked) <= {e.id for e in stored}
