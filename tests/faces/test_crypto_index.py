"""Sealing, rotation, and the FAISS index: exact vs IVF by size, add/remove, reload."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kuzet.crypto import KeyRing, KeyRingError
from kuzet.faces.index import FaceIndex


def _unit(n: int, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, 128)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_seal_binds_context_and_rotation_keeps_old_data_readable() -> None:
    old = KeyRing.parse(KeyRing.generate("old"))
    sealed = old.seal(b"template", "template:a")
    assert b"template" not in sealed.blob
    with pytest.raises(KeyRingError):
        old.open(sealed.key_id, sealed.blob, "template:b")  # moved to another row
    both = KeyRing.parse(KeyRing.generate("new") + "\n" + "old:" + _b64(old, "old"))
    assert both.open("old", sealed.blob, "template:a") == b"template"
    again = both.reseal("old", sealed.blob, "template:a")
    assert again.key_id == "new"
    with pytest.raises(KeyRingError):
        old.open(again.key_id, again.blob, "template:a")


def _b64(ring: KeyRing, kid: str) -> str:
    import base64

    return base64.b64encode(ring._keys[kid]).decode()


def test_exact_below_threshold_ivf_above_and_live_add_remove(tmp_path: Path) -> None:
    x = _unit(3000)
    small = FaceIndex(approx_above=5000)
    small.build(np.arange(3000), x)
    assert not small.approximate
    big = FaceIndex(approx_above=1000)
    big.build(np.arange(3000), x)
    assert big.approximate
    noisy = x[:200] + 0.02 * _unit(200, 1)
    _, ids = big.search(noisy, 1)
    assert (ids[:, 0] == np.arange(200)).mean() >= 0.99
    big.remove(np.array([7]))
    assert big.search(x[7], 1)[1][0, 0] != 7
    big.add(np.array([999_999]), x[7:8])
    assert big.search(x[7], 1)[1][0, 0] == 999_999
    keys = KeyRing.parse(KeyRing.generate())
    big.save(tmp_path / "ix", keys)
    assert x[:1].tobytes()[:64] not in (tmp_path / "ix").read_bytes()
    back = FaceIndex.load(tmp_path / "ix", keys)
    assert len(back) == 3000 and back.approximate
    assert back.search(x[7], 1)[1][0, 0] == 999_999
