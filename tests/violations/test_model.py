"""Facts of a violation as the package states them, and migration 0028 both ways."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from kuzet.schema import alembic_config, current_revision, head_revision, upgrade
from kuzet.store.engine import make_engine
from kuzet.violations.model import NOT_RECORDED, facts_of

TABLES = {"vio_officer_keys", "vio_reviews"}


def test_missing_facts_read_not_recorded_and_extra_ones_are_kept() -> None:
    got = facts_of("red_light", {"signal_state": "red", "violation": True, "lane": "2"}, "car")
    assert got["signal_state"] == "red" and got["signal_since"] == NOT_RECORDED
    assert got["vehicle_class"] == "car"  # from the detector class when the rule sent none
    assert got["lane"] == "2" and "violation" not in got
    speed = facts_of("average_speed", {"speed_kmh": 91.0})
    assert speed["speed_uncertainty_kmh"] == NOT_RECORDED and speed["distance_m"] == NOT_RECORDED


def test_migration_0028_up_and_down(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'k.db'}")
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert set(inspect(engine).get_table_names()) >= TABLES
    with engine.begin() as conn:
        cfg = alembic_config(conn)
        # to the revision below 0028, whatever was added after it (later migrations go first)
        below = ScriptDirectory.from_config(cfg).get_revision("0028_violations").down_revision
        command.downgrade(cfg, str(below))
    assert not TABLES & set(inspect(engine).get_table_names())
    upgrade(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES
    engine.dispose()


def test_the_service_keeps_frames_only_where_a_rule_can_raise_a_violation() -> None:
    from kuzet.config.loader import parse_site
    from kuzet.service import has_violation_rules

    site = """
cameras:
  - id: road
    main_url: unused
    rules:
      - type: scene
        zones: [{name: lane, points: [[0, 0], [100, 0], [100, 100], [0, 100]]}]
        rules:
          - {type: wrong_way, name: ww, zone: lane, direction: [[0, 0], [0, 10]]}
"""
    assert has_violation_rules(parse_site(site))
    assert not has_violation_rules(
        parse_site(
            site.replace("wrong_way", "stopped_vehicle").replace(
                ", direction: [[0, 0], [0, 10]]", ""
            )
        )
    )
