"""Weekly schedules in local time with whole-day holidays."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from kuzet.config.rules import WEEKDAYS, ScheduleConfig


class Schedule:
    """``active(wall_time)`` for one configured schedule.

    A window with ``end <= start`` belongs to the day it starts and runs past midnight;
    ``start == end`` is a whole day. Holidays are whole local dates and take precedence.
    """

    def __init__(self, cfg: ScheduleConfig) -> None:
        self.cfg = cfg
        self.tz = ZoneInfo(cfg.timezone)
        self._holidays = set(cfg.holidays)
        self._windows = [
            (frozenset(WEEKDAYS.index(d) for d in w.days), w.start, w.end) for w in cfg.windows
        ]
        self._cache_key: int | None = None
        self._cache_val = False

    def active(self, wall_time: float) -> bool:
        key = int(wall_time)  # a schedule has minute resolution; one answer per second
        if key != self._cache_key:
            self._cache_key, self._cache_val = key, self._active(wall_time)
        return self._cache_val

    def _active(self, wall_time: float) -> bool:
        local = datetime.fromtimestamp(wall_time, self.tz)
        today: date = local.date()
        if today in self._holidays and self.cfg.on_holidays != "weekly":
            return self.cfg.on_holidays == "active"
        t = local.time().replace(tzinfo=None)
        dow = today.weekday()
        yesterday = (today - timedelta(days=1)).weekday()
        for days, start, end in self._windows:
            if start < end:
                if dow in days and start <= t < end:
                    return True
            elif (dow in days and t >= start) or (yesterday in days and t < end and end != start):
                return True
        return False
