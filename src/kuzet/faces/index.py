"""In-process vector index over unit templates (FAISS, inner product = cosine).

Exact (flat) up to ``approx_above`` templates: at 50k a scan is ~1.5 ms and always right.
Above it, a two-stage IVF. Every choice below was measured with ``bench/face_search.py``
on face-like synthetic templates (docs/benchmarks.md): real templates crowd into a few
tens of effective dimensions, so at 1M a query's two best scores differ by ~0.002 and
an approximate index needs far more probes than on random vectors (the former IVF-Flat,
250 of 4,000 lists probed, had recall@1 0.93 there).

* **Lists**: ``nlist = 4 sqrt(N)`` (4,000 at 1M), spherical k-means on 16 samples per
  list for 10 iterations, in numpy (GEMM + argmax: 1.6x faster than FAISS's k-means
  here, and 2-3x faster than ``IndexFlatIP.search(x, 1)`` for assigning the 1M vectors,
  which dominated the build). The whole 1M build takes 15-33 s on 2 cores (21.5 s on
  one); the former one (64 samples x 25 iterations through FAISS) took 64-151 s.
* **Scan**: an IVF over 8-bit scalar-quantised codes (128 bytes a template, half the
  latency of scanning float vectors at the same recall) probes ``12 sqrt(nlist)`` lists
  (759 of 4,000 at 1M) and keeps the best ``max(32, 4k)`` candidates. The needed probes
  grow like ``sqrt(nlist)``, not like ``nlist``: at 1M factor 8 gave recall@1
  0.982-0.989 (genuine queries), 10 gave 0.989-0.994, 12 gives 0.992-0.998 (impostors
  0.998-1.000) at p95 7-7.3 ms on one core.
* **Re-rank**: the candidates' float32 templates (an IVF-Flat over the same lists,
  reached through its id hash table) are scored exactly, so the returned scores are the
  exact cosines that list thresholds compare against. Each vector is assigned once and
  that assignment feeds both stages.

Ids are int64 keys the caller maps to photos. Add (re-adding an id replaces it) and
remove work on the live index; ``save``/``load`` persist it sealed with the face key
(the file holds templates); reload is decrypt + deserialise (1M: 2.6-4 s), no
re-training. ~700 bytes a template in memory (codes, float32 copy, ids, hash maps).
"""

from __future__ import annotations

import struct
import threading
from pathlib import Path
from typing import cast

import faiss
import numpy as np
from faiss.contrib.ivf_tools import add_preassigned

from kuzet.crypto import KeyRing

_CTX = "faiss-index"
_MAGIC = b"KZFX2"  # two-stage file: scanner + store; anything else is one plain FAISS index
_CHUNK = 8_192  # vectors scored against all centroids per GEMM (8k x 4k floats: 128 MB)


def _n_lists(n: int) -> int:
    return min(n, max(16, int(4 * np.sqrt(n))))


