"""Per-watchlist thresholds from a target false-alert rate and the list's size.

One search of a face against a list of N people compares it with N templates; if a
stranger's score passes the threshold ``t`` with probability FMR(t) per comparison,
the expected false alerts per search are ~ N x FMR(t). A list asks for at most
``target`` false alerts per search, so its threshold is the lowest ``t`` with
FMR(t) <= target / N: a 10,000-person list needs a stricter threshold than a 10-person one.

FMR(t) is read from the **measured** impostor scores of the embedder in use
(``data/impostors.json``, written by ``bench/face_embedders.py --write`` from the
tuning identities; the reporting identities are kept out). Where target / N is below
what those pairs can measure (1 / pairs), the tail is extrapolated beyond the highest
measured score (an exponential whose slope is fitted to the top 5 % of the impostor
scores) and the answer says so: ``measured=False``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "data" / "impostors.json"
TAIL = 0.05  # share of the highest impostor scores the tail's slope is fitted to


class CalibrationError(ValueError):
    pass


@dataclass(frozen=True)
class ListThreshold:
    threshold: float
    embedder: str
    list_size: int
    target_false_alerts: float  # per search, asked for
    fmr: float  # per comparison at the threshold (measured or extrapolated)
    expected_false_alerts: float  # per search: list_size x fmr
    measured: bool  # False: beyond the measured pairs, read from the fitted tail
    pairs: int  # impostor pairs behind the distribution

    @property
    def reachable(self) -> bool:
        """False: even the strictest threshold (0.9999) lets more false alerts through
        than asked: the embedder cannot serve a list this size at this target."""
        return self.expected_false_alerts <= self.target_false_alerts * (1 + 1e-9)

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "reachable": self.reachable}

    def explain(self) -> str:
        how = "measured" if self.measured else "extrapolated beyond the measured pairs"
        if not self.reachable:
            return (
                f"target not reachable with {self.embedder}: even at threshold "
                f"{self.threshold:.4f} a stranger passes one comparison with probability "
                f"{self.fmr:.2e} ({how}); x {self.list_size} people = "
                f"{self.expected_false_alerts:.2g} expected false alerts per search (target "
                f"{self.target_false_alerts:g}). Use a smaller list, a looser target or a "
                f"stronger embedder"
            )
        return (
            f"threshold {self.threshold:.4f}: a stranger passes one comparison with "
            f"probability {self.fmr:.2e} ({how}, {self.pairs} impostor pairs of "
            f"{self.embedder}); x {self.list_size} people = {self.expected_false_alerts:.2g} "
            f"expected false alerts per search (target {self.target_false_alerts:g})"
        )


@cache
def impostor_scores(embedder: str) -> np.ndarray:
    """The measured impostor scores of ``embedder``, sorted ascending."""
    data = json.loads(DATA.read_text())
    if embedder not in data:
        raise CalibrationError(
            f"no measured impostor scores for embedder {embedder!r} (known: "
            f"{', '.join(sorted(data))}); run bench/face_embedders.py --write"
        )
    return np.sort(np.asarray(data[embedder]["scores"], np.float64))


def _tail(scores: np.ndarray) -> tuple[float, float, float]:
    """(s0, p0, beta): P(score >= t) ~ p0 exp(-(t - s0) / beta) for t above the highest
    measured score s0 (p0 = 1 / n there: continuous with the measured share); beta is
    the exponential fit (mean excess) of the top ``TAIL`` share of the scores."""
    k = max(10, int(len(scores) * TAIL))
    top = scores[-k:]
    beta = max(float(np.mean(top - top[0])), 1e-6)
    return float(scores[-1]), 1 / len(scores), beta


def fmr_at(embedder: str, threshold: float) -> tuple[float, bool]:
    """(share of impostor comparisons at or above ``threshold``, measured?)."""
    return tail_fmr(impostor_scores(embedder), threshold)


def threshold_for_fmr(scores: np.ndarray, fmr: float) -> tuple[float, bool]:
    """(lowest threshold whose share of ``scores`` (sorted) at or above it is <= fmr,
    measured?): below 1 / len(scores) the fitted exponential tail answers."""
    k = int(np.floor(fmr * len(scores)))  # impostor scores allowed at or above t
    if k >= len(scores):
        return float(scores[0]), True
    if k >= 1:
        return float(np.nextafter(scores[len(scores) - k - 1], np.inf)), True
    s0, p0, beta = _tail(scores)
    t = s0 + beta * float(np.log(p0 / fmr))
    return max(t, float(np.nextafter(scores[-1], np.inf))), False


def tail_fmr(scores: np.ndarray, threshold: float) -> tuple[float, bool]:
    """Share of ``scores`` (sorted) at or above ``threshold``, from the fitted tail
    where none is (measured?)."""
    n_above = len(scores) - int(np.searchsorted(scores, threshold, side="left"))
    if n_above > 0:
        return n_above / len(scores), True
    s0, p0, beta = _tail(scores)
    return float(p0 * np.exp(-(threshold - s0) / beta)), False


def list_threshold(embedder: str, list_size: int, target_false_alerts: float) -> ListThreshold:
    """The lowest threshold with list_size x FMR(t) <= target_false_alerts."""
    if not 0 < target_false_alerts <= 1:
        raise CalibrationError("target false alerts per search must be in (0, 1]")
    n = max(int(list_size), 1)
    s = impostor_scores(embedder)
    t, _ = threshold_for_fmr(s, target_false_alerts / n)
    up = float(np.ceil(t * 1e6) / 1e6)  # rounded up: never looser
    t = min(up if up >= t else up + 1e-6, 0.9999)
    got, measured = tail_fmr(s, t)
    return ListThreshold(t, embedder, n, target_false_alerts, got, n * got, measured, len(s))
