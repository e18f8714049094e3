"""The fetch loop every durable consumer runs (incidents, plates, section control,
integrations, device states): non-empty batches until asked to stop; a fetch that fails
(the bus down or restarting) is logged and tried again a second later, since the durable
group keeps the events meanwhile. What a batch means, and when it is acked, stays with
the consumer."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

from kuzet.events.base import Delivery, Subscription

log = logging.getLogger(__name__)


def batches(
    sub: Subscription, stop: threading.Event, name: str, *, max_n: int = 500, wait_s: float = 0.2
) -> Iterator[list[Delivery]]:
    while not stop.is_set():
        try:
            got = sub.fetch(max_n, wait_s)
        except Exception as exc:
            if stop.is_set():  # the bus closing under us at shutdown
                return
            log.warning("%s: bus fetch failed: %s", name, exc)
            stop.wait(1.0)
            continue
        if got:
            yield got
