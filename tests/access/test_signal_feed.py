"""POST /api/signals: a junction controller's API key feeds the signal board the red-light
rules read; scope, validation and permission as on every other route."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.access.conftest import City

from kuzet.access.model import Role, Scope
from kuzet.api.app import create_app
from kuzet.rules.signals import SignalBoard


@pytest.fixture
def fed(city: City) -> Iterator[tuple[City, SignalBoard, TestClient]]:
    board = SignalBoard()
    app = create_app(store=city.store, blobs=city.blobs, bus=city.bus, access=city.svc,
                     signals=board)  # fmt: skip
    view, _ = city.svc.accounts.create_user(
        None, "junction-7", "city-police", Role.INTEGRATION,
        scope=Scope(camera_ids=frozenset({"traffic-1"})),
    )  # fmt: skip
    _, key = city.svc.keys.create(None, view["id"], ["signals.write", "cameras.read"])
    city.tokens["junction-7"] = key
    city.api_key("reader", "city-police", ["cameras.read"])
    with TestClient(app, base_url="https://testserver") as client:
        yield city, board, client


def test_controller_feeds_states_the_rules_read(fed: tuple[City, SignalBoard, TestClient]) -> None:
    city, board, client = fed
    body = {"states": [
        {"camera_id": "traffic-1", "signal": "main", "state": "red",
         "ts": "2026-12-06T08:00:00+05:00"},
        {"camera_id": "traffic-1", "signal": "main", "state": "red",
         "ts": "2026-12-06T08:00:02+05:00"},
        {"camera_id": "traffic-1", "signal": "left", "state": "green"},
    ]}  # fmt: skip
    r = client.post("/api/signals", json=body, headers=city.h("junction-7"))
    assert r.status_code == 200, r.text
    assert r.json() == {"accepted": 3, "changed": 2}  # the second red only confirms
    t = 1796526000.0  # 2026-12-06T03:00:00Z
    got = board.state_at("traffic-1", "main", t + 5)
    assert (got.state, got.since, got.source) == ("red", t, "controller")
    listed = client.get("/api/signals", headers=city.h("reader")).json()
    assert {(s["signal"], s["state"]) for s in listed} == {("main", "red"), ("left", "green")}
    fed_rows = city.svc.audit.rows(action="signals.feed")
    assert len(fed_rows) == 1 and fed_rows[0]["actor"] is not None  # who fed what is audited


def test_out_of_scope_unknown_and_malformed_are_refused(
    fed: tuple[City, SignalBoard, TestClient],
) -> None:
    city, board, client = fed
    h = city.h("junction-7")
    other = {"states": [{"camera_id": "traffic-2", "signal": "main", "state": "red"}]}
    r = client.post("/api/signals", json=other, headers=h)
    assert r.status_code == 422 and "states[0].camera_id" in r.text  # not its camera
    bad = {"states": [{"camera_id": "traffic-1", "signal": "main", "state": "purple"}]}
    assert client.post("/api/signals", json=bad, headers=h).status_code == 422
    naive = {"states": [{"camera_id": "traffic-1", "signal": "m", "state": "red",
                         "ts": "2026-12-06T08:00:00"}]}  # fmt: skip
    r = client.post("/api/signals", json=naive, headers=h)
    assert r.status_code == 422 and "time zone" in r.text
    ok = {"states": [{"camera_id": "traffic-1", "signal": "main", "state": "red"}]}
    r = client.post("/api/signals", json=ok, headers=city.h("reader"))
    assert r.status_code == 403  # reading cameras is not feeding signals
    assert board.current() == []  # nothing refused reached the board
