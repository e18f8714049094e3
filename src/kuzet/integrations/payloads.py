"""What goes out: the filters of the site file and the JSON bodies of events and
incident changes (the same shapes on webhooks and MQTT)."""

from __future__ import annotations

import json
from typing import Any

from kuzet.access.policy import (
    BIOMETRIC_ATTRIBUTES,
    BIOMETRIC_EVENT_TYPES,
    PLATE_ATTRIBUTES,
    PLATE_EVENT_TYPES,
)
from kuzet.config.integrations import EventFilter, IncidentFilter
from kuzet.core import Event
from kuzet.incidents.model import CLOSED, Change, Incident

SENSITIVE_TYPES = BIOMETRIC_EVENT_TYPES | PLATE_EVENT_TYPES
SENSITIVE_ATTRIBUTES = BIOMETRIC_ATTRIBUTES | PLATE_ATTRIBUTES


def event_matches(f: EventFilter, e: Event) -> bool:
    """Face-match and plate events go only to targets that set ``sensitive: true`` (the
    access policy's data classes: kuzet.access.policy)."""
    return (
        (f.sensitive or e.type not in SENSITIVE_TYPES)
        and (f.types is None or e.type in f.types)
        and (f.cameras is None or e.camera_id in f.cameras)
        and (f.min_score is None or e.score is None or e.score >= f.min_score)
    )


def incident_matches(f: IncidentFilter, inc: Incident) -> bool:
    return (
        (f.types is None or inc.type in f.types)
        and (f.states is None or inc.state.value in f.states)
        and (f.agencies is None or inc.agency_id in f.agencies)
        and inc.priority <= f.max_priority
    )


def event_change(e: Event) -> str:
    """Frigate's ``type``: new when something starts (or happens once), end when it ends."""
    return "end" if e.phase == "end" else "new"


def incident_change(inc: Incident) -> str:
    if inc.state in CLOSED:
        return "end"
    return "new" if inc.version <= 1 else "update"


def event_json(e: Event, sensitive: bool = False) -> dict[str, Any]:
    doc = e.model_dump(mode="json")
    if not sensitive:
        doc["attributes"] = {
            k: v for k, v in doc["attributes"].items() if k not in SENSITIVE_ATTRIBUTES
        }
    return doc


def event_body(e: Event, sensitive: bool = False) -> bytes:
    doc = {"kind": "event", "type": event_change(e), "event": event_json(e, sensitive)}
    return json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()


def incident_body(ch: Change) -> bytes:
    doc: dict[str, Any] = {
        "kind": "incident",
        "type": incident_change(ch.incident),
        "incident": ch.incident.model_dump(mode="json"),
        "log": None if ch.log is None else ch.log.model_dump(mode="json"),
    }
    return json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()
