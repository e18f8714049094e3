from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from .conftest import make_event

JPEG = b"\xff\xd8\xff\xe0fake-jpeg\xff\xd9"


def _seed(store: Any) -> None:
    evs = []
    for i in range(25):
        cam = "cam1" if i % 2 == 0 else "cam2"
        typ = "zone_presence" if i % 5 else "line_crossing"
        cls = "person" if i % 3 else "car"
        evs.append(make_event(i, cam, typ, class_name=cls))
    assert store.insert_events(evs) == 25


def test_pagination_walks_all_newest_first(client: TestClient, store: Any) -> None:
    _seed(store)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 10}
        if cursor:
            params["cursor"] = cursor
        r = client.get("/api/events", params=params)
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {"items", "next_cursor"}
        seen += [e["id"] for e in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == [f"ev-{i:04d}" for i in reversed(range(25))]


def test_filters(client: TestClient, store: Any) -> None:
    _seed(store)

    def ids(**params: Any) -> list[int]:
        r = client.get("/api/events", params={"limit": 100, **params})
        assert r.status_code == 200, r.text
        return sorted(int(e["id"][3:]) for e in r.json()["items"])

    assert ids(camera_id="cam1") == list(range(0, 25, 2))
    assert ids(type="line_crossing") == [0, 5, 10, 15, 20]
    assert ids(class_name="car") == list(range(0, 25, 3))
    assert ids(camera_id="cam1", type="line_crossing") == [0, 10, 20]
    # repeated and comma-separated values both mean "any of"
    assert ids(camera_id=["cam1", "cam2"]) == list(range(25))
    assert ids(camera_id="cam1,cam2") == list(range(25))
    assert ids(since="2025-01-01T12:00:10Z", until="2025-01-01T12:00:13Z") == [10, 11, 12]
    assert ids(camera_id="nope") == []


def test_event_json_shape(client: TestClient, store: Any) -> None:
    ev = make_event(1, box=(1.0, 2.0, 3.0, 4.0), score=0.9, attributes={"zone": "gate"})
    store.insert_events([ev])
    got = client.get(f"/api/events/{ev.id}").json()
    assert got["id"] == ev.id and got["box"] == [1.0, 2.0, 3.0, 4.0]
    assert got["attributes"] == {"zone": "gate"}
    r = client.get("/api/events/nope")
    assert r.status_code == 404 and r.json()["error"] == "not_found"


def test_bad_query_gives_422_with_field_names(client: TestClient) -> None:
    r = client.get("/api/events", params={"limit": 0, "since": "yesterday"})
    assert r.status_code == 422
    fields = {f["field"] for f in r.json()["fields"]}
    assert fields == {"query.limit", "query.since"}
    r = client.get("/api/events", params={"limit": 5000})
    assert r.status_code == 422
    r = client.get(
        "/api/events", params={"since": "2025-01-02T00:00:00Z", "until": "2025-01-01T00:00:00Z"}
    )
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "query.until"
    r = client.get("/api/events", params={"cursor": "garbage!"})
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "query.cursor"


def test_snapshot_download_and_404(client: TestClient, store: Any, blobs: Any) -> None:
    key = "cam1/2025/01/01/ev-0001.jpg"
    blobs.put(key, JPEG)
    with_snap = make_event(1, snapshot=key)
    without = make_event(2)
    missing_blob = make_event(3, snapshot="cam1/2025/01/01/gone.jpg")
    store.insert_events([with_snap, without, missing_blob])

    r = client.get(f"/api/events/{with_snap.id}/snapshot")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/jpeg"
    assert r.content == JPEG

    for ev_id in (without.id, missing_blob.id, "no-such-event"):
        r = client.get(f"/api/events/{ev_id}/snapshot")
        assert r.status_code == 404, ev_id
        assert r.json()["error"] == "not_found"


def test_attribute_filters(client: TestClient, store: Any, access: Any, app: Any) -> None:
    colours = ["red", "black", "red", "blue"]
    bags = ["backpack", "backpack", "none", "backpack"]
    ages = ["18-29", "60+", "60+", "30-44"]
    store.insert_events([
        make_event(i, "cam1", "person_attributes",
                   attributes={"upper_colour": colours[i], "carried_bag": bags[i],
                               "age_band": ages[i], "age_estimate": 20.0 + i})
        for i in range(4)
    ])  # fmt: skip

    def ids(*attr: str) -> list[int]:
        r = client.get("/api/events", params={"attr": list(attr)})
        assert r.status_code == 200, r.text
        return sorted(int(e["id"][3:]) for e in r.json()["items"])

    assert ids("upper_colour:red") == [0, 2]
    assert ids("upper_colour:red", "carried_bag:backpack") == [0]
    assert ids("upper_colour:red,upper_colour:blue") == [0, 2, 3]
    assert ids("age_band:60+") == [1, 2] and ids("age_band:60+", "upper_colour:red") == [2]
    for bad in ("upper_colour", "bad key:x", "upper_colour:"):
        r = client.get("/api/events", params={"attr": bad})
        assert r.status_code == 422 and r.json()["fields"][0]["field"] == "query.attr", bad
    # without biometric clearance, filtering on a biometric attribute would leak it
    from kuzet.access.model import Role

    from .conftest import _person

    token = _person(access, "api-operator", Role.OPERATOR)
    with TestClient(app) as op:
        hdr = {"Authorization": f"Bearer {token}"}
        r = op.get("/api/events", params={"attr": "person_id:p1"}, headers=hdr)
        assert r.status_code == 403 and r.json()["error"] == "clearance_required"
        r = op.get("/api/events", params={"attr": "age_band:60+"}, headers=hdr)
        assert r.status_code == 403 and r.json()["error"] == "clearance_required"
        r = op.get("/api/events", params={"attr": "upper_colour:red"}, headers=hdr)
        assert r.status_code == 200 and len(r.json()["items"]) == 2
        seen = r.json()["items"][0]["attributes"]  # age is face-derived: hidden from them
        assert "upper_colour" in seen and not {"age_band", "age_estimate"} & set(seen)
    assert client.get("/api/events", params={"attr": "person_id:p1"}).status_code == 200
