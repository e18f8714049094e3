"""The device registry: the site file's ``devices:`` kept in the store, with health.

Read side (:meth:`DeviceRegistry.get`, :meth:`DeviceRegistry.list`) is what the response
side and the UI use; the gateway writes last seen, online and battery through it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import delete, update
from sqlalchemy.orm import sessionmaker

from kuzet.config.devices import DeviceConfig
from kuzet.core.records import DeviceInfo
from kuzet.store import Store
from kuzet.store.tables import DeviceRow

__all__ = ["DeviceInfo", "DeviceRegistry", "device_info"]


def device_info(cfg: DeviceConfig) -> DeviceInfo:
    return DeviceInfo.model_validate(cfg.model_dump() | {"kind": cfg.kind.value})


class DeviceRegistry:
    """Devices in the store, cached in memory (the gateway's hot path reads the cache)."""

    def __init__(self, store: Store) -> None:
        self._maker = sessionmaker(store.engine, expire_on_commit=False)
        self._store = store
        self._lock = threading.Lock()
        self._cache: dict[str, DeviceInfo] = {d.id: d for d in store.list_devices()}

    def sync(self, devices: Iterable[DeviceConfig]) -> None:
        """Make the store hold the site file's devices, no others (health columns kept)."""
        now = datetime.now(UTC)
        devices = list(devices)
        with self._maker.begin() as s:
            s.execute(delete(DeviceRow).where(DeviceRow.id.not_in([d.id for d in devices])))
            for cfg in devices:
                info = device_info(cfg)
                values = info.model_dump(exclude={"last_seen", "online", "battery"})
                row = s.get(DeviceRow, cfg.id)
                if row is None:
                    s.add(DeviceRow(**values, created_at=now, updated_at=now))
                else:
                    for key, value in values.items():
                        setattr(row, key, value)
                    row.updated_at = now
        self.reload()

    def reload(self) -> None:
        with self._lock:
            self._cache = {d.id: d for d in self._store.list_devices()}

    def get(self, device_id: str) -> DeviceInfo | None:
        return self._cache.get(device_id)

    def list(self, *, kind: str | None = None) -> list[DeviceInfo]:
        return [d for d in self._cache.values() if kind is None or d.kind == kind]

    def record_health(
        self, changes: dict[str, tuple[datetime | None, bool | None, int | None]]
    ) -> None:
        """Write (last seen, online, battery) of several devices: one executemany (a
        round of 10,000 devices must not hold the database long: the event sink waits)."""
        if not changes:
            return
        with self._maker.begin() as s:
            s.execute(
                update(DeviceRow),
                [
                    {"id": i, "last_seen": seen, "online": online, "battery": battery}
                    for i, (seen, online, battery) in changes.items()
                ],
            )
        with self._lock:
            for device_id, (seen, online, battery) in changes.items():
                if (d := self._cache.get(device_id)) is not None:
                    upd = {"last_seen": seen, "online": online, "battery": battery}
                    self._cache[device_id] = d.model_copy(update=upd)