def _assign(x: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Nearest centroid (inner product) of each row: one GEMM + argmax per chunk; 2-3x
    faster here than ``IndexFlatIP.search(x, 1)`` (numpy's BLAS, no heap pass)."""
    ct = np.ascontiguousarray(centroids.T, np.float32)
    out = np.empty(len(x), np.int64)
    buf = np.empty((min(len(x), _CHUNK), len(centroids)), np.float32)
    for lo in range(0, len(x), _CHUNK):
        xc = x[lo : lo + _CHUNK]
        scores = buf[: len(xc)]
        np.matmul(xc, ct, out=scores)
        out[lo : lo + len(xc)] = scores.argmax(1)
    return out


def _kmeans(x: np.ndarray, k: int, niter: int, rng: np.random.Generator) -> np.ndarray:
    """Spherical k-means (unit centroids: assignment by cosine); an emptied list is
    re-seeded with a random sample."""
    c = x[rng.choice(len(x), k, replace=False)].astype(np.float32)
    for _ in range(niter):
        a = _assign(x, c)
        sums = np.zeros((k, x.shape[1]), np.float64)
        np.add.at(sums, a, x)
        empty = np.bincount(a, minlength=k) == 0
        sums[empty] = x[rng.choice(len(x), int(empty.sum()), replace=False)]
        c = (sums / np.linalg.norm(sums, axis=1, keepdims=True)).astype(np.float32)
    return c


def _ivf_pair(dim: int, train: np.ndarray, nlist: int) -> tuple[faiss.IndexIVF, faiss.IndexIVF]:
    """A trained (scanner, store) pair sharing one coarse quantizer."""
    ip = faiss.METRIC_INNER_PRODUCT
    quant = faiss.IndexFlatIP(dim)
    quant.add(_kmeans(train, nlist, 10, np.random.default_rng(1)))
    scan = faiss.IndexIVFScalarQuantizer(
        quant, dim, nlist, faiss.ScalarQuantizer.QT_8bit, ip, False
    )
    scan.train(train)  # the quantizer is trained: only the 8-bit ranges per dimension
    store = faiss.IndexIVFFlat(quant, dim, nlist, ip)
    store.is_trained = True
    for ix in (scan, store):
        ix.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]  # arbitrary ids, cheap remove
    return scan, store


class FaceIndex:
    def __init__(
        self,
        dim: int = 128,
        approx_above: int = 50_000,
        probe_factor: float = 12.0,
    ) -> None:
        self.dim = dim
        self.approx_above = approx_above
        self.probe_factor = probe_factor  # nprobe = probe_factor * sqrt(nlist)
        self._lock = threading.RLock()
        self._index: faiss.Index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))  # exact vectors
        self._scan: faiss.IndexIVF | None = None  # the 8-bit candidate scanner when approximate

    @property
    def approximate(self) -> bool:
        return isinstance(self._index, faiss.IndexIVF)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def build(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Replace the contents; picks exact or IVF by size."""
        vectors = np.ascontiguousarray(vectors, np.float32)
        ids = np.ascontiguousarray(ids, np.int64)
        scan: faiss.IndexIVF | None = None
        index: faiss.Index
        if len(ids) > self.approx_above:
            nlist = _n_lists(len(ids))
            rng = np.random.default_rng(0)
            take = min(len(vectors), 16 * nlist)
            sample = vectors[np.sort(rng.choice(len(vectors), take, replace=False))]
            scan, index = _ivf_pair(self.dim, sample, nlist)
            self._set_nprobe(scan)
            self._add_ivf(scan, index, ids, vectors)
        else:
            index = faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))
            if len(ids):
                index.add_with_ids(vectors, ids)
        with self._lock:
            self._index, self._scan = index, scan

    def _set_nprobe(self, scan: faiss.IndexIVF) -> None:
        scan.nprobe = max(1, min(scan.nlist, round(self.probe_factor * np.sqrt(scan.nlist))))

    def set_probe_factor(self, factor: float) -> None:
        """Probe ``factor * sqrt(nlist)`` lists from now on (benchmark sweeps)."""
        with self._lock:
            self.probe_factor = factor
            if self._scan is not None:
                self._set_nprobe(self._scan)

    def describe(self) -> str:
        """``exact`` or ``IVF <nlist> lists, <nprobe> probed``."""
        if self._scan is None:
            return "exact" if not self.approximate else "IVF-Flat (legacy file)"
        return f"IVF {self._scan.nlist} lists, {self._scan.nprobe} probed"

    @staticmethod
    def _add_ivf(scan: faiss.IndexIVF, store: faiss.Index, ids: np.ndarray, x: np.ndarray) -> None:
        """Assign each vector once and add it to both stages."""
        lists = _assign(x, scan.quantizer.reconstruct_n(0, scan.nlist))
        for ix in (scan, store):
            add_preassigned(ix, x, lists, ids)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids = np.ascontiguousarray(ids, np.int64)
        x = np.ascontiguousarray(np.atleast_2d(vectors), np.float32)
        with self._lock:
            self._remove(ids)  # re-adding replaces
            if self._scan is not None:
                self._add_ivf(self._scan, self._index, ids, x)
            else:
                self._index.add_with_ids(x, ids)

    def remove(self, ids: np.ndarray) -> int:
        with self._lock:
            return self._remove(np.ascontiguousarray(ids, np.int64))

    def _remove(self, ids: np.ndarray) -> int:
        if self._scan is not None:
            self._scan.remove_ids(ids)  # type: ignore[arg-type]  # the wrapper takes arrays
        return int(self._index.remove_ids(ids))  # type: ignore[arg-type]

    def search(self, queries: np.ndarray, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
        """``(scores [Q, k], ids [Q, k])``, exact cosines; id -1 where fewer than k exist."""
        q = np.ascontiguousarray(np.atleast_2d(queries), np.float32)
        with self._lock:
            if self._scan is None:
                scores, ids = self._index.search(q, k)
                return scores, ids
            _, cand = self._scan.search(q, max(32, 4 * k))
            scores = np.full((len(q), k), -np.inf, np.float32)
            ids = np.full((len(q), k), -1, np.int64)
            for row, (vec, c) in enumerate(zip(q, cand, strict=True)):
                c = c[c >= 0]
                if not len(c):
                    continue
                s = self._index.reconstruct_batch(c) @ vec  # exact re-rank
                top = np.argsort(-s, kind="stable")[:k]
                scores[row, : len(top)], ids[row, : len(top)] = s[top], c[top]
        return scores, ids

    def memory_bytes(self) -> int:
        """Serialized size of the index (what ``save`` seals), a proxy for RAM."""
        return len(self._serialize())

    def _serialize(self) -> bytes:
        with self._lock:
            parts = [faiss.serialize_index(self._index).tobytes()]
            if self._scan is not None:
                parts.append(faiss.serialize_index(self._scan).tobytes())
        if len(parts) == 1:
            return parts[0]
        head = _MAGIC + struct.pack("<f", self.probe_factor)
        return head + b"".join(struct.pack("<Q", len(p)) + p for p in parts)

    def save(self, path: Path, keys: KeyRing) -> None:
        sealed = keys.seal(self._serialize(), _CTX)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(sealed.key_id.encode().ljust(32, b" ") + sealed.blob)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, keys: KeyRing, dim: int = 128) -> FaceIndex:
        data = path.read_bytes()
        raw = keys.open(data[:32].decode().strip(), data[32:], _CTX)
        out = cls(dim)
        if not raw.startswith(_MAGIC):  # exact, or an IVF-Flat saved before the two stages
            out._index = faiss.deserialize_index(np.frombuffer(raw, np.uint8))
            return out
        (out.probe_factor,) = struct.unpack_from("<f", raw, len(_MAGIC))
        pos, parts = len(_MAGIC) + 4, []
        for _ in range(2):
            (size,) = struct.unpack_from("<Q", raw, pos)
            parts.append(faiss.deserialize_index(np.frombuffer(raw, np.uint8, size, pos + 8)))
            pos += 8 + size
        out._index, out._scan = parts[0], cast(faiss.IndexIVF, parts[1])
        return out
