"""Average speed over a road section: two cameras, one plate, distance over time.

Pure logic over ``plate_read`` events (the plates contract): a read at a section's
``from_camera`` waits for a read of the same plate at its ``to_camera``; the pair gives
``speed = distance_m / (t_to - t_from)``. Reads may arrive in either order (two cameras'
events interleave on the bus), so a read at the end of a section also waits for its
start. Each read is used once per section; the start read paired with an end read is the
latest one before it.

Uncertainty (k = 2, about 95 %): the travel time's error combines each camera's clock
error against the reference clock (``clock_error_s``, twice) and when on its way past the
camera the plate was read (``read_jitter_s``, twice); the distance has its own
(``distance_error_m``). Relative errors add in quadrature:
``u(v)/v = sqrt((u_d/d)^2 + (u_t/t)^2)``.

State is bounded: reads unmatched after the section's ``max_travel_s`` (event time) are
forgotten, and at most ``max_pending`` reads are held (oldest dropped first).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

from kuzet.config.section import SectionConfig
from kuzet.core import Event, event_id

COVERAGE_K = 2.0


@dataclass(frozen=True, slots=True)
class Measured:
    """One matched pair's measurement (what the event carries)."""

    travel_s: float
    speed_kmh: float
    uncertainty_kmh: float


def measure(sec: SectionConfig, t_from: float, t_to: float) -> Measured:
    dt = t_to - t_from
    v = sec.distance_m / dt * 3.6
    u_t = math.sqrt(2 * sec.clock_error_s**2 + 2 * sec.read_jitter_s**2)
    rel = math.hypot(sec.distance_error_m / sec.distance_m, u_t / dt)
    return Measured(dt, v, COVERAGE_K * v * rel)


@dataclass(frozen=True, slots=True)
class _Read:
    t: float
    event: Event


class SectionControl:
    """Feed it plate reads in any order; it returns ``average_speed`` violations."""

    def __init__(self, sections: list[SectionConfig], max_pending: int = 100_000) -> None:
        self.sections = {s.name: s for s in sections}
        self.max_pending = max_pending
        self._starts: dict[str, list[SectionConfig]] = {}
        self._ends: dict[str, list[SectionConfig]] = {}
        for s in sections:
            self._starts.setdefault(s.from_camera, []).append(s)
            self._ends.setdefault(s.to_camera, []).append(s)
        # (side, section, plate) -> reads waiting for their other end, oldest key first
        self._pending: OrderedDict[tuple[str, str, str], list[_Read]] = OrderedDict()
        self._count = 0
        self._seen: OrderedDict[str, None] = OrderedDict()  # read ids fed (redelivery)
        self._newest = -math.inf

    @property
    def pending(self) -> int:
        """Reads held waiting for their other end."""
        return self._count

    def feed(self, ev: Event) -> list[Event]:
        if ev.type != "plate_read" or ev.id in self._seen:
            return []
        plate = ev.attributes.get("plate")
        if not isinstance(plate, str) or not plate:
            return []
        self._seen[ev.id] = None
        while len(self._seen) > self.max_pending:
            self._seen.popitem(last=False)
        read = _Read(ev.ts.timestamp(), ev)
        self._newest = max(self._newest, read.t)
        out: list[Event] = []
        for sec in self._starts.get(ev.camera_id, []):
            if self._class_ok(sec, ev):
                end = self._take(("end", sec.name, plate), read.t, sec, first=True)
                if end is None:
                    self._hold(("start", sec.name, plate), read)
                else:
                    out += self._judge(sec, read, end)
        for sec in self._ends.get(ev.camera_id, []):
            if self._class_ok(sec, ev):
                start = self._take(("start", sec.name, plate), read.t, sec, first=False)
                if start is None:
                    self._hold(("end", sec.name, plate), read)
                else:
                    out += self._judge(sec, start, read)
        self._expire()
        return out

    @staticmethod
    def _class_ok(sec: SectionConfig, ev: Event) -> bool:
        if sec.classes is None:
            return True
        cls = ev.attributes.get("vehicle_class") or ev.class_name
        return cls in sec.classes

    def _take(
        self, key: tuple[str, str, str], t: float, sec: SectionConfig, *, first: bool
    ) -> _Read | None:
        """The waiting read on the other side that pairs with a read at ``t``: for a start,
        the earliest end after it; for an end, the latest start before it."""
        reads = self._pending.get(key)
        if not reads:
            return None
        if first:
            fits = [r for r in reads if 0 < r.t - t <= sec.max_travel_s]
            pick = min(fits, key=lambda r: r.t) if fits else None
        else:
            fits = [r for r in reads if 0 < t - r.t <= sec.max_travel_s]
            pick = max(fits, key=lambda r: r.t) if fits else None
        if pick is None:
            return None
        reads.remove(pick)
        self._count -= 1
        if not reads:
            del self._pending[key]
        return pick

    def _hold(self, key: tuple[str, str, str], read: _Read) -> None:
        self._pending.setdefault(key, []).append(read)
        self._pending.move_to_end(key)
        self._count += 1

    def _expire(self) -> None:
        while self._pending:
            key, reads = next(iter(self._pending.items()))
            sec = self.sections[key[1]]
            if self._count <= self.max_pending and max(r.t for r in reads) >= (
                self._newest - sec.max_travel_s
            ):
                break
            del self._pending[key]
            self._count -= len(reads)

    def _judge(self, sec: SectionConfig, start: _Read, end: _Read) -> list[Event]:
        m = measure(sec, start.t, end.t)
        over = m.speed_kmh - (m.uncertainty_kmh if sec.beyond_uncertainty else 0.0)
        if over <= sec.limit_kmh:
            return []
        a, b = start.event, end.event
        attrs = {
            "violation": True,
            "vehicle_class": b.attributes.get("vehicle_class") or b.class_name,
            "plate": b.attributes.get("plate"),  # plate data: hidden without the clearance
            "section": sec.name,
            "from_camera": sec.from_camera,
            "to_camera": sec.to_camera,
            "distance_m": sec.distance_m,
            "t_from": a.ts.isoformat(),
            "t_to": b.ts.isoformat(),
            "travel_s": round(m.travel_s, 3),
            "speed_kmh": round(m.speed_kmh, 1),
            "speed_uncertainty_kmh": round(m.uncertainty_kmh, 1),
            "limit_kmh": sec.limit_kmh,
            "calibration": {
                "name": sec.name,
                "distance_m": sec.distance_m,
                "distance_error_m": sec.distance_error_m,
                "clock_error_s": sec.clock_error_s,
                "read_jitter_s": sec.read_jitter_s,
            },
            "from_event_id": a.id,
            "to_event_id": b.id,
            "from_track_id": a.track_id,
        }
        return [
            Event(
                id=event_id(sec.name, "average_speed", a.id, b.id),
                type="average_speed",
                camera_id=b.camera_id,
                ts=b.ts,
                pts=b.pts,
                phase="instant",
                rule=sec.name,
                track_id=b.track_id,
                class_name=b.class_name,
                score=b.score,
                box=b.box,
                attributes=attrs,
                snapshot=b.snapshot,
            )
        ]
