from __future__ import annotations

import time
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from kuzet.api import create_app
from kuzet.obs.metrics import Metrics

from .fakes import FakeBlobs, FakeBus, FakeStore


def test_healthz_ok(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "ok" and body["reasons"] == []
    assert body["checks"]["store"]["ok"] and body["checks"]["bus"]["ok"]
    assert body["cameras"] == {"online": 1, "total": 2}


def test_healthz_503_when_store_down() -> None:
    store = FakeStore()
    store.healthy = False
    app = create_app(store=store, blobs=FakeBlobs(), bus=FakeBus())
    with TestClient(app) as client:
        r = client.get("/healthz")
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "unavailable"
    assert body["reasons"] == ["store: store ping failed"]
    assert body["cameras"] is None  # no pipeline attached


def test_healthz_503_when_bus_closed(client: TestClient, bus: Any) -> None:
    bus.broken = True  # the fake's way of failing; the real MemoryBus is closed
    bus.close()
    deadline = time.monotonic() + 3
    while True:
        r = client.get("/healthz")
        if r.status_code == 503 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert r.status_code == 503, r.text
    assert r.json()["reasons"][0].startswith("bus: ")


def test_metrics_exposes_names(client: TestClient, metrics: Metrics) -> None:
    metrics.observe_detector(0.012, 4)
    metrics.event_published("zone_presence")
    metrics.events_stored(3)
    metrics.set_queue_depth("detect", 2)
    metrics.frame("cam1")
    metrics.observe_frame_to_event(0.3)
    r = client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    text = r.text
    for name in [
        "kuzet_camera_fps",
        "kuzet_frames_total",
        "kuzet_dropped_frames_total",
        "kuzet_skipped_frames_total",
        "kuzet_reconnects_total",
        "kuzet_camera_state",
        "kuzet_detector_latency_seconds_bucket",
        "kuzet_detector_batch_size_bucket",
        "kuzet_queue_depth",
        "kuzet_events_published_total",
        "kuzet_events_stored_total",
        "kuzet_ws_clients",
        "kuzet_ws_dropped_total",
        "kuzet_frame_to_event_seconds_bucket",
    ]:
        assert name in text, name
    # the status callable refreshed camera gauges at scrape time
    assert 'kuzet_camera_state{camera_id="cam2",kuzet_camera_state="reconnecting"} 1.0' in text
    assert 'kuzet_camera_fps{camera_id="cam1"} 5.0' in text


def test_openapi_schema_builds(app: FastAPI) -> None:
    with TestClient(app) as client:  # the schema is public (access.public_docs)
        schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for p in [
        "/api/cameras",
        "/api/cameras/{camera_id}",
        "/api/events",
        "/api/events/{event_id}",
        "/api/events/{event_id}/snapshot",
        "/healthz",
        "/metrics",
    ]:
        assert p in paths, p
    err = paths["/api/events"]["get"]["responses"]["422"]["content"]["application/json"]
    assert err["schema"]["$ref"].endswith("/ErrorBody")


def test_two_apps_in_one_process_do_not_clash() -> None:
    a = create_app(store=FakeStore(), blobs=FakeBlobs(), bus=FakeBus())
    b = create_app(store=FakeStore(), blobs=FakeBlobs(), bus=FakeBus())
    with TestClient(a) as ca, TestClient(b) as cb:
        assert ca.get("/healthz").status_code == cb.get("/healthz").status_code == 200
        # without access control configured, nothing but public routes answers
        assert ca.get("/metrics").status_code == cb.get("/api/cameras").status_code == 401
