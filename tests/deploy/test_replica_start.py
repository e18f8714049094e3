"""Replicas (API, workers) start together on one fresh PostgreSQL: each seeds the
agencies it finds missing, and one that loses the race to another must start anyway
(found by tests/deploy/test_api_replicas.py: the second replica died on a duplicate key)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from kuzet.access.seed import AGENCIES
from kuzet.access.service import AccessService
from kuzet.access.tables import AgencyRow
from kuzet.schema import open_store

from .test_api_replicas import KEYS

pytestmark = pytest.mark.postgres


def test_a_replica_that_loses_the_seeding_race_starts(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for k, v in KEYS.items():
        monkeypatch.setenv(k, v)
    store = open_store(pg_url)
    first, second = AccessService(store.engine), AccessService(store.engine)
    raced: list[int] = []

    def other_replica_first(session: Session, *_: Any) -> None:
        # the other replica commits its agencies between this one's read and its insert
        if not raced and any(isinstance(o, AgencyRow) for o in session.new):
            raced.append(0)
            raced.append(first.seed_agencies())

    event.listen(Session, "before_flush", other_replica_first)
    try:
        second.seed_agencies()  # no duplicate-key error: it starts
        assert raced == [0, len(AGENCIES)]
        assert len(second.accounts.agencies()) == len(AGENCIES)
    finally:
        event.remove(Session, "before_flush", other_replica_first)
        store.close()
