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

from typing import Any

from kuzet.events.base import Bus
from kuzet.events.relay import Relay
from kuzet.incidents.engine import OpsEngine
from kuzet.incidents.model import Change, Incident, LogEntry

TOPIC = "incidents"
KEY = "changes"


class IncidentShare:
    def __init__(self, bus: Bus, engine: OpsEngine) -> None:
        self.engine = engine
        self.relay = Relay(bus, TOPIC, self._show, [KEY])
        engine.listen(self._announce)

    @property
    def heard(self) -> int:
        return self.relay.heard

    @property
    def refused(self) -> int:
        return self.relay.refused

    def _announce(self, changes: list[Change]) -> None:
        self.relay.send(KEY, {"changes": [
            {"incident": c.incident.model_dump(mode="json"),
             "log": None if c.log is None else c.log.model_dump(mode="json")}
            for c in changes
        ]})  # fmt: skip

    def _show(self, _key: str, body: dict[str, Any]) -> int:
        changes = [
            Change(
                Incident.model_validate(c["incident"]),
                None if c.get("log") is None else LogEntry.model_validate(c["log"]),
            )
            for c in body["changes"]
        ]
        self.engine.heard(changes)
        return len(changes)

    def close(self) -> None:
        self.engine.unlisten(self._announce)
        self.relay.close()
