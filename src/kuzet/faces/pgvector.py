"""Opt-in face index in PostgreSQL (pgvector), a drop-in for :class:`FaceIndex`.

Trade-off: every other copy of a template is AES-GCM sealed (rows, the FAISS index
file); pgvector must hold the vectors in **plaintext** to search them, so anyone who
can read the database (a backup, a replica, a DBA) can read the templates. Use it only
where the database is itself protected (disk encryption, restricted roles), for
one shared index across several nodes without per-node RAM or rebuilds. Ids are the
gallery's int64 keys; the table holds nothing but id and vector.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import Engine, text

_TABLE = "face_vectors"


def _lit(v: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in np.asarray(v, np.float32).ravel()) + "]"


class PgVectorIndex:
    """Inner product (= cosine on unit templates) over an HNSW index; the same methods
    as :class:`kuzet.faces.index.FaceIndex`, so :class:`Gallery` takes either."""

    def __init__(self, engine: Engine, dim: int = 128, ef_search: int = 100) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("the pgvector face index needs a PostgreSQL store")
        self.engine, self.dim, self.ef_search = engine, dim, ef_search
        with engine.begin() as c:
            c.execute(text("CREATE EXTENSION IF NOT EXISTS vector"))
            c.execute(
                text(
                    f"CREATE TABLE IF NOT EXISTS {_TABLE} "
                    f"(id bigint PRIMARY KEY, embedding vector({dim}) NOT NULL)"
                )
            )
            c.execute(
                text(
                    f"CREATE INDEX IF NOT EXISTS {_TABLE}_hnsw ON {_TABLE} "
                    "USING hnsw (embedding vector_ip_ops)"
                )
            )

    approximate = True  # HNSW: recall is high, not guaranteed

    def __len__(self) -> int:
        with self.engine.connect() as c:
            return int(c.execute(text(f"SELECT count(*) FROM {_TABLE}")).scalar_one())

    def build(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Replace the contents."""
        with self.engine.begin() as c:
            c.execute(text(f"TRUNCATE {_TABLE}"))
        self.add(ids, vectors)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        rows = [{"id": int(i), "v": _lit(v)} for i, v in zip(ids, vectors, strict=True)]
        if not rows:
            return
        with self.engine.begin() as c:
            c.execute(
                text(
                    f"INSERT INTO {_TABLE} (id, embedding) VALUES (:id, CAST(:v AS vector)) "
                    "ON CONFLICT (id) DO UPDATE SET embedding = EXCLUDED.embedding"
                ),
                rows,
            )

    def remove(self, ids: np.ndarray) -> int:
        with self.engine.begin() as c:
            res = c.execute(
                text(f"DELETE FROM {_TABLE} WHERE id = ANY(:ids)"), {"ids": [int(i) for i in ids]}
            )
            return int(getattr(res, "rowcount", 0))

    def search(self, queries: np.ndarray, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
        """``(scores [Q, k], ids [Q, k])``; id -1 where fewer than k exist."""
        q = np.atleast_2d(queries)
        scores = np.full((len(q), k), -np.inf, np.float32)
        ids = np.full((len(q), k), -1, np.int64)
        sql = text(
            f"SELECT id, -(embedding <#> CAST(:q AS vector)) AS s FROM {_TABLE} "
            "ORDER BY embedding <#> CAST(:q AS vector) LIMIT :k"
        )
        with self.engine.begin() as c:
            c.execute(text(f"SET LOCAL hnsw.ef_search = {int(self.ef_search)}"))
            for row, vec in enumerate(q):
                for j, (i, s) in enumerate(c.execute(sql, {"q": _lit(vec), "k": k})):
                    ids[row, j], scores[row, j] = i, s
        return scores, ids
