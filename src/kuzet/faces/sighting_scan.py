"""Scoring held hours against one probe: masks, one product per hour, top-k cut.

Scores read from the cache can differ from the row-by-row score of the re-check by at
most ``Block.delta`` (float32 summation order), so the cut keeps every row that can be
in the exact answer, and the caller re-scores only those few against the database.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kuzet.faces.sighting_cache import ID_DTYPE, Block


@dataclass(frozen=True)
class Part:
    """Candidates of one hour: ids, cached scores, and that hour's error bound."""

    ids: np.ndarray
    scores: np.ndarray
    delta: float


EMPTY = Part(np.empty(0, ID_DTYPE), np.empty(0, np.float32), 0.0)


def candidates(
    block: Block,
    probe: np.ndarray,
    window: tuple[int, int] | None,
    cameras: np.ndarray | None,
    threshold: float,
    k: int,
) -> Part:
    """Rows of ``block`` in ``window`` (``[lo, hi)`` microseconds, None: all) on
    ``cameras`` (a lookup table by camera code, None: all) that may reach ``threshold``
    and the top ``k``."""
    r = block.rows
    if not len(r):
        return EMPTY
    mask = None
    if window is not None:
        mask = (r.ts >= window[0]) & (r.ts < window[1])
    if cameras is not None:
        on = cameras[r.cams]
        mask = on if mask is None else mask & on
    if mask is None:
        idx = None
        s = r.vecs @ probe
    else:
        idx = np.flatnonzero(mask)
        if not idx.size:
            return EMPTY
        # a few rows: gather them; most of the hour: one product, then pick
        s = (r.vecs @ probe)[idx] if idx.size * 4 > len(r) else r.vecs[idx] @ probe
    d = block.delta
    keep = np.flatnonzero(s >= threshold - d)
    if keep.size > k:
        kth = np.partition(s[keep], keep.size - k)[keep.size - k]
        keep = keep[s[keep] >= kth - 2 * d]
    rows = keep if idx is None else idx[keep]
    return Part(r.ids[rows], s[keep], d)


def cut(parts: list[Part], threshold: float, k: int) -> list[str]:
    """Ids whose exact score may be in the top ``k`` at or above ``threshold``.

    With ``A`` the k-th best cached score and ``d`` the largest error, the k-th best
    exact score is at least ``A - d``, so a row of the answer reads at least ``A - 2d``.
    """
    parts = [p for p in parts if p.ids.size]
    if not parts:
        return []
    ids = np.concatenate([p.ids for p in parts])
    s = np.concatenate([p.scores for p in parts])
    d = max(p.delta for p in parts)
    if s.size > k:
        kth = float(np.partition(s, s.size - k)[s.size - k])
        ids = ids[s >= max(threshold - d, kth - 2 * d)]
    return [i.decode() for i in ids.tolist()]
