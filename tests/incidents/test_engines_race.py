"""Several engines of a city (API replicas, the incident engine actor, full shards) share
one PostgreSQL: an overdue incident is escalated once, not once per engine, and a camera's
events ingested by two engines at the same moment open one incident, not two."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from kuzet.access.service import AccessService
from kuzet.config.ops import OpsConfig
from kuzet.incidents.book import IncidentBook
from kuzet.incidents.tables import IncidentLogRow, IncidentRow
from kuzet.schema import open_store

from .conftest import CAMERAS, cheap_access, ev

pytestmark = pytest.mark.postgres


def test_two_engines_escalate_each_overdue_incident_once(pg_url: str) -> None:
    stores = [open_store(pg_url) for _ in range(2)]  # two processes: two connection pools
    try:
        books = []
        for store in stores:
            svc = AccessService(store.engine, cheap_access())
            svc.seed_agencies()
            books.append(IncidentBook(svc.engine, svc.audit, OpsConfig()))
        cams = {c.id: c for c in CAMERAS}
        opened = books[0].ingest([ev("traffic-1", type=f"t{i}") for i in range(20)], cams.get)
        assert len(opened) == 20
        later = datetime.now(UTC) + timedelta(hours=2)  # every deadline has passed
        start = threading.Barrier(2)
        got: list[int] = [0, 0]

        def clock(i: int) -> None:
            start.wait()
            got[i] = len(books[i].escalate_due(later))

        threads = [threading.Thread(target=clock, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert sum(got) == 20, got  # each incident by one engine
        with stores[0].engine.connect() as c:
            logs = c.scalar(select(func.count()).where(IncidentLogRow.action == "escalate"))
        assert logs == 20
    finally:
        for store in stores:
            store.close()


def test_two_engines_given_one_camera_s_events_at_once_open_one_incident(pg_url: str) -> None:
    """The bus's durable group hands a camera's events to whichever engine is free: two
    engines may ingest events of one camera and type at the same moment."""
    stores = [open_store(pg_url) for _ in range(2)]
    try:
        books = []
        for store in stores:
            svc = AccessService(store.engine, cheap_access())
            svc.seed_agencies()
            books.append(IncidentBook(svc.engine, svc.audit, OpsConfig()))
        cams = {c.id: c for c in CAMERAS}
        kinds = [f"t{i}" for i in range(10)]
        start = threading.Barrier(2)

        def ingest(i: int) -> None:
            start.wait()
            for kind in kinds:  # one event of each kind, each engine its own
                books[i].ingest([ev("traffic-1", type=kind)], cams.get)

        threads = [threading.Thread(target=ingest, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        with stores[0].engine.connect() as c:
            rows = c.execute(
                select(IncidentRow.type, func.count(), func.sum(IncidentRow.event_count)).group_by(
                    IncidentRow.type
                )
            ).all()
        assert sorted((t, n, int(e)) for t, n, e in rows) == [(k, 1, 2) for k in sorted(kinds)]
    finally:
        for store in stores:
            store.close()
