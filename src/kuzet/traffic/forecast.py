"""Counts and speed 15-60 minutes ahead per road segment (``statsforecast``), and how
good that is: MAE and MASE on a held-out period against naive and seasonal-naive.

Series are 15-minute bins. The model is statsforecast's MFLES (a gradient-boosted
decomposition: trend, daily and, given two weeks, weekly seasonality), chosen on
the SYNTHETIC series of :mod:`kuzet.traffic.synthetic` over MSTL+SES (worse on counts)
and MSTL+ETS with a weekly season (about ten times slower to fit); docs/traffic.md has
the figures. Scoring is rolling-origin over the held-out period: at each origin the
model is fitted on everything before it and forecasts the next four bins, exactly as
the API does for each request. MASE divides by the in-sample MAE of the daily
seasonal-naive forecast (m = 96) over the training period. ``statsforecast`` is
imported on first use only (2-3 s and ~230 MB with pandas; docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

STEP_S = 900
PER_DAY = 96
PER_WEEK = 7 * PER_DAY
HORIZON = 4  # 15, 30, 45, 60 minutes
MODEL = "mfles"
BASELINES = ("naive", "seasonal_naive")


def _model(n: int) -> Any:
    from statsforecast.models import MFLES

    seasons = [PER_DAY, PER_WEEK] if n >= 2 * PER_WEEK else [PER_DAY]
    return MFLES(season_length=seasons)


def _baseline(name: str) -> Any:
    from statsforecast.models import Naive, SeasonalNaive

    return Naive() if name == "naive" else SeasonalNaive(season_length=PER_DAY)


@dataclass(frozen=True, slots=True)
class Forecast:
    start: int  # epoch seconds of the first forecast bin
    mean: list[float]
    model: str = MODEL


def predict(y: np.ndarray, h: int = HORIZON, method: str = MODEL) -> np.ndarray:
    """The next ``h`` values of ``y`` by ``method`` (the model or a baseline)."""
    y = np.asarray(y, np.float64)
    m = _model(len(y)) if method == MODEL else _baseline(method)
    out = np.asarray(m.forecast(y=y, h=h)["mean"], np.float64)
    return np.maximum(out, 0.0)  # neither counts nor speeds go below zero


def forecast(start: int, y: np.ndarray, h: int = HORIZON) -> Forecast:
    """The next ``h`` bins after a series of 15-minute bins beginning at ``start``.
    Needs two days; gaps must have been filled by the caller."""
    if len(y) < 2 * PER_DAY:
        raise ValueError(f"a forecast needs two days of 15-minute bins, got {len(y)}")
    return Forecast(start + STEP_S * len(y), [float(v) for v in predict(y, h)])


@dataclass(slots=True)
class Scores:
    """MAE and MASE per method, overall and per horizon step (15..60 min)."""

    n_origins: int
    mae: dict[str, float] = field(default_factory=dict)
    mase: dict[str, float] = field(default_factory=dict)
    mae_by_step: dict[str, list[float]] = field(default_factory=dict)
    scale: float = 0.0  # in-sample MAE of the daily seasonal naive


def mase_scale(train: np.ndarray, m: int = PER_DAY) -> float:
    train = np.asarray(train, np.float64)
    if len(train) <= m:
        raise ValueError(f"MASE needs more than {m} training bins")
    return float(np.mean(np.abs(train[m:] - train[:-m])))


def score(
    y: np.ndarray,
    test_bins: int,
    h: int = HORIZON,
    every: int = 1,
    methods: tuple[str, ...] = (MODEL, *BASELINES),
    fit: Callable[[np.ndarray, int, str], np.ndarray] = predict,
) -> Scores:
    """Rolling-origin scores over the last ``test_bins`` bins (the held-out period):
    an origin every ``every`` bins, each fitted on all bins before it."""
    y = np.asarray(y, np.float64)
    n_train = len(y) - test_bins
    if n_train < 2 * PER_DAY or test_bins < h:
        raise ValueError("need two days of training bins and a held-out period of h bins")
    origins = list(range(n_train, len(y) - h + 1, every))
    scale = mase_scale(y[:n_train])
    out = Scores(n_origins=len(origins), scale=scale)
    for name in methods:
        err = np.array([np.abs(fit(y[:o], h, name) - y[o : o + h]) for o in origins])
        out.mae[name] = float(err.mean())
        out.mase[name] = float(err.mean() / scale)
        out.mae_by_step[name] = [float(v) for v in err.mean(axis=0)]
    return out
