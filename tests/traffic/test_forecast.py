"""Forecast scoring on a held-out split (SYNTHETIC series from kuzet.traffic.synthetic:
no recorded traffic counts ship in any package)."""

from __future__ import annotations

import numpy as np
import pytest

from kuzet.traffic.forecast import PER_DAY, forecast, mase_scale, score
from kuzet.traffic.synthetic import generate


def test_scores_of_known_errors_on_a_held_out_split() -> None:
    y = np.arange(4 * PER_DAY, dtype=np.float64)  # a ramp: naive is off by k at step k
    s = score(y, test_bins=PER_DAY, every=8, methods=("naive", "seasonal_naive"))
    assert s.n_origins == len(range(3 * PER_DAY, 4 * PER_DAY - 3, 8))
    assert s.mae_by_step["naive"] == pytest.approx([1.0, 2.0, 3.0, 4.0])
    assert s.mae["naive"] == pytest.approx(2.5)
    assert s.scale == pytest.approx(PER_DAY)  # in-sample seasonal naive (m=96) on a ramp
    assert s.mase["naive"] == pytest.approx(2.5 / PER_DAY)
    assert s.mae["seasonal_naive"] == pytest.approx(PER_DAY)  # a day behind on a ramp


def test_held_out_values_are_never_seen_by_the_fit() -> None:
    y = np.arange(3 * PER_DAY, dtype=np.float64)
    seen: list[int] = []

    def fit(hist: np.ndarray, h: int, name: str) -> np.ndarray:
        seen.append(len(hist))
        return np.zeros(h)

    score(y, test_bins=8, h=4, fit=fit, methods=("x",))
    n_train = len(y) - 8
    assert seen == [n_train + k for k in range(5)]  # origins walk through the held-out bins


def test_model_beats_both_baselines_on_the_synthetic_series() -> None:
    s = generate(days=9, seed=3)
    sc = score(s.counts, test_bins=PER_DAY, every=12)  # 8 origins over the last day
    assert sc.mase["mfles"] < sc.mase["naive"]
    assert sc.mase["mfles"] < sc.mase["seasonal_naive"]
    assert sc.scale == pytest.approx(mase_scale(s.counts[: 8 * PER_DAY]))


def test_forecast_needs_two_days_and_gives_four_quarters() -> None:
    s = generate(days=3)
    with pytest.raises(ValueError, match="two days"):
        forecast(s.start, s.counts[:PER_DAY])
    f = forecast(s.start, s.counts[: 2 * PER_DAY + 40])
    assert f.start == s.start + 900 * (2 * PER_DAY + 40)
    assert len(f.mean) == 4 and all(v >= 0 for v in f.mean)
