"""Fixtures: a migrated SQLite store with one agency, a key ring, the real embedder."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from hash_embedder import HashPhotoEmbedder
from sqlalchemy.orm import Session

from kuzet.access.tables import AgencyRow
from kuzet.crypto import KeyRing
from kuzet.faces.gallery import Gallery
from kuzet.faces.watchlists import Watchlists
from kuzet.schema import upgrade


@pytest.fixture()
def engine(tmp_path: Path) -> sa.Engine:
    eng = sa.create_engine(f"sqlite:///{tmp_path / 'faces.db'}")
    upgrade(eng)
    with Session(eng) as s, s.begin():
        s.add(
            AgencyRow(
                id="police", name="Police", platform=False, scope={}, created_at=datetime.now(UTC)
            )
        )
    return eng


@pytest.fixture()
def keys() -> KeyRing:
    return KeyRing.parse(KeyRing.generate("k1"))


@pytest.fixture()
def synthetic_lists(engine: sa.Engine, keys: KeyRing) -> Watchlists:
    return Watchlists(engine, keys, HashPhotoEmbedder(), Gallery(engine, keys))


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    from kuzet.faces.embedder import default_embedder

    return default_embedder()
