"""``kuzet faces import`` from a folder, CSV + images and a ZIP, with a per-row report of
what was refused and why; ``kuzet faces rekey`` moves every sealed row to a new key."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from hash_embedder import HashPhotoEmbedder, OtherHashPhotoEmbedder
from typer.testing import CliRunner

from kuzet.access.service import AccessService
from kuzet.cli import app
from kuzet.config.faces import FacesConfig
from kuzet.crypto import KeyRing, KeyRingError
from kuzet.faces.services import FaceServices
from kuzet.schema import open_store

runner = CliRunner()


@pytest.fixture(autouse=True)
def any_bytes_are_photos(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about importing and its report, not recognition: the CLI's real
    embedder is swapped for the test double (tests/support/hash_embedder.py)."""
    monkeypatch.setattr(
        "kuzet.faces.templates.DlibPhotoEmbedder", lambda *a, **k: HashPhotoEmbedder()
    )


@pytest.fixture()
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    store = open_store(url)
    AccessService(store.engine).seed_agencies()
    store.close()
    return url


def _import(db: str, *args: str) -> str:
    cmd = ["faces", "import", "--list", "Wanted", "--agency", "city-police", "--db", db]
    res = runner.invoke(app, [*cmd, *args], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.output


def _services(db: str, ring: str) -> FaceServices:
    keys = KeyRing.parse(ring)
    return FaceServices.build(sa.create_engine(db), FacesConfig(), keys=keys,
                              embedder=HashPhotoEmbedder())  # fmt: skip


def test_import_folder_csv_zip_with_rejections(
    tmp_path: Path, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ring = KeyRing.generate("k1")
    monkeypatch.setenv("KUZET_FACE_KEYS", ring)
    folder = tmp_path / "people"
    (folder / "A-1").mkdir(parents=True)
    (folder / "A-1" / "front.jpg").write_bytes(b"face A front")
    (folder / "A-1" / "side.jpg").write_bytes(b"BAD side view")
    (folder / "A-1" / "person.json").write_text('{"name": "Aibek", "case": {"n": "17"}}')
    (folder / "B-2.png").write_bytes(b"BAD no face at all")
    (folder / "C-3").mkdir()
    (folder / "C-3" / "notes.txt").write_text("photo to follow")
    out = _import(db, "--folder", str(folder))
    assert "created: 1" in out and "rejected: 1" in out and "unreadable: 1" in out
    assert "no face found" in out and "no image files" in out
    again = _import(db, "--folder", str(folder))
    assert "unchanged: 1" in again  # incremental: nothing re-enrolled
    faces = _services(db, ring)
    person = faces.lists.persons(faces.lists.lists()[0].id)[0]
    assert (person.external_id, person.name, person.case) == ("A-1", "Aibek", {"n": "17"})

    images = tmp_path / "img"
    images.mkdir()
    (images / "d1.jpg").write_bytes(b"face D one")
    (images / "d2.jpg").write_bytes(b"face D two")
    csv_file = tmp_path / "list.csv"
    csv_file.write_text("external_id,name,photos,warrant\nD-4,Dana,d1.jpg;d2.jpg,W-9\n"
                        "E-5,Erlan,missing.jpg,\n")  # fmt: skip
    out = _import(db, "--csv", str(csv_file), "--images", str(images))
    assert "created: 1" in out and "missing image(s): missing.jpg" in out

    zpath = tmp_path / "list.zip"
    with zipfile.ZipFile(zpath, "w") as z:
        z.writestr("export/F-6/1.jpg", b"face F")
        z.writestr("export/G-7.jpg", b"face G")
    out = _import(db, "--zip", str(zpath))
    assert "created: 2" in out
    faces = _services(db, ring)
    assert len(faces.gallery) == 1 + 2 + 2  # A (1 usable photo), D (2), F, G
    assert faces.lists.persons(faces.lists.lists()[0].id)[1].case == {"warrant": "W-9"}


def test_rekey_moves_every_row_to_the_new_key(
    tmp_path: Path, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = KeyRing.generate("k1")
    monkeypatch.setenv("KUZET_FACE_KEYS", old)
    folder = tmp_path / "p"
    folder.mkdir()
    for i in range(3):
        (folder / f"x{i}.jpg").write_bytes(f"face {i}".encode())
    _import(db, "--folder", str(folder))
    new = KeyRing.generate("k2")
    monkeypatch.setenv("KUZET_FACE_KEYS", f"{new},{old}")
    res = runner.invoke(app, ["faces", "rekey", "--db", db], catch_exceptions=False)
    assert res.exit_code == 0 and "'photos': 3" in res.output, res.output
    only_new = _services(db, new)  # the old key is gone: everything still opens
    assert len(only_new.gallery) == 3
    photo = only_new.lists.photos_of(only_new.lists.persons(only_new.lists.lists()[0].id)[0].id)[0]
    assert only_new.lists.photo(photo.id) == b"face 0"
    with pytest.raises(KeyRingError):
        _services(db, old)  # and the old key alone opens nothing


def test_reembed_command_remakes_templates_with_the_site_embedder(
    tmp_path: Path, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After ``faces.embedder`` changes (a second synthetic embedder stands in for it),
    ``kuzet faces reembed`` remakes the templates from the sealed photos; a photo the new
    one refuses is named and the command exits 1."""
    monkeypatch.setenv("KUZET_FACE_KEYS", KeyRing.generate("k1"))
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "a.jpg").write_bytes(b"face a")
    (folder / "b.jpg").write_bytes(b"OLD small face b")
    _import(db, "--folder", str(folder))
    monkeypatch.setattr(
        "kuzet.faces.templates.DlibPhotoEmbedder", lambda *a, **k: OtherHashPhotoEmbedder()
    )
    res = runner.invoke(app, ["faces", "reembed", "--db", db], catch_exceptions=False)
    assert res.exit_code == 1, res.output
    out = res.output
    assert "templates remade with 'other'" in out and "were {'dlib': 2}" in out
    assert "'photos': 1" in out and "'refused: face too small': 1" in out
    assert "left (not searched): {'dlib': 1}" in res.output


def test_missing_key_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KUZET_FACE_KEYS", raising=False)
    monkeypatch.delenv("MY_KEYS", raising=False)
    monkeypatch.delenv("KUZET_FACE_KEY_FILE", raising=False)
    with pytest.raises(KeyRingError, match="MY_KEYS"):
        KeyRing.from_env("MY_KEYS")


def test_unknown_agency_is_named_with_the_known_ones_and_nothing_is_written(
    tmp_path: Path, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUZET_FACE_KEYS", KeyRing.generate("k1"))
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "x.jpg").write_bytes(b"face x")
    engine = sa.create_engine(db)
    tables = ("watchlists", "watchlist_persons", "watchlist_photos", "audit_log")

    def counts() -> dict[str, int]:
        with engine.connect() as conn:
            return {
                t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables
            }

    before = counts()
    cmd = ["faces", "import", "--list", "Wanted", "--agency", "police", "--db", db]
    res = runner.invoke(app, [*cmd, "--folder", str(folder)])
    assert res.exit_code == 2 and isinstance(res.exception, SystemExit), repr(res.exception)
    assert "no agency 'police'" in res.output and "city-police" in res.output, res.output
    assert "Traceback" not in res.output
    assert counts() == before  # nothing written, not even an audit record
    assert before["watchlists"] == 0


def test_the_synthetic_embedder_is_not_in_the_product() -> None:
    """A hidden --synthetic flag could enrol a real watchlist with random vectors."""
    import kuzet.faces.templates as templates

    assert not hasattr(templates, "HashPhotoEmbedder")
    res = runner.invoke(app, ["faces", "import", "--list", "W", "--synthetic", "--folder", "."])
    assert res.exit_code == 2 and "No such option" in res.output


def test_import_tells_the_running_services_over_nats(
    tmp_path: Path, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the city's bus (NATS) in the site file, an import run beside the services makes
    their galleries rebuild now, not at their next timed rebuild."""
    from nats_server import NatsServer
    from tests.incidents.conftest import wait_for

    from kuzet.config.models import NatsBusConfig
    from kuzet.events import create_bus
    from kuzet.faces.gallery_share import KEY, TOPIC

    monkeypatch.setenv("KUZET_FACE_KEYS", KeyRing.generate("k1"))
    server = NatsServer.found(tmp_path / "js").start()
    bus = create_bus(NatsBusConfig(servers=[server.url]))
    heard: list[bytes] = []
    stop = bus.listen(TOPIC, lambda _k, data: heard.append(data), [KEY])
    site = tmp_path / "site.yaml"
    site.write_text(f"data_dir: {tmp_path}\nbus: {{type: nats, servers: ['{server.url}']}}\n")
    folder = tmp_path / "people"
    folder.mkdir()
    (folder / "H-8.jpg").write_bytes(b"face H")
    try:
        out = _import(db, "--folder", str(folder), "--site", str(site))
        assert "created: 1" in out
        wait_for(lambda: heard == [b"cli"], what="the announcement")
    finally:
        stop()
        bus.close()
        server.stop()
