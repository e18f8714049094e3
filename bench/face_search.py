"""Face search benchmark: p50/p95 latency and recall@1 vs exact, build time, memory.

Synthetic unit templates (128-d, dlib's size) drawn around identity centres; queries
are fresh noisy samples of enrolled identities, like a new photo of a listed person.
Usage: python bench/face_search.py --sizes 10000 100000 1000000 --threads 1
"""

from __future__ import annotations

import argparse
import time

import faiss
import numpy as np

from kuzet.faces.index import FaceIndex


def unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def run(n: int, queries: int, rng: np.random.Generator) -> dict[str, float]:
    base = unit(rng.standard_normal((n, 128), np.float32))
    picks = rng.choice(n, queries, replace=False)
    q = unit(base[picks] + 0.5 / np.sqrt(128) * rng.standard_normal((queries, 128), np.float32))
    exact = faiss.IndexFlatIP(128)
    exact.add(base)
    truth = exact.search(q, 1)[1][:, 0]
    idx = FaceIndex()
    t = time.perf_counter()
    idx.build(np.arange(n), base)
    build = time.perf_counter() - t
    lat, got = [], []
    for row in q:
        t = time.perf_counter()
        got.append(idx.search(row, 1)[1][0, 0])
        lat.append((time.perf_counter() - t) * 1000)
    mem = len(faiss.serialize_index(idx._index)) / n
    return {
        "n": n,
        "approx": idx.approximate,
        "build_s": build,
        "p50_ms": float(np.percentile(lat, 50)),
        "p95_ms": float(np.percentile(lat, 95)),
        "recall@1": float((np.asarray(got) == truth).mean()),
        "bytes_per_template": mem,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--queries", type=int, default=500)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    faiss.omp_set_num_threads(a.threads)
    rng = np.random.default_rng(0)
    for n in a.sizes:
        r = run(n, a.queries, rng)
        print(
            " | ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in r.items())
        )


if __name__ == "__main__":
    main()
