"""What the database file holds is private: the data dir 0700, the SQLite file 0600,
camera passwords sealed (from the site file and from rows written before sealing)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from kuzet.config.models import CameraConfig, SiteConfig, StoreConfig
from kuzet.core.records import CameraInfo
from kuzet.schema import open_store
from kuzet.service import Service

from .conftest import City, cheap_config


class _NoDetector:
    labels = ("person",)

    def detect(self, images: list[object]) -> list[object]:  # pragma: no cover - no frames
        return []


def test_service_keeps_its_files_private_and_camera_passwords_sealed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUZET_AUDIT_KEY", "k" * 40)
    url = f"sqlite:///{tmp_path / 'var' / 'kuzet.db'}"
    (tmp_path / "var").mkdir()
    with open_store(url) as store:  # a registry row from before sealing
        store.upsert_camera(CameraInfo(id="old", main_url="rtsp://op:0ld-pass@10.1.1.1/s"))
    cam = CameraConfig(id="cam-1", main_url="rtsp://admin:s3cret-Pass@10.0.0.7:554/main",
                       enabled=False)  # fmt: skip
    site = SiteConfig(data_dir=tmp_path / "var", store=StoreConfig(url=url),
                      access=cheap_config(), cameras=[cam])  # fmt: skip
    svc = Service(site, detector=_NoDetector(), realtime=False)  # type: ignore[arg-type]
    try:
        assert stat.S_IMODE((tmp_path / "var").stat().st_mode) == 0o700
        assert stat.S_IMODE((tmp_path / "var" / "kuzet.db").stat().st_mode) == 0o600
        raw = (tmp_path / "var" / "kuzet.db").read_bytes()
        for wal in (tmp_path / "var").glob("kuzet.db-*"):
            raw += wal.read_bytes()
            assert stat.S_IMODE(wal.stat().st_mode) == 0o600
        assert b"s3cret-Pass" not in raw  # never written in clear (the old row's page may
        # keep its clear text until SQLite reuses it: sealing protects what comes after)
        stored = svc.store.get_camera("cam-1")
        assert stored is not None and "s3cret" not in stored.main_url
        assert svc.access.cameras.open_url("cam-1", stored.main_url) == cam.main_url
        old = svc.store.get_camera("old")
        assert old is not None
        assert svc.access.cameras.open_url("old", old.main_url) == "rtsp://op:0ld-pass@10.1.1.1/s"
        # sealed for its own camera only
        from kuzet.crypto import KeyRingError

        with pytest.raises(KeyRingError):
            svc.access.cameras.open_url("cam-1", old.main_url)
    finally:
        svc.bus.close()
        svc.store.close()


def test_watchlist_names_and_case_data_are_sealed(city: City) -> None:
    from sqlalchemy import text

    from kuzet.faces.records import PersonRecord
    from kuzet.faces.rekey import pending, rekey

    faces = city.faces
    assert faces is not None
    wl = faces.lists.create("city-police", "Wanted")
    rec = PersonRecord("ext-1", "Айдос Серікұлы", [b"photo-1"], {"case_no": "2025-117"})
    assert faces.lists.upsert(wl.id, rec)[0] == "created"
    with city.store.engine.connect() as c:
        row = c.execute(text('SELECT id, name, "case" FROM watchlist_persons')).one()
    pid, name, case = row
    assert name.startswith("kzs1:") and "Айдос" not in name and "2025-117" not in str(case)
    person = faces.lists.person(pid)
    assert person is not None and person.name == rec.name and person.case == rec.case
    assert [p.name for p in faces.lists.persons(wl.id)] == [rec.name]
    assert faces.lists.upsert(wl.id, rec)[0] == "unchanged"  # digest over the clear text
    # a row from before sealing reads as it is, and rekey seals it
    with city.store.engine.begin() as c:
        c.execute(text("""UPDATE watchlist_persons SET name = 'Old Name', "case" = '{}'"""))
    assert faces.lists.person(pid).name == "Old Name"  # type: ignore[union-attr]
    assert pending(city.store.engine, faces.keys)["(not sealed)"] == 1
    assert rekey(city.store.engine, faces.keys)["persons"] == 1
    assert not pending(city.store.engine, faces.keys)
    with city.store.engine.connect() as c:
        stored = c.execute(text("SELECT name FROM watchlist_persons")).scalar_one()
    assert stored.startswith("kzs1:")
    assert faces.lists.person(pid).name == "Old Name"  # type: ignore[union-attr]
