"""One lane's traffic over one time bin, kept as sums so bins add up exactly.

A 1-minute bin holds counts, speed sums, observed/occupied seconds and queue
integrals; 5- and 15-minute figures are sums of those (:func:`rollup`), so a mean
speed or an occupancy over 15 minutes is the true one, never a mean of means.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class LaneBin:
    counts: dict[str, int] = field(default_factory=dict)  # vehicles that entered, by class
    speed_n: int = 0  # vehicles with a measured speed (calibrated scenes)
    speed_sum_kmh: float = 0.0
    observed_s: float = 0.0  # seconds of the bin the camera was analysed
    occupied_s: float = 0.0  # of those, seconds with a vehicle in the lane
    queue_veh_s: float = 0.0  # integral of stopped vehicles over time
    queue_max_veh: int = 0
    queue_max_m: float | None = None  # needs the calibration and the lane's head point

    @property
    def count(self) -> int:
        return sum(self.counts.values())

    def add(self, other: LaneBin) -> None:
        for k, v in other.counts.items():
            self.counts[k] = self.counts.get(k, 0) + v
        self.speed_n += other.speed_n
        self.speed_sum_kmh += other.speed_sum_kmh
        self.observed_s += other.observed_s
        self.occupied_s += other.occupied_s
        self.queue_veh_s += other.queue_veh_s
        self.queue_max_veh = max(self.queue_max_veh, other.queue_max_veh)
        if other.queue_max_m is not None:
            self.queue_max_m = max(self.queue_max_m or 0.0, other.queue_max_m)

    def sums(self) -> dict[str, Any]:
        """What is stored (the sums; everything else derives from them)."""
        return {
            "counts": dict(sorted(self.counts.items())),
            "speed_n": self.speed_n,
            "speed_sum_kmh": round(self.speed_sum_kmh, 3),
            "observed_s": round(self.observed_s, 3),
            "occupied_s": round(self.occupied_s, 3),
            "queue_veh_s": round(self.queue_veh_s, 3),
            "queue_max_veh": self.queue_max_veh,
            "queue_max_m": None if self.queue_max_m is None else round(self.queue_max_m, 2),
        }

    @classmethod
    def from_sums(cls, d: dict[str, Any]) -> LaneBin:
        return cls(
            counts={str(k): int(v) for k, v in (d.get("counts") or {}).items()},
            speed_n=int(d.get("speed_n", 0)),
            speed_sum_kmh=float(d.get("speed_sum_kmh", 0.0)),
            observed_s=float(d.get("observed_s", 0.0)),
            occupied_s=float(d.get("occupied_s", 0.0)),
            queue_veh_s=float(d.get("queue_veh_s", 0.0)),
            queue_max_veh=int(d.get("queue_max_veh", 0)),
            queue_max_m=None if d.get("queue_max_m") is None else float(d["queue_max_m"]),
        )

    def figures(self) -> dict[str, Any]:
        """What an analyst reads: count, mean speed, occupancy, queue."""
        obs = self.observed_s
        return {
            "count": self.count,
            "counts": dict(sorted(self.counts.items())),
            "mean_speed_kmh": (
                round(self.speed_sum_kmh / self.speed_n, 2) if self.speed_n else None
            ),
            "speed_n": self.speed_n,
            "occupancy": round(self.occupied_s / obs, 4) if obs > 0 else None,
            "queue_mean_veh": round(self.queue_veh_s / obs, 3) if obs > 0 else None,
            "queue_max_veh": self.queue_max_veh,
            "queue_max_m": self.queue_max_m,
            "observed_s": round(obs, 3),
        }


def rollup(rows: list[tuple[float, LaneBin]], bin_s: int) -> list[tuple[float, LaneBin]]:
    """Minute bins ``(start epoch s, bin)`` summed into ``bin_s`` bins aligned on the
    epoch (UTC: 5 and 15 minutes start on the quarter hour), sorted by start."""
    out: dict[float, LaneBin] = {}
    for start, b in rows:
        key = float(int(start // bin_s) * bin_s)
        out.setdefault(key, LaneBin()).add(b)
    return sorted(out.items())
