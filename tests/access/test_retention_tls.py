"""Retention purge per data type; TLS certificate, HSTS, secure cookies, no secrets in logs."""

from __future__ import annotations

import logging
import ssl
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from fastapi.testclient import TestClient

from kuzet.access.model import Role
from kuzet.access.retention import purge
from kuzet.access.tls import self_signed, uvicorn_ssl
from kuzet.api import create_app
from kuzet.config.access import RetentionConfig, TlsConfig

from .conftest import PASSWORD, City, cheap_config, event


def test_purge_by_data_type(city: City) -> None:
    now = datetime.now(UTC)
    old_key, mid_key = "snapshots/2020/01/01/school-1/old.jpg", "snapshots/2024/01/01/kg-1/mid.jpg"
    city.blobs.put(old_key, b"old")
    city.blobs.put(mid_key, b"mid")
    old = event(900, "school-1", snapshot=old_key)
    mid = event(901, "kg-1", snapshot=mid_key)
    city.store.insert_events(
        [
            old.model_copy(update={"ts": now - timedelta(days=400)}),
            mid.model_copy(update={"ts": now - timedelta(days=40)}),
        ]
    )
    before = city.store.count_events()
    cfg = RetentionConfig(events_days=365, snapshots_days=30)
    st = purge(city.store.engine, cfg, city.blobs.delete, city.svc.audit, now=now)
    assert st.events == 1 and st.snapshots == 2
    assert city.store.count_events() == before - 1
    assert city.store.get_event("ev-school-1-900") is None
    kept = city.store.get_event("ev-kg-1-901")
    assert kept is not None and kept.snapshot is None  # the event stays, its picture goes
    assert city.blobs.get(old_key) is None and city.blobs.get(mid_key) is None
    assert city.store.get_event("ev-school-1-0") is not None  # recent: untouched
    assert city.svc.audit.rows(action="retention.purge")
    assert city.svc.audit.verify() == []  # the audit log itself is never purged


def test_self_signed_certificate(tmp_path: Path) -> None:
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    self_signed(cert, key, ["kuzet.local", "127.0.0.1"])
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    c = x509.load_pem_x509_certificate(cert.read_bytes())
    san = c.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["kuzet.local"]
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)  # the pair is usable by a TLS server
    assert uvicorn_ssl(TlsConfig(), tmp_path) == {}
    made = uvicorn_ssl(TlsConfig(enabled=True), tmp_path)
    assert Path(made["ssl_certfile"]).exists() and Path(made["ssl_keyfile"]).exists()


def test_hsts_and_security_headers(city: City) -> None:
    cfg = cheap_config(tls=TlsConfig(enabled=True))
    city.svc.cfg = cfg
    app = create_app(store=city.store, blobs=city.blobs, bus=city.bus, access=city.svc)
    with TestClient(app, base_url="https://testserver") as c:
        r = c.get("/healthz")
    assert r.headers["strict-transport-security"].startswith("max-age=31536000")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["cache-control"] == "no-store"


def test_no_secrets_in_logs(city: City, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    otp = city.svc.create_first_admin("root.admin")
    city.client.post("/api/auth/login", json={"username": "root.admin", "password": otp})
    city.client.post("/api/auth/login", json={"username": "root.admin", "password": PASSWORD})
    token = city.user("opr", "city-police", Role.OPERATOR)
    city.client.get("/api/events", headers=city.h("opr"))
    text = caplog.text + city.svc.audit.to_jsonl(city.svc.audit.rows())
    for secret in (otp, PASSWORD, token, city.secrets["opr"]):
        assert secret not in text
