"""Device health: last seen, offline when silent past its heartbeat, online again, battery.

Pure state (no threads, no I/O): the gateway calls :meth:`Health.seen` on every accepted
message and :meth:`Health.check` on a timer, and publishes the events they return.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from kuzet.core.event import Event, event_id
from kuzet.core.records import DeviceInfo
from kuzet.devices.events import device_event, message_event_id
from kuzet.devices.mapping import DeviceMessage

BATTERY_HYSTERESIS = 5  # % above the low mark before a new "low" may be raised


@dataclass(slots=True)
class _State:
    last_seen: float
    online: bool | None
    battery: int | None
    battery_low: bool = False
    offline_event: str | None = None  # id of the device_offline that is open


def _dt(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


class Health:
    def __init__(self, devices: list[DeviceInfo], now: float) -> None:
        """A device never heard counts from ``now`` (the gateway's start)."""
        self._lock = threading.Lock()
        self._state: dict[str, _State] = {}
        self._dirty: set[str] = set()
        for d in devices:
            seen = max(d.last_seen.timestamp(), now) if d.last_seen else now
            self._state[d.id] = _State(seen, d.online, d.battery)

    def seen(self, dev: DeviceInfo, msg: DeviceMessage, at: float, source: str) -> list[Event]:
        """The device spoke: online again (event) when it was offline, battery low (event)."""
        out: list[Event] = []
        with self._lock:
            st = self._state.setdefault(dev.id, _State(at, None, None))
            st.last_seen = max(st.last_seen, at)
            if st.online is False:
                out.append(
                    device_event(
                        dev, "device_online", ts=_dt(at), source="health",
                        ev_id=event_id(dev.id, "device_online", st.offline_event),
                        extra={"offline_event": st.offline_event},
                    )
                )  # fmt: skip
            st.online, st.offline_event = True, None
            if msg.battery is not None:
                st.battery = msg.battery
                if msg.battery <= dev.battery_low and not st.battery_low:
                    st.battery_low = True
                    ev_id = message_event_id(dev.id, "device_battery_low", msg)
                    ts = msg.ts or _dt(at)
                    out.append(device_event(dev, "device_battery_low", ev_id=ev_id, ts=ts,
                                            source=source, msg=msg))  # fmt: skip
                elif msg.battery > dev.battery_low + BATTERY_HYSTERESIS:
                    st.battery_low = False
            self._dirty.add(dev.id)
        return out

    def check(self, devices: list[DeviceInfo], now: float) -> list[Event]:
        """``device_offline`` for each device silent longer than its ``heartbeat_s``."""
        out: list[Event] = []
        with self._lock:
            for dev in devices:
                if dev.heartbeat_s is None or not dev.enabled:
                    continue
                st = self._state.setdefault(dev.id, _State(now, None, None))
                if st.online is False or now - st.last_seen <= dev.heartbeat_s:
                    continue
                last = _dt(st.last_seen).isoformat()
                st.online = False
                st.offline_event = event_id(dev.id, "device_offline", last)
                out.append(
                    device_event(
                        dev, "device_offline", ev_id=st.offline_event, ts=_dt(now),
                        source="health",
                        extra={"last_seen": last, "silent_s": round(now - st.last_seen, 1)},
                    )
                )  # fmt: skip
                self._dirty.add(dev.id)
        return out

    def offline_count(self) -> int:
        with self._lock:
            return sum(1 for s in self._state.values() if s.online is False)

    def take_changes(self) -> dict[str, tuple[datetime | None, bool | None, int | None]]:
        """What changed since the last call: (last seen, online, battery) per device."""
        with self._lock:
            out: dict[str, tuple[datetime | None, bool | None, int | None]] = {
                i: (_dt(s.last_seen), s.online, s.battery)
                for i in self._dirty
                if (s := self._state.get(i)) is not None
            }
            self._dirty.clear()
        return out
