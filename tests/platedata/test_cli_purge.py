"""``kuzet purge`` (retention by hand) also drops plate data past plate_data.retention_days,
and audits it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kuzet.access.audit import AuditLog
from kuzet.cli import app as cli
from kuzet.platedata.reads import read_row, write_reads
from kuzet.schema import open_store

from .conftest import plate_read


def test_purge_command_drops_old_plate_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the default site's data dir (blobs) is ./var
    url = f"sqlite:///{tmp_path / 'k.db'}"
    store = open_store(url)
    old = read_row(plate_read("123ABC02", ts=datetime(2020, 1, 1, tzinfo=UTC)))
    new = read_row(plate_read("555XYZ05", track=2, ts=datetime.now(UTC)))
    assert old is not None and new is not None
    write_reads(store.engine, [old, new])
    r = CliRunner().invoke(cli, ["purge", "--db", url])
    assert r.exit_code == 0, r.output
    assert "1 plate reads" in r.output
    with store.engine.connect() as c:
        assert [p for (p,) in c.exec_driver_sql("SELECT plate FROM plate_reads")] == ["555XYZ05"]
    (rec,) = AuditLog(store.engine).rows(action="plate.retention.purge")
    assert rec["detail"]["reads"] == 1
    store.close()
