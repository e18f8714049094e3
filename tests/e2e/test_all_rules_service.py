"""Every rule type fires in the running service and shows up in the API with a snapshot.

Same synthetic scene and scripted detector as tests/rules/test_analyze_all_rules.py: this
checks the wiring service -> bus -> store -> API for every event type, not detection.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.rules.test_analyze_all_rules import SITE, ScriptedDetector, video  # noqa: F401

from kuzet.config import StoreConfig, parse_site
from kuzet.service import Service

from .conftest import integration_key

pytestmark = pytest.mark.slow

TYPES = {
    "intrusion", "loitering", "line_crossing", "crowd", "fight", "wrong_way", "speeding",
    "stopped_vehicle", "abandoned_object", "object_removed", "illegal_dump", "bin_overflow",
    "fire", "smoke",
}  # fmt: skip


def test_every_rule_type_reaches_the_api_with_a_snapshot(video: Path, tmp_path: Path) -> None:  # noqa: F811
    site = parse_site(SITE.replace("main_url: unused", f"main_url: '{video}'"))
    site = site.model_copy(
        update={
            "data_dir": tmp_path / "var",
            "store": StoreConfig(url=f"sqlite:///{tmp_path / 'k.db'}", batch_wait_ms=10),
        }
    )
    svc = Service(site, detector=ScriptedDetector(), realtime=False).start()
    client = TestClient(svc.app, headers={"X-API-Key": integration_key(svc.access)})
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            state = client.get("/api/cameras/synthetic").json()["status"]["state"]
            if state == "finished":
                break
            time.sleep(0.3)
        time.sleep(1.0)  # the sink commits the tail
        items = client.get("/api/events", params={"limit": 1000}).json()["items"]
        seen = {e["type"] for e in items}
        assert seen >= TYPES, sorted(TYPES - seen)
        for etype in TYPES:
            first = next(e for e in items if e["type"] == etype and e["phase"] != "end")
            assert first["snapshot"], etype
            img = client.get(f"/api/events/{first['id']}/snapshot")
            assert img.status_code == 200 and img.content[:2] == b"\xff\xd8", etype
    finally:
        svc.stop()
