"""Camera registry CRUD (SQLite and PostgreSQL)."""

from __future__ import annotations

from store_helpers import make_event

from kuzet.core import CameraInfo
from kuzet.store import Store


def _cam(cid: str, **kw: object) -> CameraInfo:
    return CameraInfo(id=cid, main_url=f"rtsp://127.0.0.1/{cid}", **kw)  # type: ignore[arg-type]


def test_camera_crud(store: Store) -> None:
    assert store.list_cameras() == []
    a = store.upsert_camera(_cam("a", district="Esil", category="traffic", latitude=51.1))
    assert a.latitude == 51.1 and a.category == "traffic"
    store.upsert_camera(_cam("b", district="Almaty"))
    store.upsert_camera(_cam("c", district="Esil", enabled=False))
    assert [c.id for c in store.list_cameras()] == ["a", "b", "c"]
    assert [c.id for c in store.list_cameras(district="Esil")] == ["a", "c"]
    assert [c.id for c in store.list_cameras(category="traffic")] == ["a"]
    assert [c.id for c in store.list_cameras(category="traffic", district="Almaty")] == []

    updated = store.upsert_camera(_cam("a", name="Gate", sub_url="rtsp://127.0.0.1/a-sub"))
    assert updated.name == "Gate" and updated.district is None
    assert store.get_camera("a") == updated
    assert store.get_camera("c").enabled is False  # type: ignore[union-attr]

    assert store.delete_camera("a") is True
    assert store.delete_camera("a") is False
    assert store.get_camera("a") is None
    assert [c.id for c in store.list_cameras()] == ["b", "c"]


def test_events_survive_camera_deletion(store: Store) -> None:
    store.upsert_camera(_cam("cam-1"))
    e = make_event(1)
    assert e.camera_id == "cam-1"
    store.insert_events([e])
    assert store.delete_camera("cam-1")
    assert store.get_event(e.id) == e
