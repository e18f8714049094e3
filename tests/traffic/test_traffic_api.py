"""Enricher -> traffic_stats events -> the traffic consumer -> rows -> the API (made-up
tracks on blank frames: the logic, not vision)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyotp
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from kuzet.access.model import Role
from kuzet.access.service import AccessService
from kuzet.api import create_app
from kuzet.config.access import AccessConfig, Argon2Config, PasswordPolicy
from kuzet.config.models import SiteConfig
from kuzet.core.detections import Detections
from kuzet.core.frame import Frame
from kuzet.crypto import KeyRing
from kuzet.events.memory import MemoryBus
from kuzet.schema import open_store
from kuzet.store import LocalBlobStore
from kuzet.traffic.consumer import TrafficConsumer
from kuzet.traffic.plugin import TrafficPlugin

T0 = 1_800_000_000.0  # a quarter-hour edge
CAR, BUS = 2, 5  # COCO ids

SITE: dict[str, Any] = {
    "cameras": [{
        "id": "cam1", "main_url": "x.mp4",
        "rules": [{
            "type": "scene",
            "zones": [{"name": "lane1", "points": [[0, 0], [200, 0], [200, 1000], [0, 1000]]}],
            "calibration": {"image_points": [[0, 0], [100, 0], [100, 100], [0, 100]],
                            "world_points": [[0, 0], [10, 0], [10, 10], [0, 10]]},
        }],
    }],
    "traffic": {"enabled": True, "cameras": [{"camera": "cam1", "approaches": [
        {"name": "north", "segment": "abay-north", "lanes": [{"name": "n1", "zone": "lane1"}]}
    ]}]},
}  # fmt: skip


def frames(n_cars: int, minutes: int) -> Iterator[tuple[Frame, Detections]]:
    """A car (or a bus, every fourth) enters every 60/n_cars s at 36 km/h (100 px/s)."""
    img = np.zeros((8, 8, 3), np.uint8)
    gap = 60.0 / n_cars
    for k in range(int(minutes * 60 * 5) + 1):
        t = k / 5
        boxes, cls, tids = [], [], []
        for i in range(int(t // gap) + 1):
            y = -50 + (t - i * gap) * 100
            if -50 <= y <= 1050:
                boxes.append([90, y - 40, 110, y])
                cls.append(BUS if i % 4 == 3 else CAR)
                tids.append(i + 1)
        det = Detections(
            np.array(boxes, float).reshape(-1, 4),
            np.ones(len(boxes)),
            np.array(cls),
            np.array(tids),
        )
        yield Frame("cam1", k, t, T0 + t, img), det


def test_lanes_must_name_scene_zones() -> None:
    bad = {**SITE, "traffic": {**SITE["traffic"], "cameras": [
        {"camera": "cam1", "approaches": [{"name": "a", "lanes": [{"name": "l", "zone": "nope"}]}]}
    ]}}  # fmt: skip
    with pytest.raises(ValidationError, match=r"lanes\[0\]\.zone: no zone 'nope'"):
        SiteConfig.model_validate(bad)


def _token(svc: AccessService, name: str, role: Role) -> str:
    _, otp = svc.accounts.create_user(None, name, "situation-centre", role)
    enrol = svc.authenticate(svc.sessions.login(name, otp or "").access_token)
    assert enrol is not None
    secret = svc.accounts.enrol_totp(enrol).secret
    pw = "Traffic-Tests-Secret-Phrase-42"
    svc.accounts.confirm_totp(enrol, pyotp.TOTP(secret).at(time.time()), pw)
    code = pyotp.TOTP(secret).at(time.time() + 30)
    return svc.sessions.login(name, pw, totp_code=code).access_token


def test_enricher_to_api(tmp_path: Path) -> None:
    site = SiteConfig.model_validate(SITE)
    plugin = TrafficPlugin()
    store = open_store(f"sqlite:///{tmp_path / 'k.db'}")
    state = plugin.setup(site, store.engine)
    enricher = plugin.enricher(state, site.cameras[0], None)
    assert enricher is not None
    events = []
    for frame, det in frames(n_cars=6, minutes=10):
        events += enricher.enrich(frame, det)
    events += enricher.finish()
    assert [e.type for e in events] == ["traffic_stats"] * 11  # ten minutes + the last frame's
    ring = KeyRing([("t", secrets.token_bytes(32))])
    consumer = TrafficConsumer(MemoryBus(), store.engine, site.traffic, lambda: ring)
    consumer.handle(events)
    consumer.handle(events)  # redelivered: nothing twice
    assert consumer.bins_stored == 11

    cheap = PasswordPolicy(argon2=Argon2Config(time_cost=1, memory_kib=8, parallelism=1))
    access = AccessService(store.engine, AccessConfig(passwords=cheap))
    access.seed_agencies()
    app = create_app(store=store, blobs=LocalBlobStore(tmp_path), bus=MemoryBus(), access=access)
    with TestClient(app) as c:
        c.headers["Authorization"] = f"Bearer {_token(access, 'analyst', Role.INVESTIGATOR)}"
        q = {"since": "2027-01-15T08:00:00Z", "until": "2027-01-15T08:15:00Z"}
        one = c.get("/api/traffic/series", params={**q, "bin_s": 60, "camera": "cam1"}).json()
        assert len(one) == 11  # ten minutes and the last frame's (partial, nothing observed)
        assert one[-1]["observed_s"] == 0 and one[-1]["occupancy"] is None
        assert all(r["count"] == 6 for r in one[:10])
        assert one[0]["counts"] == {"bus": 1, "car": 5}
        speeds = [r["mean_speed_kmh"] for r in one if r["speed_n"]]
        assert speeds and all(v == pytest.approx(36.0, abs=0.1) for v in speeds)
        # 100 m lane at 10 m/s, a car every 10 s: always exactly one in the lane
        assert one[3]["occupancy"] == pytest.approx(1.0, abs=0.01)
        five = c.get("/api/traffic/series", params={**q, "bin_s": 300}).json()
        assert [r["count"] for r in five] == [30, 30, 0]
        assert five[0]["start"] == int(T0)
        lay = c.get("/api/traffic/layout").json()
        assert lay == [{"camera": "cam1", "approach": "north", "lane": "n1",
                        "segment": "abay-north"}]  # fmt: skip
        f = c.get("/api/traffic/forecast", params={"segment": "abay-north"}).json()
        assert f["forecast"] == [] and f["model"] is None  # no two days of figures yet
        assert c.get("/api/traffic/series", params={**q, "bin_s": 120}).status_code == 422
        c.headers.pop("Authorization")
        assert c.get("/api/traffic/series", params=q).status_code == 401
    store.close()
