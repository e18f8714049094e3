"""A real nats-server with JetStream on a free loopback port, for the NATS bus tests."""

from nats_server import url_fixture

nats_url = url_fixture("session")
