"""Config ``bus.type`` -> implementation, through the shared registry pattern."""

from __future__ import annotations

from typing import Any

from kuzet.config.models import MemoryBusConfig, NatsBusConfig
from kuzet.core import Registry
from kuzet.events.base import Bus

BUSES: Registry[Bus] = Registry("bus")


@BUSES.register("memory")
def _memory(cfg: MemoryBusConfig, **kwargs: Any) -> Bus:
    from kuzet.events.memory import MemoryBus

    return MemoryBus(cfg.max_pending, **kwargs)


@BUSES.register("nats")
def _nats(cfg: NatsBusConfig, **kwargs: Any) -> Bus:
    try:
        from kuzet.events.jetstream import NatsBus
        from kuzet.events.stream_limits import StreamLimits
    except ImportError as exc:  # optional dependency
        raise RuntimeError("bus type 'nats' needs nats-py: install kuzet[nats]") from exc
    return NatsBus(
        cfg.servers,
        stream=cfg.stream,
        subject_prefix=cfg.subject_prefix,
        limits=StreamLimits.of(cfg),
        **kwargs,
    )


def create_bus(cfg: MemoryBusConfig | NatsBusConfig, **kwargs: Any) -> Bus:
    """Build the bus the site file asks for; ``kwargs`` tune it (e.g. ``ack_wait``)."""
    return BUSES.create(cfg.type, cfg, **kwargs)
