"""In-process vector index over unit templates (FAISS, inner product = cosine).

Exact (flat) below ``approx_above`` templates: at 10k a scan is ~1 ms and always right.
Above it an IVF index with ``nlist ~ 4 sqrt(N)`` lists, probing enough lists for
recall@1 >= 0.99 (bench/face_search.py). Ids are int64 keys the caller maps to photos.
Adding and removing work on the live index; ``save``/``load`` persist it sealed with
the face key (the file holds templates), and reload is a memory copy, no re-training.
"""

from __future__ import annotations

import threading
from pathlib import Path

import faiss
import numpy as np

from kuzet.faces.crypto import KeyRing

_CTX = "faiss-index"


def _ivf(dim: int, n: int, train: np.ndarray) -> faiss.Index:
    nlist = max(16, int(4 * np.sqrt(n)))
    quant = faiss.IndexFlatIP(dim)
    ivf = faiss.IndexIVFFlat(quant, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    ivf.cp.max_points_per_centroid = 64  # k-means on <= 64*nlist samples: seconds, not minutes
    ivf.train(train)
    ivf.nprobe = max(16, nlist // 16)  # recall@1 >= 0.99 in bench/face_search.py
    ivf.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]  # arbitrary ids, cheap remove
    return ivf


class FaceIndex:
    def __init__(self, dim: int = 128, approx_above: int = 50_000) -> None:
        self.dim = dim
        self.approx_above = approx_above
        self._lock = threading.RLock()
        self._index: faiss.Index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))

    @property
    def approximate(self) -> bool:
        return isinstance(self._index, faiss.IndexIVF)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def build(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Replace the contents; picks exact or IVF by size."""
        vectors = np.ascontiguousarray(vectors, np.float32)
        ids = np.ascontiguousarray(ids, np.int64)
        if len(ids) > self.approx_above:
            rng = np.random.default_rng(0)
            sample = vectors[rng.choice(len(vectors), min(len(vectors), 262_144), replace=False)]
            index: faiss.Index = _ivf(self.dim, len(ids), sample)
        else:
            index = faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))
        if len(ids):
            index.add_with_ids(vectors, ids)
        with self._lock:
            self._index = index

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids = np.ascontiguousarray(ids, np.int64)
        with self._lock:
            self._index.remove_ids(ids)  # type: ignore[arg-type]  # re-adding replaces
            self._index.add_with_ids(np.ascontiguousarray(vectors, np.float32), ids)

    def remove(self, ids: np.ndarray) -> int:
        with self._lock:
            gone = self._index.remove_ids(np.ascontiguousarray(ids, np.int64))  # type: ignore[arg-type]
            return int(gone)

    def search(self, queries: np.ndarray, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
        """``(scores [Q, k], ids [Q, k])``; id -1 where fewer than k exist."""
        q = np.ascontiguousarray(np.atleast_2d(queries), np.float32)
        with self._lock:
            scores, ids = self._index.search(q, k)
        return scores, ids

    def save(self, path: Path, keys: KeyRing) -> None:
        with self._lock:
            raw = faiss.serialize_index(self._index).tobytes()
        sealed = keys.seal(raw, _CTX)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(sealed.key_id.encode().ljust(32, b" ") + sealed.blob)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, keys: KeyRing, dim: int = 128) -> FaceIndex:
        data = path.read_bytes()
        raw = keys.open(data[:32].decode().strip(), data[32:], _CTX)
        out = cls(dim)
        out._index = faiss.deserialize_index(np.frombuffer(raw, np.uint8))
        return out
