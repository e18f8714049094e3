"""What ``kuzet serve`` runs: with webhooks for events in the site file the service
declares the ``integrations`` group before anything is published, so an event published
before start still reaches the receiver, signed; without, no group exists."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.incidents.conftest import wait_for

from kuzet.config.models import SiteConfig
from kuzet.core import Event
from kuzet.service import Service

from .receiver import Receiver

SECRET = "service-test-secret-42"


@pytest.fixture
def rx() -> Iterator[Receiver]:
    r = Receiver(SECRET.encode())
    yield r
    r.close()


def _site(tmp_path: Path, **more: Any) -> SiteConfig:
    store = {"url": f"sqlite:///{tmp_path / 'kuzet.db'}"}
    return SiteConfig.model_validate({"data_dir": str(tmp_path), "store": store, **more})


def test_service_sends_events_to_the_site_files_webhooks(tmp_path: Path, rx: Receiver) -> None:
    hooks = {"webhooks": [{"name": "d", "url": rx.url, "secret": SECRET,
                           "events": {"types": ["sos"]}}]}  # fmt: skip
    svc = Service(_site(tmp_path, integrations=hooks), detector=object())  # type: ignore[arg-type]
    assert "integrations" in svc.bus.stats()  # type: ignore[attr-defined]
    svc.bus.publish(Event(id="e-1", type="sos", camera_id="btn-1", ts=datetime.now(UTC)))
    svc.start()
    try:
        wait_for(lambda: rx.got, timeout=10.0, what="the webhook")
        assert json.loads(rx.got[0].body)["event"]["id"] == "e-1" and rx.refused == []
        assert svc.app.state.kuzet.integrations is svc.integrations
        assert svc.integrations.webhooks.drain(5)
        text = svc.metrics.render()[0].decode()
        assert 'kuzet_webhook_deliveries_total{outcome="delivered",target="d"} 1.0' in text
    finally:
        svc.stop()


def test_no_event_targets_no_group(tmp_path: Path) -> None:
    svc = Service(_site(tmp_path), detector=object())  # type: ignore[arg-type]
    try:
        assert "integrations" not in svc.bus.stats()  # type: ignore[attr-defined]
    finally:
        svc.store.close()
