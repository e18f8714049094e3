"""The event bus between pipelines and consumers (store sink, live viewers)."""

from kuzet.events.base import Bus, BusClosed, Delivery, Subscription
from kuzet.events.batches import batches
from kuzet.events.factory import BUSES, create_bus
from kuzet.events.memory import MemoryBus

__all__ = [
    "BUSES",
    "Bus",
    "BusClosed",
    "Delivery",
    "MemoryBus",
    "Subscription",
    "batches",
    "create_bus",
]
