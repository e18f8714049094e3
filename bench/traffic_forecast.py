"""Traffic forecast scores: MAE and MASE of the model (statsforecast MFLES) against naive
and seasonal-naive, 15-60 minutes ahead, on a held-out period.

DATA: SYNTHETIC. No recorded traffic-count data set ships in any installable package,
so the series come from ``kuzet.traffic.synthetic`` (daily + weekly seasonality,
day-level log-normal AR(1) noise, Poisson counts; speed from a BPR-shaped curve plus
Gaussian noise; see its docstring). Every figure printed is labelled synthetic.

    .venv/bin/python bench/traffic_forecast.py              # 3 segments, 28 days, last 7 held out
    .venv/bin/python bench/traffic_forecast.py --every 1    # an origin every 15 minutes
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from kuzet.traffic.forecast import BASELINES, MODEL, PER_DAY, Scores, predict, score
from kuzet.traffic.synthetic import generate

SEGMENTS = [("synthetic-arterial", 1.0, 0), ("synthetic-collector", 0.45, 1),
            ("synthetic-highway", 2.2, 2)]  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--days", type=int, default=28, help="length of each series (days)")
    ap.add_argument("--test-days", type=int, default=7, help="held-out period at the end")
    ap.add_argument("--every", type=int, default=4, help="bins between forecast origins")
    ap.add_argument("--quick", action="store_true", help="a small run: checks that it runs")
    args = ap.parse_args()
    if args.quick:
        args.days, args.test_days, args.every = 14, 2, 24
    print("DATA: SYNTHETIC series (kuzet.traffic.synthetic), not recorded traffic counts")
    print(f"{args.days} days of 15-min bins per segment, last {args.test_days} days held out, "
          f"an origin every {args.every * 15} min, horizons 15/30/45/60 min")  # fmt: skip
    t = time.perf_counter()
    predict(generate(days=3).counts)  # first call pays statsforecast's import (~0.6 s)
    print(f"first forecast incl. import: {time.perf_counter() - t:.2f} s")
    methods = (MODEL, *BASELINES)
    totals: dict[str, dict[str, list[float]]] = {"count": {}, "speed": {}}
    for name, level, seed in SEGMENTS:
        s = generate(name, args.days, level=level, capacity=200.0 * level, seed=seed)
        for metric, y in (("count", s.counts), ("speed", s.speed_kmh)):
            t = time.perf_counter()
            sc: Scores = score(y, args.test_days * PER_DAY, every=args.every)
            dt = time.perf_counter() - t
            print(f"\n[synthetic] {name} {metric}: {sc.n_origins} origins, "
                  f"MASE scale {sc.scale:.2f}, {dt / sc.n_origins * 1000:.0f} ms per origin "
                  "(three methods)")  # fmt: skip
            print(f"  {'method':<16}{'MAE':>8}{'MASE':>8}   MAE at +15/+30/+45/+60 min")
            for m in methods:
                steps = " ".join(f"{v:6.2f}" for v in sc.mae_by_step[m])
                print(f"  {m:<16}{sc.mae[m]:8.2f}{sc.mase[m]:8.3f}   {steps}")
                totals[metric].setdefault(m, []).append(sc.mase[m])
    print("\n[synthetic] mean MASE over segments")
    for metric, by in totals.items():
        row = "  ".join(f"{m} {np.mean(v):.3f}" for m, v in by.items())
        print(f"  {metric:<6} {row}")


if __name__ == "__main__":
    main()
