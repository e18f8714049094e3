"""Long-lived responses end within seconds of logout, revocation, deactivation or a
narrowed clearance: the MJPEG camera wall over a real server (the test client buffers
whole bodies, so it cannot show a stream that never ends)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import cv2
import httpx
import numpy as np
import pytest

from kuzet.access.model import Role
from kuzet.api import stream

from .conftest import City
from .live_server import live_server

WALL = "/api/ops/cameras/street-1/live.mjpeg?interval_ms=100"
BOUNDARY = b"--kuzetframe"


class Reader(threading.Thread):
    """Reads the stream until it ends; counts parts and notes when it ended."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        super().__init__(daemon=True)
        self.url, self.headers = url, headers
        self.parts, self.status, self.ended_at = 0, 0, 0.0
        self.first = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with httpx.stream("GET", self.url, headers=self.headers, timeout=60) as r:
                self.status = r.status_code
                for chunk in r.iter_bytes():
                    self.parts += chunk.count(BOUNDARY)
                    if self.parts:
                        self.first.set()
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            self.ended_at = time.monotonic()
            self.first.set()


def _jpeg() -> bytes:
    ok, buf = cv2.imencode(".jpg", np.full((48, 64, 3), 128, np.uint8))
    assert ok
    return buf.tobytes()


def _uid(city: City, name: str) -> str:
    p = city.svc.authenticate(city.tokens[name])
    assert p is not None
    return p.user_id


def _logout(city: City, name: str) -> None:
    assert city.client.post("/api/auth/logout", headers=city.h(name)).status_code == 204


def _revoke_key(city: City, name: str) -> None:
    p = city.svc.authenticate(city.tokens[name])
    assert p is not None and p.api_key_id is not None
    city.svc.keys.revoke(None, p.api_key_id)


def _deactivate(city: City, name: str) -> None:
    r = city.client.patch(f"/api/users/{_uid(city, name)}", json={"active": False},
                          headers=city.h("adm"))  # fmt: skip
    assert r.status_code == 200, r.text


def _drop_biometrics(city: City, name: str) -> None:
    r = city.client.patch(f"/api/users/{_uid(city, name)}", json={"clearances": ["video"]},
                          headers=city.h("adm"))  # fmt: skip
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    ("who", "end"),
    [("investigator", _logout), ("integration", _revoke_key), ("investigator", _deactivate),
     ("investigator", _drop_biometrics)],
    ids=["logout", "key-revoked", "deactivated", "clearance-withdrawn"],
)  # fmt: skip
def test_mjpeg_ends_within_seconds(
    city: City, monkeypatch: Any, who: str, end: Callable[[City, str], None]
) -> None:
    monkeypatch.setattr(stream, "RECHECK_S", 0.2)
    city.blobs.put("snapshots/2025/01/01/street-1/ev.jpg", _jpeg())
    city.user("adm", "situation-centre", Role.ADMINISTRATOR)
    city.user("stayer", "city-police", Role.INVESTIGATOR)
    if who == "investigator":
        city.user(who, "city-police", Role.INVESTIGATOR)
    else:
        city.api_key(who, "city-police", ["cameras.read", "snapshots.read"])
    key = city.tokens[who]
    auth = {"X-API-Key": key} if key.startswith("kzk_") else {"Authorization": f"Bearer {key}"}
    with live_server(city.app) as base:
        gone, kept = Reader(base + WALL, auth), Reader(base + WALL, city.h("stayer"))
        gone.start()
        kept.start()
        assert gone.first.wait(10) and kept.first.wait(10)
        assert gone.status == kept.status == 200 and gone.parts >= 1, gone.error
        end(city, who)
        t0 = time.monotonic()
        gone.join(5)
        assert not gone.is_alive(), "the stream went on after its credentials ended"
        assert gone.error is None and gone.ended_at - t0 < 5
        assert kept.is_alive()  # another session's stream goes on
