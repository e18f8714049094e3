"""A real MQTT broker for tests: Debian ``mosquitto`` on loopback, one per test that asks.

    broker = Mosquitto(tmp_dir).start()   # ready when it accepts a connection
    broker.stop(); broker.start()         # a restart: same port, persisted sessions kept
    broker.host, broker.port

Persistence is on, so QoS 1 messages queued for a persistent session survive a restart
(the broker writes its database on a clean stop). ``mosquitto_missing()`` says why it
cannot run, else None; tests go through :func:`require_mosquitto`.
"""

from __future__ import annotations

import getpass
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.support.services import require_service

WHY = "the Debian package mosquitto is not installed (make system-deps installs it)"


def mosquitto_binary() -> str | None:
    return shutil.which("mosquitto") or (
        "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None
    )


def mosquitto_missing() -> str | None:
    return None if mosquitto_binary() is not None else WHY


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Mosquitto:
    """One broker process on 127.0.0.1 with its own config, data and log in ``root``."""

    def __init__(self, root: Path, port: int | None = None) -> None:
        self.root = root
        self.host = "127.0.0.1"
        self.port = port or _free_port()
        self._proc: subprocess.Popen[bytes] | None = None
        root.mkdir(parents=True, exist_ok=True)
        self.conf = root / "mosquitto.conf"
        self.conf.write_text(
            # run as whoever runs the tests (as root it would switch to "mosquitto", which
            # may not write the test's folder)
            f"user {getpass.getuser()}\n"
            f"listener {self.port} {self.host}\n"
            "allow_anonymous true\n"
            "persistence true\n"
            f"persistence_location {root}/\n"
            "autosave_interval 1\n"
            "max_queued_messages 100000\n"
            f"log_dest file {root}/mosquitto.log\n"
        )

    def start(self, timeout: float = 10.0) -> Mosquitto:
        binary = mosquitto_binary()
        if binary is None:
            raise RuntimeError(WHY)
        self._proc = subprocess.Popen(
            [binary, "-c", str(self.conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                err = self._proc.stderr.read().decode() if self._proc.stderr else ""
                raise RuntimeError(f"mosquitto exited at start ({self._proc.returncode}): {err}")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"mosquitto did not listen on {self.port} within {timeout} s")

    def stop(self) -> None:
        """A clean stop (SIGTERM): the broker saves its persistence database first."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def kill(self) -> None:
        """A crash (SIGKILL): what was not yet saved is lost, as on a power cut."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None


def require_mosquitto() -> None:
    if (why := mosquitto_missing()) is not None:
        require_service("mosquitto", why)


@pytest.fixture
def mqtt_broker(tmp_path: Path) -> Iterator[Mosquitto]:
    """A fresh broker for one test (its own port and data), stopped afterwards."""
    require_mosquitto()
    broker = Mosquitto(tmp_path / "mosquitto").start()
    try:
        yield broker
    finally:
        broker.stop()
