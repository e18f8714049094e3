"""The opt-in pgvector face index (PostgreSQL) behaves like the FAISS one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kuzet.faces.index import FaceIndex
from kuzet.faces.pgvector import PgVectorIndex
from kuzet.schema import open_store
from kuzet.store.engine import make_engine


def _unit(a: np.ndarray) -> np.ndarray:
    return (a / np.linalg.norm(a, axis=1, keepdims=True)).astype(np.float32)


@pytest.mark.postgres
def test_search_add_remove_match_faiss(pg_url: str) -> None:
    rng = np.random.default_rng(0)
    vecs = _unit(rng.normal(size=(2000, 128)))
    ids = np.arange(10, 2010, dtype=np.int64)
    pg, exact = PgVectorIndex(make_engine(pg_url)), FaceIndex()
    pg.build(ids, vecs)
    exact.build(ids, vecs)
    assert len(pg) == 2000
    queries = _unit(vecs[:100] + 0.3 * rng.normal(size=(100, 128)) / np.sqrt(128))
    s_pg, i_pg = pg.search(queries, 5)
    s_ex, i_ex = exact.search(queries, 5)
    assert (i_pg[:, 0] == i_ex[:, 0]).mean() >= 0.99  # recall@1 against exact
    np.testing.assert_allclose(s_pg[:, 0], s_ex[:, 0], atol=1e-5)
    # replace one vector, remove another: effective at once
    pg.add(np.array([10]), vecs[1:2])
    assert pg.search(vecs[1], 2)[1][0].tolist() in ([10, 11], [11, 10])
    assert pg.remove(np.array([11, 99999])) == 1
    assert pg.search(vecs[1], 1)[1][0, 0] == 10 and len(pg) == 1999
    # fewer rows than k: padded with -1 like FAISS
    pg.build(ids[:2], vecs[:2])
    assert pg.search(vecs[0], 4)[1][0].tolist() == [10, 11, -1, -1]


def test_refused_on_sqlite(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="PostgreSQL"):
        PgVectorIndex(make_engine(f"sqlite:///{tmp_path / 'x.db'}"))


@pytest.mark.postgres
def test_face_services_on_pgvector_enrol_search_erase(pg_url: str) -> None:
    from datetime import UTC, datetime

    from hash_embedder import HashPhotoEmbedder
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from kuzet.access.tables import AgencyRow
    from kuzet.config.faces import FacesConfig
    from kuzet.crypto import KeyRing
    from kuzet.faces.records import PersonRecord
    from kuzet.faces.services import FaceServices

    engine = open_store(pg_url).engine  # migrated
    with Session(engine) as s, s.begin():
        s.add(
            AgencyRow(id="police", name="P", platform=False, scope={}, created_at=datetime.now(UTC))
        )
    keys, emb = KeyRing.parse(KeyRing.generate("k1")), HashPhotoEmbedder()
    cfg = FacesConfig(enabled=True, index="pgvector")
    svc = FaceServices.build(engine, cfg, keys=keys, embedder=emb)
    assert isinstance(svc.gallery.index, PgVectorIndex)
    wl = svc.lists.create("police", "Wanted")
    assert svc.lists.upsert(wl.id, PersonRecord("p1", "A", [b"face-a"]))[0] == "created"
    probe = emb.enrol(b"face-a").template
    assert probe is not None
    assert [m.entry.person_id for m in svc.gallery.search(probe)] != []
    with engine.connect() as c:  # the trade-off: the vector is in the table, unsealed
        assert c.execute(text("SELECT count(*) FROM face_vectors")).scalar_one() == 1
    again = FaceServices.build(engine, cfg, keys=keys, embedder=emb)  # restart: rebuilt
    assert len(again.gallery.search(probe)) == 1
    assert again.lists.remove(wl.id, "p1")
    assert again.gallery.search(probe) == []
