"""What ``kuzet serve`` runs: the service declares the ``plates`` group before anything is
published, starts the consumer, and a hit reaches the operations centre; off by config,
neither the group nor the routes exist."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from tests.incidents.conftest import wait_for

from kuzet.config.models import SiteConfig
from kuzet.incidents.tables import IncidentRow
from kuzet.service import Service

from .conftest import plate_read


def _site(tmp_path: Path, **more: Any) -> SiteConfig:
    """Everything under the test's folder (the default store is ./var/kuzet.db)."""
    store = {"url": f"sqlite:///{tmp_path / 'kuzet.db'}"}
    return SiteConfig.model_validate({"data_dir": str(tmp_path), "store": store, **more})


def _incidents(svc: Service) -> list[Any]:
    with svc.access.engine.connect() as c:
        return list(c.execute(select(IncidentRow.type, IncidentRow.agency_id)).all())


def test_service_runs_the_plates_consumer(tmp_path: Path) -> None:
    svc = Service(_site(tmp_path), detector=object())  # type: ignore[arg-type]
    assert svc.plates is not None and "plates" in svc.bus.stats()  # type: ignore[attr-defined]
    lst = svc.plates.lists.create("city-police", "Stolen", created_by="t")
    svc.plates.lists.put(lst.id, "123ABC02", reason="stolen", added_by="t")
    svc.bus.publish(plate_read("123ABC02", camera="cam-x"))  # before start: kept by the group
    svc.start()
    try:
        got = wait_for(lambda: _incidents(svc), timeout=10.0, what="the incident")
        assert [tuple(r) for r in got] == [("plate_match", "city-police")]
        assert svc.store.get_event(plate_read("123ABC02", camera="cam-x").id) is not None
        # the hourly retention pass is audited (nothing is 90 days old here)
        assert svc.plates.purge(svc.blobs.delete, svc.access.audit).reads == 0
        (rec,) = svc.access.audit.rows(action="plate.retention.purge")
        assert rec["actor"] == "system" and rec["detail"]["retention_days"] == 90
    finally:
        svc.stop()


def test_plate_data_off(tmp_path: Path) -> None:
    svc = Service(_site(tmp_path, plate_data={"enabled": False}), detector=object())  # type: ignore[arg-type]
    try:
        assert svc.plates is None and "plates" not in svc.bus.stats()  # type: ignore[attr-defined]
        assert svc.app.state.kuzet.plates is None
    finally:
        svc.store.close()
