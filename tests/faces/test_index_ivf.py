"""The two-stage IVF face index: exact scores, replace-on-add, reload, old index files."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from kuzet.crypto import KeyRing
from kuzet.faces.index import FaceIndex


def _crowded(n: int, seed: int) -> np.ndarray:
    """Face-like templates: a shared direction plus a few tens of effective dimensions."""
    rng = np.random.default_rng(seed)
    sd = np.sqrt(np.exp(-np.arange(127) / 17.0))
    x = np.hstack([np.full((n, 1), 2.0), 0.4 * rng.standard_normal((n, 127)) * sd])
    x = x @ np.linalg.qr(np.random.default_rng(9).standard_normal((128, 128)))[0]
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_ivf_returns_exact_scores_and_matches_exact_search() -> None:
    x = _crowded(20_000, 0)
    ids = np.arange(100, 20_100, dtype=np.int64)
    ivf, exact = FaceIndex(approx_above=5_000), FaceIndex()
    ivf.build(ids, x)
    exact.build(ids, x)
    assert ivf.approximate and not exact.approximate
    q = _crowded(300, 1)  # none of them enrolled: the hard case, near-ties everywhere
    s_ivf, i_ivf = ivf.search(q, 10)
    _, i_ex = exact.search(q, 10)
    assert (i_ivf[:, 0] == i_ex[:, 0]).mean() >= 0.99
    # the scores are exact cosines of the returned ids, best first
    np.testing.assert_allclose(s_ivf, np.einsum("qd,qkd->qk", q, x[i_ivf - 100]), atol=1e-5)
    assert (np.diff(s_ivf, axis=1) <= 0).all()


def test_ivf_add_replaces_remove_and_reload(tmp_path: Path) -> None:
    x = _crowded(8_000, 2)
    idx = FaceIndex(approx_above=1_000)
    idx.build(np.arange(8_000), x)
    idx.add(np.array([5]), x[6:7])  # re-adding an id replaces its vector, in both stages
    assert len(idx) == 8_000
    s, i = idx.search(x[6], 3)
    assert sorted(i[0, :2].tolist()) == [5, 6] and s[0, 0] > 0.9999
    assert idx.remove(np.array([5, 6, 123_456])) == 2
    assert not {5, 6} & set(idx.search(x[6], 10)[1][0].tolist())
    keys = KeyRing.parse(KeyRing.generate())
    idx.save(tmp_path / "ix", keys)
    back = FaceIndex.load(tmp_path / "ix", keys)
    assert len(back) == 7_998 and back.describe() == idx.describe()
    q = _crowded(50, 3)
    for a, b in zip(idx.search(q, 5), back.search(q, 5), strict=True):
        np.testing.assert_array_equal(a, b)
    back.remove(np.arange(8_000))
    assert back.search(q[0], 2)[1].tolist() == [[-1, -1]]


def test_loads_an_index_file_written_before_the_two_stages(tmp_path: Path) -> None:
    x = _crowded(3_000, 4)
    old = faiss.IndexIVFFlat(faiss.IndexFlatIP(128), 128, 64, faiss.METRIC_INNER_PRODUCT)
    old.train(x)
    old.nprobe = 64
    old.add_with_ids(x, np.arange(3_000))
    keys = KeyRing.parse(KeyRing.generate("k1"))
    sealed = keys.seal(faiss.serialize_index(old).tobytes(), "faiss-index")
    (tmp_path / "ix").write_bytes(b"k1".ljust(32, b" ") + sealed.blob)
    back = FaceIndex.load(tmp_path / "ix", keys)
    assert back.approximate and len(back) == 3_000
    assert back.search(x[42], 1)[1][0, 0] == 42
