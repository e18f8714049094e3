"""A site with secrets goes to the cluster's actors whole: a plain JSON dump masks them,
and the masked value fails the secrets' own checks, so no actor of such a site started."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from kuzet.config.models import SiteConfig
from kuzet.config.secret import wire_json

KEY = "webhook-key-of-the-police-42"


def _site() -> SiteConfig:
    return SiteConfig.model_validate({
        "integrations": {"webhooks": [{"name": "police", "url": "https://h/x", "secret": KEY,
                                       "incidents": {}}]},
        "device_gateway": {"webhook": {"keys": [{"id": "k1", "secret": KEY}]},
                           "mqtt": {"password": "broker-pass"}},
    })  # fmt: skip


def test_the_wire_form_validates_back_with_its_secrets() -> None:
    site = _site()
    back = SiteConfig.model_validate_json(wire_json(site))
    assert back.integrations.webhooks[0].secret.get_secret_value() == KEY
    gw = back.device_gateway
    assert gw.webhook is not None and gw.webhook.keys[0].secret.get_secret_value() == KEY
    assert gw.mqtt is not None and gw.mqtt.password is not None
    assert gw.mqtt.password.get_secret_value() == "broker-pass"
    assert back == site


def test_printing_still_hides_them() -> None:
    text = _site().model_dump_json()
    assert KEY not in text and "broker-pass" not in text and "**********" in text
    with pytest.raises(ValidationError, match="shorter than 16"):
        SiteConfig.model_validate_json(text)  # why actors need the wire form


@pytest.mark.parametrize(
    "path",
    [
        "deploy/compose/site.api.yaml",
        "deploy/compose/site.worker-1.yaml",
        "deploy/helm/shards-example/shard-0.yaml",
        "deploy/kuberay/city.example.yaml",
    ],
)
def test_every_deploy_site_reaches_an_actor_unchanged(
    path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    from kuzet.config.loader import load_site

    for var in ("PGPASSWORD", "S3_ACCESS_KEY", "S3_SECRET_KEY", "CAMERA_PASSWORD"):
        monkeypatch.setenv(var, f"{var.lower()}-value-0123456789")
    site = load_site(Path(__file__).parents[2] / path)
    back = SiteConfig.model_validate_json(wire_json(site))
    assert back.model_dump() == site.model_dump()
