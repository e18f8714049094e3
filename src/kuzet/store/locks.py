"""Transaction-scoped advisory locks: several processes of a city (API replicas, the
Ray actors, full shards) sharing one PostgreSQL serialise their work on one key (a
camera and event type, a plate) without a lock table. Held until the transaction ends.
SQLite has one writer at a time: nothing to do there."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.orm import Session


def lock_keys(s: Session, keys: Iterable[str]) -> None:
    """Take the locks of ``keys`` in sorted order (two sessions locking overlapping sets
    cannot deadlock); on PostgreSQL only."""
    if s.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):
        s.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})
