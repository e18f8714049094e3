"""pgvector bulk build: one binary COPY in chunks, the graph built once with its parameters
(on the session's PostgreSQL, ``pg_url`` from tests/conftest.py)."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import text

from kuzet.faces import pgvector
from kuzet.faces.index import FaceIndex
from kuzet.faces.pgvector import PgVectorIndex
from kuzet.store.engine import make_engine

pytestmark = pytest.mark.postgres


def test_bulk_build_in_chunks_matches_exact(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pgvector, "_COPY_ROWS", 300)  # several COPY writes, one stream
    rng = np.random.default_rng(5)
    x = rng.standard_normal((1_000, 128)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    ids = np.arange(7, 7_007, 7, dtype=np.int64)
    engine = make_engine(pg_url)
    pg = PgVectorIndex(engine, m=8, ef_construction=32, ef_search=200)
    pg.add(ids[:5], x[:5])  # replaced by the build below
    pg.build(ids, x)
    assert len(pg) == 1_000
    with engine.connect() as c:
        indexdef = c.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'face_vectors_hnsw'")
        ).scalar_one()
        stored = c.execute(text("SELECT embedding::text FROM face_vectors WHERE id = 14"))
        first = np.array(stored.scalar_one().strip("[]").split(","), np.float32)
    assert "m='8'" in indexdef.replace(" ", "") and "ef_construction='32'" in indexdef
    np.testing.assert_allclose(first, x[1], rtol=1e-6)  # binary COPY kept every bit
    exact = FaceIndex()
    exact.build(ids, x)
    q = x[:50] + 0.02 * rng.standard_normal((50, 128)).astype(np.float32)
    s_pg, i_pg = pg.search(q, 3)
    s_ex, i_ex = exact.search(q, 3)
    assert (i_pg[:, 0] == i_ex[:, 0]).all()
    np.testing.assert_allclose(s_pg[:, 0], s_ex[:, 0], atol=1e-5)
    pg.build(ids[:0], x[:0])  # empty build: empty table, index back
    assert len(pg) == 0 and pg.search(x[0], 1)[1].tolist() == [[-1]]
