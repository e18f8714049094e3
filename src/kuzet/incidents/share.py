"""Incident changes made by one process shown by all: the operators' live screens.

In a city several engines share the ``ops`` group (API replicas, the incident engine
actor, full shards): each event makes its incident in exactly one of them. An operator's
``/api/ws/ops`` socket is held by one API replica, whose hub used to push only its own
engine's changes; an incident the actor opened reached the screen on the next REST read.
This share relays every change an engine makes over the bus's announcements (core NATS,
outside the event stream: the incident itself is in PostgreSQL, this is only the push) to
the viewers of every other process, which filter it per operator as for their own.

Only viewers hear relayed changes: what acts on a change (evidence holds, webhooks) runs
in the process that made it, once.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from pydantic import ValidationError

from kuzet.events.base import Bus
from kuzet.incidents.engine import OpsEngine
from kuzet.incidents.model import Change, Incident, LogEntry

log = logging.getLogger(__name__)

TOPIC = "incidents"
KEY = "changes"


class IncidentShare:
    def __init__(self, bus: Bus, engine: OpsEngine) -> None:
        self.bus, self.engine = bus, engine
        self.origin = uuid.uuid4().hex  # its own changes come back: not shown twice
        self.heard = 0
        self.refused = 0
        self._stop = bus.listen(TOPIC, self._heard, [KEY])
        engine.listen(self._announce)

    def _announce(self, changes: list[Change]) -> None:
        body = {
            "from": self.origin,
            "changes": [
                {
                    "incident": c.incident.model_dump(mode="json"),
                    "log": None if c.log is None else c.log.model_dump(mode="json"),
                }
                for c in changes
            ],
        }
        self.bus.announce(TOPIC, KEY, json.dumps(body).encode())

    def _heard(self, _key: str, data: bytes) -> None:
        try:
            body: dict[str, Any] = json.loads(data)
            if body.get("from") == self.origin:
                return
            changes = [
                Change(
                    Incident.model_validate(c["incident"]),
                    None if c.get("log") is None else LogEntry.model_validate(c["log"]),
                )
                for c in body["changes"]
            ]
        except (ValueError, KeyError, TypeError, AttributeError, ValidationError) as exc:
            self.refused += 1
            log.warning("relayed incident change refused: %s", exc)
            return
        self.heard += len(changes)
        self.engine.heard(changes)

    def close(self) -> None:
        self.engine.unlisten(self._announce)
        self._stop()
