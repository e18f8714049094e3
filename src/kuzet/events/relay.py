"""JSON announcements between the processes of a city, each process's own left out.

The shares of per-process state (traffic-light reports, incident changes) send what
changed here and apply what the others sent. Every process hears its own announcements
too; they carry its origin so it does not apply them twice. A malformed one is counted
and logged, never raised on the bus's thread.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import ValidationError

from kuzet.events.base import Bus

log = logging.getLogger(__name__)

Apply = Callable[[str, dict[str, Any]], int]
"""Applies one announcement (key, body) from another process; returns the items applied.
Raises ValueError, KeyError, TypeError or a ValidationError on a malformed body."""


class Relay:
    def __init__(
        self, bus: Bus, topic: str, apply: Apply, keys: Sequence[str] | None = None
    ) -> None:
        self.bus, self.topic, self._apply = bus, topic, apply
        self.origin = uuid.uuid4().hex
        self.heard = 0  # items applied from other processes
        self.refused = 0  # malformed announcements
        self._stop = bus.listen(topic, self._heard, keys)

    def send(self, key: str, body: dict[str, Any]) -> None:
        self.bus.announce(self.topic, key, json.dumps({**body, "from": self.origin}).encode())

    def _heard(self, key: str, data: bytes) -> None:
        try:
            body = json.loads(data)
            if not isinstance(body, dict):
                raise TypeError(f"a JSON object expected, got {type(body).__name__}")
            if body.get("from") == self.origin:
                return
            self.heard += self._apply(key, body)
        except (ValueError, KeyError, TypeError, ValidationError) as exc:
            self.refused += 1
            log.warning("%s announcement for %s refused: %s", self.topic, key, exc)

    def close(self) -> None:
        self._stop()
