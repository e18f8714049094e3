"""Issue 11: the camera registry can be searched (text, live status, enabled) and carries
where each camera looks; events can be searched by the camera's district and category."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from .conftest import make_event

CAMS: list[dict[str, Any]] = [
    {"id": "cam1", "name": "Abay / Dostyk", "category": "traffic", "district": "Medeu",
     "main_url": "file:a.mp4", "direction_deg": 135.0, "fov_deg": 70.0},
    {"id": "cam2", "name": "School 25 gate", "category": "school", "district": "Medeu",
     "main_url": "file:b.mp4"},
    {"id": "cam3", "name": "Tole bi", "category": "traffic", "district": "Almaly",
     "main_url": "file:c.mp4", "enabled": False},
]  # fmt: skip


def _ids(client: TestClient, **params: Any) -> list[str]:
    r = client.get("/api/cameras", params=params)
    assert r.status_code == 200, r.text
    return [c["id"] for c in r.json()]


def test_registry_search_status_and_direction(client: TestClient) -> None:
    for cam in CAMS:
        assert client.post("/api/cameras", json=cam).status_code == 201
    got = client.get("/api/cameras/cam1").json()
    assert (got["direction_deg"], got["fov_deg"]) == (135.0, 70.0)
    assert _ids(client, q="SCHOOL") == ["cam2"]  # any case, in the name
    assert _ids(client, q="cam") == ["cam1", "cam2", "cam3"]  # in the id
    assert _ids(client, status="online") == ["cam1"]
    assert _ids(client, status="reconnecting,unknown") == ["cam2", "cam3"]
    assert _ids(client, enabled="false") == ["cam3"]
    assert _ids(client, category="traffic", q="abay") == ["cam1"]
    got.pop("status")
    got["direction_deg"] = 400  # more than a full turn
    assert client.put("/api/cameras/cam1", json=got).status_code == 422
    got["direction_deg"] = 0
    assert client.put("/api/cameras/cam1", json=got).json()["direction_deg"] == 0


def test_events_by_district_and_category(client: TestClient, store: Any) -> None:
    for cam in CAMS:
        assert client.post("/api/cameras", json=cam).status_code == 201
    store.insert_events([make_event(1, "cam1"), make_event(2, "cam2"), make_event(3, "cam3")])

    def ids(**params: Any) -> list[str]:
        r = client.get("/api/events", params=params)
        assert r.status_code == 200, r.text
        return [e["id"] for e in r.json()["items"]]

    assert ids(district="Medeu") == ["ev-0002", "ev-0001"]
    assert ids(category="traffic") == ["ev-0003", "ev-0001"]
    assert ids(district="Medeu", category="traffic") == ["ev-0001"]
    assert ids(district="Medeu,Almaly", camera_id="cam3") == ["ev-0003"]
    assert ids(district="Nowhere") == []
