"""A SYNTHETIC traffic-count series for the forecast's tests and benchmark.

No recorded traffic-count data set ships in any package this project can install
(docs/traffic.md says what was looked for), so the forecast is scored on this
generator, and every figure measured on it says "synthetic". What it puts in:

* daily seasonality: a night floor, a morning peak (08:00, sd 1.2 h) and an evening
  peak (18:00, sd 1.5 h) over a day-time plateau, in vehicles per 15 minutes;
* weekly seasonality: Saturday 0.8 and Sunday 0.65 of a weekday's level, with the
  morning peak flattened at weekends;
* noise: a day-level factor (log-normal, sd 0.08, AR(1) with 0.5 across days: weather,
  events) and Poisson counting noise on each 15-minute bin;
* speed: free-flow speed slowed by volume (a BPR-shaped curve, ``v = vf / (1 + (q/c)^4)``,
  c = 200 vehicles per 15 min) plus Gaussian noise (sd 2 km/h).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STEP_S = 900  # 15-minute bins
PER_DAY = 86400 // STEP_S


@dataclass(frozen=True, slots=True)
class Series:
    segment: str
    start: int  # epoch seconds of the first bin (a UTC midnight, a Monday)
    counts: np.ndarray  # vehicles per bin
    speed_kmh: np.ndarray  # mean speed per bin


def _profile(hours: np.ndarray, weekend: np.ndarray) -> np.ndarray:
    night = 8.0
    day = 60.0 / (1 + np.exp(-(hours - 6.5) * 2)) * (1 - 1 / (1 + np.exp(-(hours - 22) * 1.5)))
    am = np.where(weekend, 20.0, 110.0) * np.exp(-0.5 * ((hours - 8.0) / 1.2) ** 2)
    pm = 95.0 * np.exp(-0.5 * ((hours - 18.0) / 1.5) ** 2)
    return night + day + am + pm


def generate(
    segment: str = "synthetic-1",
    days: int = 28,
    *,
    level: float = 1.0,
    free_flow_kmh: float = 60.0,
    capacity: float = 200.0,
    seed: int = 0,
) -> Series:
    """``days`` of 15-minute bins starting on a Monday (2027-01-04 00:00 UTC)."""
    rng = np.random.default_rng(seed)
    start = 1_799_020_800  # 2027-01-04, a Monday, 00:00 UTC
    n = days * PER_DAY
    k = np.arange(n)
    hours = (k % PER_DAY) * STEP_S / 3600
    dow = (k // PER_DAY) % 7  # 0 = Monday
    weekend = dow >= 5
    week = np.select([dow == 5, dow == 6], [0.8, 0.65], 1.0)
    z = np.zeros(days)
    for d in range(days):
        z[d] = (0.5 * z[d - 1] if d else 0.0) + rng.normal(0.0, 0.08)
    day_factor = np.exp(z)[k // PER_DAY]
    mean = level * _profile(hours, weekend) * week * day_factor
    counts = rng.poisson(mean).astype(np.float64)
    speed = free_flow_kmh / (1 + (counts / capacity) ** 4) + rng.normal(0.0, 2.0, n)
    return Series(segment, start, counts, np.round(speed, 2))
