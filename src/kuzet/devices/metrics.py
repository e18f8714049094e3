"""Prometheus counters of the device gateway, on the process's registry (``/metrics``)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

NS = "kuzet"


class DeviceMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        r = registry if registry is not None else CollectorRegistry(auto_describe=True)
        self.registry = r
        self.messages = Counter(
            "device_messages", "Device messages received", ["source"], namespace=NS, registry=r
        )
        self.rejected = Counter(
            "device_rejected", "Device messages rejected (malformed, unknown device, ...)",
            ["source", "reason"], namespace=NS, registry=r,
        )  # fmt: skip
        self.duplicates = Counter(
            "device_duplicates", "Redelivered device messages not published again",
            ["source"], namespace=NS, registry=r,
        )  # fmt: skip
        self.events = Counter(
            "device_events", "Device events published on the bus", ["type"],
            namespace=NS, registry=r,
        )  # fmt: skip
        self.offline = Gauge("devices_offline", "Devices now offline", namespace=NS, registry=r)

    def value(self, name: str, **labels: str) -> float:
        """A counter's current value (0 when never incremented)."""
        got = self.registry.get_sample_value(f"{NS}_{name}_total", labels)
        return 0.0 if got is None else got
