"""Opt-in face index in PostgreSQL (pgvector), a drop-in for :class:`FaceIndex`.

Trade-off: every other copy of a template is AES-GCM sealed (rows, the FAISS index
file); pgvector must hold the vectors in **plaintext** to search them, so anyone who
can read the database (a backup, a replica, a DBA) can read the templates. Use it only
where the database is itself protected (disk encryption, restricted roles), for
one shared index across several nodes without per-node RAM or rebuilds. Ids are the
gallery's int64 keys; the table holds nothing but id and vector.

``build`` (start-up, bulk import) drops the HNSW index, loads the rows with one binary
COPY and builds the graph once (``maintenance_work_mem`` raised so the graph fits, up
to 4 GB; the server's parallel maintenance workers join): far faster than growing the
graph row by row. ``add``/``remove`` change single rows and the index follows. The
build holds the table locked (TRUNCATE): other nodes' searches wait for it.

HNSW parameters, measured with ``bench/face_search.py --pgvector`` on face-like
templates (docs/benchmarks.md, 2 cores): ``m=32, ef_construction=64, ef_search=200``.
At 100k templates that gives recall@1 0.996 (genuine queries) / 1.000 (impostors) vs
exact at p50 ~6 ms (build 39 s); ``m=16`` needs ``ef_search`` 400-800 for that recall
at the same or higher latency, and pgvector's default ``ef_search=40`` gives 0.75. At 1M no setting
tried reached recall 0.99 with p95 < 10 ms here (0.95 at p95 19 ms; 0.99 only at the
maximum ``ef_search=1000``, p95 60 ms) and the graph takes 11.5 min to build: use the
FAISS index for galleries that large.
"""

from __future__ import annotations

import struct
from typing import Any

import numpy as np
from sqlalchemy import Engine, text

_TABLE = "face_vectors"
_INDEX = f"{_TABLE}_hnsw"
_COPY_HEAD = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)  # signature, flags, no extension
_COPY_TAIL = struct.pack(">h", -1)
_COPY_ROWS = 100_000  # rows encoded per write (~53 MB)


def _lit(v: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in np.asarray(v, np.float32).ravel()) + "]"


def _copy_rows(ids: np.ndarray, vectors: np.ndarray) -> bytes:
    """Binary COPY tuples for (id bigint, embedding vector(dim)), built in numpy."""
    n, dim = vectors.shape
    row = np.dtype(
        [
            ("nf", ">i2"),
            ("l_id", ">i4"),
            ("id", ">i8"),
            ("l_v", ">i4"),
            ("dim", ">i2"),
            ("unused", ">i2"),
            ("v", ">f4", (dim,)),
        ]
    )
    out = np.zeros(n, row)
    out["nf"], out["l_id"], out["id"] = 2, 8, ids
    out["l_v"], out["dim"], out["v"] = 4 + 4 * dim, dim, vectors
    return out.tobytes()


class PgVectorIndex:
    """Inner product (= cosine on unit templates) over an HNSW index; the same methods
    as :class:`kuzet.faces.index.FaceIndex`, so :class:`Gallery` takes either."""

    def __init__(
        self,
        engine: Engine,
        dim: int = 128,
        ef_search: int = 200,
        m: int = 32,
        ef_construction: int = 64,
        build_memory_mb: int = 4096,
    ) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("the pgvector face index needs a PostgreSQL store")
        self.engine, self.dim, self.ef_search = engine, dim, ef_search
        self.m, self.ef_construction, self.build_memory_mb = m, ef_construction, build_memory_mb
        with engine.begin() as c:
            c.execute(text("CREATE EXTENSION IF NOT EXISTS vector"))
            c.execute(
                text(
                    f"CREATE TABLE IF NOT EXISTS {_TABLE} "
                    f"(id bigint PRIMARY KEY, embedding vector({dim}) NOT NULL)"
                )
            )
            c.execute(text(self._create_index_sql()))

    approximate = True  # HNSW: recall is high, not guaranteed

    def _create_index_sql(self) -> str:
        return (
            f"CREATE INDEX IF NOT EXISTS {_INDEX} ON {_TABLE} USING hnsw "
            f"(embedding vector_ip_ops) WITH (m = {int(self.m)}, "
            f"ef_construction = {int(self.ef_construction)})"
        )

    def _build_mb(self, n: int) -> int:
        """Room for the whole graph in memory (measured: 175 MB for 100k rows at m=32,
        ~32 m + 4 d + 256 bytes a row) plus 15 %; a graph that overflows builds ~40 %
        slower. Not more: a parallel build reserves all of it in shared memory (mind a
        container's /dev/shm)."""
        row = 32 * self.m + 4 * self.dim + 256
        return int(min(self.build_memory_mb, max(64, 1.15 * n * row / 2**20 + 1)))

    def __len__(self) -> int:
        with self.engine.connect() as c:
            return int(c.execute(text(f"SELECT count(*) FROM {_TABLE}")).scalar_one())

    def build(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Replace the contents: load without the index, then build the graph once."""
        ids = np.asarray(ids, np.int64)
        vectors = np.asarray(vectors, np.float32).reshape(len(ids), self.dim)
        with self.engine.begin() as c:
            c.execute(text(f"DROP INDEX IF EXISTS {_INDEX}"))
            c.execute(text(f"TRUNCATE {_TABLE}"))
            if len(ids) and self.engine.dialect.driver == "psycopg":
                raw: Any = c.connection.driver_connection
                with (
                    raw.cursor() as cur,
                    cur.copy(f"COPY {_TABLE} (id, embedding) FROM STDIN (FORMAT BINARY)") as copy,
                ):
                    copy.write(_COPY_HEAD)
                    for lo in range(0, len(ids), _COPY_ROWS):
                        hi = lo + _COPY_ROWS
                        copy.write(_copy_rows(ids[lo:hi], vectors[lo:hi]))
                    copy.write(_COPY_TAIL)
            else:
                self._insert(c, ids, vectors)
            c.execute(text(f"SET LOCAL maintenance_work_mem = '{self._build_mb(len(ids))}MB'"))
            c.execute(text(self._create_index_sql()))
        with self.engine.begin() as c:
            c.execute(text(f"ANALYZE {_TABLE}"))

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        with self.engine.begin() as c:
            self._insert(c, ids, vectors)

    @staticmethod
    def _insert(c: Any, ids: np.ndarray, vectors: np.ndarray) -> None:
        rows = [{"id": int(i), "v": _lit(v)} for i, v in zip(ids, vectors, strict=True)]
        if rows:
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
