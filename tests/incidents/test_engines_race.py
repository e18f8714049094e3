"""Several engines of a city (API replicas, the incident engine actor, full shards) share
one PostgreSQL: an overdue incident is escalated once, not once per engine, and a camera's
events ingested by two engines at the same moment open one incident, not two."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from at_once import at_once
from sqlalchemy import Engine, func, select

from kuzet.access.service import AccessService
from kuzet.config.ops import OpsConfig
from kuzet.incidents.book import IncidentBook
from kuzet.incidents.tables import IncidentLogRow, IncidentRow
from kuzet.schema import open_store

from .conftest import CAMERAS, cheap_access, ev

pytestmark = pytest.mark.postgres
CAMS = {c.id: c for c in CAMERAS}


@pytest.fixture
def books(pg_url: str) -> Iterator[tuple[Engine, list[IncidentBook]]]:
    """Two processes' incident books: two connection pools on one database."""
    stores = [open_store(pg_url) for _ in range(2)]
    try:
        out = []
        for store in stores:
            svc = AccessService(store.engine, cheap_access())
            svc.seed_agencies()
            out.append(IncidentBook(svc.engine, svc.audit, OpsConfig()))
        yield stores[0].engine, out
    finally:
        for store in stores:
            store.close()


def test_two_engines_escalate_each_overdue_incident_once(
    books: tuple[Engine, list[IncidentBook]],
) -> None:
    engine, (one, two) = books
    opened = one.ingest([ev("traffic-1", type=f"t{i}") for i in range(20)], CAMS.get)
    assert len(opened) == 20
    later = datetime.now(UTC) + timedelta(hours=2)  # every deadline has passed
    got: list[int] = [0, 0]

    def clock(i: int) -> None:
        got[i] = len((one, two)[i].escalate_due(later))

    at_once(clock)
    assert sum(got) == 20, got  # each incident by one engine
    with engine.connect() as c:
        logs = c.scalar(select(func.count()).where(IncidentLogRow.action == "escalate"))
    assert logs == 20


def test_two_engines_given_one_camera_s_events_at_once_open_one_incident(
    books: tuple[Engine, list[IncidentBook]],
) -> None:
    """The bus's durable group hands a camera's events to whichever engine is free: two
    engines may ingest events of one camera and type at the same moment."""
    engine, pair = books
    kinds = [f"t{i}" for i in range(10)]

    def ingest(i: int) -> None:
        for kind in kinds:  # one event of each kind, each engine its own
            pair[i].ingest([ev("traffic-1", type=kind)], CAMS.get)

    at_once(ingest)
    with engine.connect() as c:
        rows = c.execute(
            select(IncidentRow.type, func.count(), func.sum(IncidentRow.event_count)).group_by(
                IncidentRow.type
            )
        ).all()
    assert sorted((t, n, int(e)) for t, n, e in rows) == [(k, 1, 2) for k in sorted(kinds)]
