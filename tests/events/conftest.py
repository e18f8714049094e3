"""A real nats-server with JetStream on a free loopback port, for the NATS bus tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from nats_server import NatsServer


@pytest.fixture(scope="session")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = NatsServer.found(tmp_path_factory.mktemp("jetstream")).start()
    yield server.url
    server.stop()
