"""The database schema of every feature, and the one way to open a migrated store.

The migrations know the tables of cameras, events, access, faces and incidents, so they
live above all of those packages: ``kuzet.store`` stays a plain repository that imports
no feature, and features import ``kuzet.store`` (their tables share its ``Base``).
"""

from __future__ import annotations

from typing import Any

from kuzet.schema.migrate import alembic_config, current_revision, head_revision, upgrade
from kuzet.store import Store

__all__ = ["alembic_config", "current_revision", "head_revision", "open_store", "upgrade"]


def open_store(url: str, **engine_kwargs: Any) -> Store:
    """A :class:`~kuzet.store.Store` on ``url`` with its schema upgraded to the newest
    migration, so a fresh database file or an old one both just work."""
    store = Store(url, **engine_kwargs)
    try:
        upgrade(store.engine)
    except BaseException:
        store.close()
        raise
    return store
