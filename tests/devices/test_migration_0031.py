"""Migration 0031 (the command log and the alarms' cameras) both ways, on SQLite."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from kuzet.schema import alembic_config, current_revision, head_revision, upgrade
from kuzet.store.engine import make_engine

TABLES = {"device_commands", "device_incident_cameras"}


def test_migration_0031_up_and_down(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'k.db'}")
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert set(inspect(engine).get_table_names()) >= TABLES
    with engine.begin() as conn:
        cfg = alembic_config(conn)
        below = ScriptDirectory.from_config(cfg).get_revision("0031_device_commands").down_revision
        command.downgrade(cfg, str(below))
    assert not TABLES & set(inspect(engine).get_table_names())
    upgrade(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES
    engine.dispose()
