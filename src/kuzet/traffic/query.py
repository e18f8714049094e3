"""What the API reads: lane figures per 1/5/15-minute bin, OD matrices, the series a
forecast is made from. Minute rows are summed here (:func:`~kuzet.traffic.stats.rollup`)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from kuzet.traffic.stats import LaneBin, rollup
from kuzet.traffic.tables import TrafficBinRow, TrafficOdRow

BIN_SIZES = (60, 300, 900)


@dataclass(frozen=True, slots=True)
class Where:
    since: int  # epoch seconds
    until: int
    camera: str | None = None
    approach: str | None = None
    lane: str | None = None
    segment: str | None = None
    cameras: Collection[str] | None = None  # the caller's scope; None: every camera


def _rows(engine: Engine, w: Where) -> list[TrafficBinRow]:
    q = select(TrafficBinRow).where(
        TrafficBinRow.bin_start >= w.since, TrafficBinRow.bin_start < w.until
    )
    for col, val in (
        (TrafficBinRow.camera_id, w.camera),
        (TrafficBinRow.approach, w.approach),
        (TrafficBinRow.lane, w.lane),
        (TrafficBinRow.segment, w.segment),
    ):
        if val is not None:
            q = q.where(col == val)
    if w.cameras is not None:
        q = q.where(TrafficBinRow.camera_id.in_(list(w.cameras)))
    with Session(engine) as s:
        return list(s.scalars(q.order_by(TrafficBinRow.bin_start)))


def _bin(r: TrafficBinRow) -> LaneBin:
    return LaneBin(
        counts=dict(r.counts), speed_n=r.speed_n, speed_sum_kmh=r.speed_sum_kmh,
        observed_s=r.observed_s, occupied_s=r.occupied_s, queue_veh_s=r.queue_veh_s,
        queue_max_veh=r.queue_max_veh, queue_max_m=r.queue_max_m,
    )  # fmt: skip


def series(engine: Engine, w: Where, bin_s: int) -> list[dict[str, Any]]:
    """Figures per bin over the chosen lanes. Over several lanes counts add up;
    occupancy and mean queue are per-lane averages, maxima the largest lane's."""
    if bin_s not in BIN_SIZES:
        raise ValueError(f"bin_s must be one of {BIN_SIZES}")
    rows = [(float(r.bin_start), _bin(r)) for r in _rows(engine, w)]
    return [{"start": int(start), **b.figures()} for start, b in rollup(rows, bin_s)]


def layout(engine: Engine, cameras: Collection[str] | None) -> list[dict[str, str]]:
    """Every (camera, approach, lane, segment) that has figures."""
    q = select(
        TrafficBinRow.camera_id, TrafficBinRow.approach, TrafficBinRow.lane, TrafficBinRow.segment
    ).distinct()
    if cameras is not None:
        q = q.where(TrafficBinRow.camera_id.in_(list(cameras)))
    with Session(engine) as s:
        rows = s.execute(q).all()
    return [
        {"camera": c, "approach": a, "lane": ln, "segment": seg} for c, a, ln, seg in sorted(rows)
    ]


def od(
    engine: Engine,
    since: int,
    until: int,
    cameras: Collection[str] | None,
    per_bin: bool = False,
) -> list[dict[str, Any]]:
    """Trips between cameras in the period (both ends in the caller's scope), summed over
    it, or one matrix per OD time bin (``bin_start``, by arrival) with ``per_bin``."""
    keys: list[Any] = [TrafficOdRow.origin, TrafficOdRow.destination]
    if per_bin:
        keys = [TrafficOdRow.bin_start, *keys]
    q = (
        select(*keys, func.sum(TrafficOdRow.trips), func.sum(TrafficOdRow.travel_s_sum))
        .where(TrafficOdRow.bin_start >= since, TrafficOdRow.bin_start < until)
        .group_by(*keys)
    )
    if cameras is not None:
        allowed = list(cameras)
        q = q.where(TrafficOdRow.origin.in_(allowed), TrafficOdRow.destination.in_(allowed))
    with Session(engine) as s:
        rows = s.execute(q).all()
    out = []
    for row in sorted(rows):
        *key, n, t = row
        if not n:
            continue
        item: dict[str, Any] = {"bin_start": int(key[0])} if per_bin else {}
        item |= {"origin": key[-2], "destination": key[-1], "trips": int(n),
                 "mean_travel_s": round(float(t) / n, 1)}  # fmt: skip
        out.append(item)
    return out


def quarter_series(
    engine: Engine, segment: str, until: int, days: int, metric: str,
    cameras: Collection[str] | None = None,
) -> tuple[int, np.ndarray]:  # fmt: skip
    """A segment's 15-minute series (``count`` or ``speed``) ending before ``until``
    (a quarter-hour edge), gaps filled linearly; ``(start, values)``, empty if none."""
    since = until - days * 86400
    rows = series(engine, Where(since, until, segment=segment, cameras=cameras), 900)
    key = "count" if metric == "count" else "mean_speed_kmh"
    pts = [(r["start"], r[key]) for r in rows if r["observed_s"] > 0 and r[key] is not None]
    if not pts:
        return until, np.empty(0)
    start = pts[0][0]
    n = (until - start) // 900
    x = np.array([(t - start) // 900 for t, _ in pts], np.float64)
    y = np.array([v for _, v in pts], np.float64)
    return start, np.interp(np.arange(n, dtype=np.float64), x, y)
