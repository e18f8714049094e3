"""kill -9 mid-run, run the same work again: nothing acknowledged is lost, nothing is
stored that was not published, and the replay fills in exactly what was missing.

(One row per id is the primary key's doing and needs no test; what a broken sink could
get wrong is which ids it acknowledged, what it wrote under them, and its accounting.)
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from crash_worker import event

WORKER = Path(__file__).with_name("crash_worker.py")
N = 20_000


def _rows(db: Path) -> dict[str, tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return {r[0]: (r[1], r[2]) for r in conn.execute("SELECT id, camera_id, ts FROM events")}


def _expected(i: int) -> tuple[str, str]:
    e = event(i)
    return e.camera_id, e.ts.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def test_kill_9_mid_run_loses_nothing_acked_and_the_replay_completes(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    url = f"sqlite:///{db}"
    proc = subprocess.Popen(
        [sys.executable, str(WORKER), url, str(N), "10"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    acked: set[str] = set()
    published = 0
    deadline = time.monotonic() + 30
    for line in proc.stdout:
        if line.startswith("ACK "):
            acked.add(line[4:].strip())
        elif line.startswith("PUB "):
            published = int(line[4:])
        assert not line.startswith("DONE"), "worker finished before it could be killed"
        if len(acked) >= 3000 or time.monotonic() > deadline:
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(10)
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    assert 3000 <= len(acked) < N

    after_crash = _rows(db)
    assert acked <= after_crash.keys(), "acknowledged but not stored"
    # at most the events published before the kill (the last PUB line lags by < 100)
    ids = {event(i).id: i for i in range(N)}
    assert all(ids[k] < published + 100 for k in after_crash)
    for k, (camera, ts) in after_crash.items():  # what is stored under each id is its event
        assert (camera, ts) == _expected(ids[k]), k

    rerun = subprocess.run(
        [sys.executable, str(WORKER), url, str(N), "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert rerun.stdout.rstrip().endswith(
        f"DONE stored={N - len(after_crash)} duplicates={len(after_crash)}"
    )  # the sink stored the missing ones and counted the replayed ones as duplicates
    final = _rows(db)
    assert final.keys() == ids.keys()  # every published event, once the replay is done
    assert all(final[k] == after_crash[k] for k in after_crash)  # nothing rewritten
