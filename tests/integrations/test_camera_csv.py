"""Camera import from CSV: errors named by row and field, a dry run writes nothing, a
file with any error writes nothing; the CLI and its exit codes."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from kuzet.cli import app
from kuzet.core.records import CameraInfo
from kuzet.integrations.camera_csv import check, run_import
from kuzet.schema import open_store

GOOD = """id,name,category,district,latitude,longitude,main_url,sub_url,enabled
gate-1,Gate 1,school,Bostandyk,43.2205,76.9089,rtsp://user:pw@10.0.0.5/main,,true
road-7,Al-Farabi 7,traffic,Medeu,43.2183,76.9172,rtsp://10.0.0.7/main,rtsp://10.0.0.7/sub,no
"""
BAD = """id,name,category,latitude,longitude,main_url,enabled
ok-1,Fine,school,43.1,76.9,rtsp://h/1,true
bad id,Spaces,school,43.1,76.9,rtsp://h/2,true
lat-1,Too far north,school,95,76.9,rtsp://h/3,true
cat-1,Unknown category,shop,43.1,76.9,rtsp://h/4,true
url-1,No URL,school,43.1,76.9,,true
ok-1,Twice,school,43.1,76.9,rtsp://h/5,maybe
short-1,Short row
"""


def test_good_file_plans_create_and_update() -> None:
    rep, cams = check(GOOD, exists=lambda cid: cid == "road-7")
    assert rep.ok and rep.rows == 2
    assert [(p.row, p.id, p.action) for p in rep.plan] == [
        (2, "gate-1", "create"),
        (3, "road-7", "update"),
    ]
    assert cams[1].enabled is False and cams[1].sub_url == "rtsp://10.0.0.7/sub"
    assert cams[0].sub_url is None and cams[0].latitude == 43.2205


def test_errors_are_named_by_row_and_field_and_nothing_is_written() -> None:
    written: list[CameraInfo] = []
    rep = run_import(BAD, dry_run=False, exists=lambda _: False, upsert=written.append)
    got = {(e.row, e.field) for e in rep.errors}
    assert got == {
        (3, "id"),  # pattern: no spaces
        (4, "latitude"),  # <= 90
        (5, "category"),
        (6, "main_url"),  # required
        (7, "id"),  # ok-1 already on row 2
        (7, "enabled"),  # "maybe"
        (8, None),  # 2 values for 7 columns
    }, rep.errors
    msgs = {(e.row, e.field): e.message for e in rep.errors}
    assert "already on row 2" in msgs[(7, "id")] and "one of" in msgs[(5, "category")]
    assert written == [] and not rep.applied


def test_header_problems_are_row_1() -> None:
    rep, _ = check("id,name,colour\nx,y,z\n", exists=lambda _: False)
    assert {(e.row, e.field) for e in rep.errors} == {(1, "colour"), (1, "main_url")}
    rep, _ = check(b"\xff\xfe bad bytes", exists=lambda _: False)
    assert rep.errors[0].row == 0 and "UTF-8" in rep.errors[0].message
    rep, _ = check("id,main_url\n", exists=lambda _: False)
    assert rep.errors[0].message == "no camera rows after the header"


def test_cli_dry_run_then_import(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'k.db'}"
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(GOOD)
    bad.write_text(BAD)
    runner = CliRunner()
    r = runner.invoke(app, ["cameras", "import", str(bad), "--db", db])
    assert r.exit_code == 1
    assert f"{bad}:4: latitude:" in r.stderr and f"{bad}:8: 2 values for 7 columns" in r.stderr
    r = runner.invoke(app, ["cameras", "import", str(good), "--dry-run", "--db", db])
    assert r.exit_code == 0, r.output
    assert f"{good}:2: create gate-1" in r.stdout and "nothing written" in r.stdout
    with open_store(db) as store:
        assert store.list_cameras() == []
    r = runner.invoke(app, ["cameras", "import", str(good), "--db", db])
    assert r.exit_code == 0 and "created 2, updated 0" in r.stdout
    with open_store(db) as store:
        cams = {c.id: c for c in store.list_cameras()}
        assert set(cams) == {"gate-1", "road-7"}
        assert "pw@" not in cams["gate-1"].main_url  # the URL password is stored sealed
    r = runner.invoke(app, ["cameras", "import", str(good), "--db", db])
    assert "created 0, updated 2" in r.stdout
    r = runner.invoke(app, ["cameras", "import", str(tmp_path / "none.csv"), "--db", db])
    assert r.exit_code == 2 and "cannot read" in r.stderr
