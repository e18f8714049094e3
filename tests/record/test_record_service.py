"""The service wires analysis to the recording: in events mode the seconds around each
event (real detections on real footage) are recorded, and /metrics shows the recorder."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from e2e.conftest import integration_key
from kuzet.config import parse_site
from kuzet.core import EventQuery
from kuzet.record import SegmentIndex
from kuzet.schema import open_store
from kuzet.service import Service

pytestmark = pytest.mark.slow
ALL = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def test_events_mode_records_around_real_events(tmp_path: Path, h264_clip: Path) -> None:
    site = parse_site(
        f"data_dir: {tmp_path / 'var'}\n"
        f"store: {{url: 'sqlite:///{tmp_path / 'k.db'}', batch_wait_ms: 10}}\n"
        "record: {enabled: true, mode: events, pre_s: 3, post_s: 3, segment_s: 4}\n"
        f"cameras:\n  - id: yard\n    main_url: '{h264_clip}'\n    loop: true\n"
        "    rules: [{type: scene, rules: [{type: intrusion, name: people, classes: [person]}]}]\n"
    )
    svc = Service(site)
    assert svc.recording is not None
    key = integration_key(svc.access)
    with TestClient(svc.app, headers={"X-API-Key": key}) as client:
        svc.start()
        try:
            deadline = time.monotonic() + 90
            events: list = []
            while time.monotonic() < deadline:  # an event, then its post-roll
                events, _ = svc.store.query_events(EventQuery(camera_id=["yard"], limit=500))
                if events and time.time() > min(e.ts for e in events).timestamp() + 5:
                    break
                time.sleep(0.5)
            metrics = client.get("/metrics").text
            # the incident those events opened holds the camera's video from retention
            while time.monotonic() < deadline and not svc.recording.holds.active("yard"):
                time.sleep(0.2)
            held = svc.recording.holds.active("yard")
        finally:
            svc.stop()
    store = open_store(site.store.url)  # the service closed its own
    index = SegmentIndex(store.engine)
    segs = index.between("yard", *ALL)
    assert events and segs
    first = min(events, key=lambda e: e.ts)
    for dt in (0.0, 2.5):  # the event's moment, and (pre-roll) the seconds before it
        t = first.ts - timedelta(seconds=dt)
        if t > segs[0].start or dt == 0:
            assert index.at("yard", t) is not None, (dt, first.ts, segs)
    assert index.at("yard", first.ts + timedelta(seconds=2.5)) is not None  # post-roll
    assert 'kuzet_record_segments_total{camera_id="yard"}' in metrics
    assert [h.kind for h in held] == ["incident"] and held[0].start <= first.ts < held[0].end
    assert svc.recording.recorders["yard"].status.state in ("stopped", "waiting")
    store.close()
