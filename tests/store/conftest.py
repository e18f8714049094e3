"""Store fixtures: every store test runs on SQLite and on a real PostgreSQL (``db_url``,
pgserver, from tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kuzet.schema import open_store
from kuzet.store import Store


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = open_store(db_url)
    yield s
    s.close()
