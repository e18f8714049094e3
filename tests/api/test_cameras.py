from __future__ import annotations

from fastapi.testclient import TestClient

CAM = {
    "id": "cam1",
    "name": "Abay / Dostyk",
    "category": "traffic",
    "district": "Medeu",
    "latitude": 43.24,
    "longitude": 76.95,
    "main_url": "rtsp://admin:s3cret@10.0.0.7:554/main",
    "sub_url": "rtsp://admin:s3cret@10.0.0.7:554/sub",
}


def test_crud_round_trip(client: TestClient) -> None:
    r = client.post("/api/cameras", json=CAM)
    assert r.status_code == 201, r.text
    assert r.headers["location"] == "/api/cameras/cam1"
    body = r.json()
    assert body["main_url"] == "rtsp://admin:***@10.0.0.7:554/main"  # never echo secrets
    assert body["status"]["state"] == "online"

    assert client.post("/api/cameras", json=CAM).status_code == 409

    got = client.get("/api/cameras/cam1").json()
    assert got["name"] == "Abay / Dostyk" and got["district"] == "Medeu"

    # GET-edit-PUT with the masked URL keeps the stored password.
    got.pop("status")
    got["name"] = "Renamed"
    r = client.put("/api/cameras/cam1", json=got)
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Renamed"
    store = client.app.state.kuzet.store  # type: ignore[attr-defined]
    secrets = client.app.state.kuzet.access.cameras  # type: ignore[attr-defined]
    stored = store.get_camera("cam1").main_url
    assert "s3cret" not in stored and stored.startswith("rtsp://admin:kzs1")  # sealed at rest
    assert secrets.open_url("cam1", stored) == CAM["main_url"]
    assert "s3cret" not in (store.get_camera("cam1").sub_url or "")

    # A new password replaces the old one.
    got["main_url"] = "rtsp://admin:new@10.0.0.7:554/main"
    assert client.put("/api/cameras/cam1", json=got).status_code == 200
    stored = store.get_camera("cam1").main_url
    assert ":new@" not in stored
    assert secrets.open_url("cam1", stored) == "rtsp://admin:new@10.0.0.7:554/main"

    assert client.delete("/api/cameras/cam1").status_code == 204
    r = client.get("/api/cameras/cam1")
    assert r.status_code == 404
    assert r.json() == {"error": "not_found", "message": "camera 'cam1' not found"}
    assert client.delete("/api/cameras/cam1").status_code == 404
    assert client.put("/api/cameras/cam1", json=got).status_code == 404


def test_list_filters_and_status_join(client: TestClient) -> None:
    for cid, cat, district in [
        ("cam1", "traffic", "Medeu"),
        ("cam2", "school", "Medeu"),
        ("cam3", "traffic", "Almaly"),
    ]:
        body = {"id": cid, "category": cat, "district": district, "main_url": f"file:{cid}.mp4"}
        assert client.post("/api/cameras", json=body).status_code == 201

    all_ = client.get("/api/cameras").json()
    assert [c["id"] for c in all_] == ["cam1", "cam2", "cam3"]
    by_id = {c["id"]: c for c in all_}
    assert by_id["cam1"]["status"]["state"] == "online"
    assert by_id["cam1"]["status"]["fps"] == 5.0
    assert by_id["cam1"]["status"]["last_frame_at"].startswith("2025-01-01T12:00:00")
    assert by_id["cam2"]["status"] == {
        "state": "reconnecting",
        "reason": "connection refused",
        "fps": 0.0,
        "reconnects": 3,
        "last_frame_at": None,
    }
    assert by_id["cam3"]["status"] is None  # not run by the pipeline

    ids = lambda r: sorted(c["id"] for c in r.json())  # noqa: E731
    assert ids(client.get("/api/cameras", params={"category": "traffic"})) == ["cam1", "cam3"]
    assert ids(client.get("/api/cameras", params={"district": "Medeu"})) == ["cam1", "cam2"]
    both = {"category": "traffic", "district": "Medeu"}
    assert ids(client.get("/api/cameras", params=both)) == ["cam1"]


def test_bad_camera_gives_422_with_field_names(client: TestClient) -> None:
    bad = {**CAM, "id": "has space", "latitude": 123, "colour": "red"}
    del bad["main_url"]
    r = client.post("/api/cameras", json=bad)
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "validation_error"
    fields = {f["field"] for f in body["fields"]}
    assert {"body.id", "body.latitude", "body.main_url", "body.colour"} <= fields
    assert "body.latitude" in body["message"]


def test_put_id_mismatch_is_422(client: TestClient) -> None:
    client.post("/api/cameras", json=CAM)
    r = client.put("/api/cameras/cam1", json={**CAM, "id": "other"})
    assert r.status_code == 422
    assert r.json()["fields"][0]["field"] == "body.id"


def test_malformed_json_is_422(client: TestClient) -> None:
    r = client.post(
        "/api/cameras", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    assert r.json()["error"] == "validation_error"
