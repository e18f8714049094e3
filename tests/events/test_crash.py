"""kill -9 mid-run, run the same work again: every acked event is stored exactly once."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

WORKER = Path(__file__).with_name("crash_worker.py")
N = 20_000


def test_kill_9_mid_run_then_replay_stores_every_acked_event_once(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    url = f"sqlite:///{db}"
    proc = subprocess.Popen(
        [sys.executable, str(WORKER), url, str(N), "10"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    acked: list[str] = []
    deadline = time.monotonic() + 30
    for line in proc.stdout:
        if line.startswith("ACK "):
            acked.append(line[4:].strip())
        assert not line.startswith("DONE"), "worker finished before it could be killed"
        if len(acked) >= 3000 or time.monotonic() > deadline:
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(10)
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    assert 3000 <= len(acked) < N

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored_after_crash = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    assert stored_after_crash >= len(set(acked))  # acked => committed

    rerun = subprocess.run(
        [sys.executable, str(WORKER), url, str(N), "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "DONE" in rerun.stdout
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT id, count(*) FROM events GROUP BY id").fetchall()
    counts = dict(rows)
    assert all(counts.get(i) == 1 for i in acked)  # every acked id, exactly once
    assert len(counts) == N == sum(counts.values())  # the replay filled in the rest
    assert f"duplicates={stored_after_crash}" in rerun.stdout  # replayed ids were ignored
