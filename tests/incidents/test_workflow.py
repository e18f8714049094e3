"""Events become routed incidents; the workflow moves them between agencies; every step
is on the timeline and in the audit log; SLA misses escalate."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime, timedelta

from kuzet.access.model import Role
from kuzet.config.ops import OpsConfig

from .conftest import Ops, ev, wait_for


def _incident_of(ops: Ops, who: str, camera: str) -> dict:  # type: ignore[type-arg]
    return wait_for(
        lambda: next((i for i in ops.open_incidents(who) if i["camera_id"] == camera), None),
        what=f"an incident of {camera}",
    )


def test_routing_and_grouping(ops: Ops) -> None:
    ops.user("boss", "situation-centre")
    first = ev("school-1")
    for e in (first, ev("school-1"), ev("school-1", phase="end"), ev("traffic-1")):
        ops.bus.publish(e)
    school = _incident_of(ops, "boss", "school-1")
    traffic = _incident_of(ops, "boss", "traffic-1")
    wait_for(lambda: ops.open_incidents("boss")[0]["event_count"] == 3, what="grouping")
    school = next(i for i in ops.open_incidents("boss") if i["camera_id"] == "school-1")
    assert (school["agency_id"], school["priority"]) == ("education", 1)
    assert school["event_count"] == 3 and school["first_event_id"] == first.id
    assert (traffic["agency_id"], traffic["priority"]) == ("traffic-police", 2)
    # High priority first, whatever the age.
    assert [i["camera_id"] for i in ops.open_incidents("boss")] == ["school-1", "traffic-1"]
    # Redelivered events (same ids) change nothing; an "end" with nothing open makes nothing.
    ops.bus.publish(first)
    ops.bus.publish(ev("traffic-1", type="loitering", phase="end"))
    time.sleep(0.5)
    assert len(ops.open_incidents("boss")) == 2
    assert ops.open_incidents("boss")[0]["event_count"] == 3


def test_workflow_across_agencies_is_audited(ops: Ops) -> None:
    edu, police, traffic = (ops.user("edu-op", "education"), ops.user("cop", "city-police"),
                            ops.user("traffic-op", "traffic-police"))  # fmt: skip
    ops.bus.publish(ev("school-1"))
    inc = _incident_of(ops, "edu-op", "school-1")
    url = f"/api/ops/incidents/{inc['id']}"
    # Not routed to the police or traffic yet: hidden, and reads as not found.
    assert ops.open_incidents("cop") == [] and ops.open_incidents("traffic-op") == []
    assert ops.client.get(url, headers=traffic).status_code == 404

    def step(h: dict[str, str], **body: object) -> dict:  # type: ignore[type-arg]
        r = ops.client.post(f"{url}/steps", headers=h, json=body)
        return {"status": r.status_code, **r.json()}

    assert step(edu, action="resolve")["status"] == 409  # new -> resolved is not a step
    assert step(edu, action="acknowledge", version=1)["state"] == "acknowledged"
    assert step(edu, action="on_scene")["status"] == 409
    assert step(edu, action="acknowledge", version=1)["status"] == 409  # stale version
    assert step(edu, action="assign", agency="nowhere")["status"] == 409
    got = step(edu, action="assign", agency="city-police", unit="patrol 12", note="armed?")
    assert (got["state"], got["agency_id"], got["unit"]) == ("assigned", "city-police", "patrol 12")
    assert step(edu, action="resolve")["status"] == 403  # now the police own it
    assert ops.client.get(url, headers=edu).status_code == 200  # but education still sees it
    assert [i["id"] for i in ops.open_incidents("cop")] == [inc["id"]]
    assert step(police, action="on_scene")["state"] == "on_scene"
    done = step(police, action="resolve", note="handled")
    assert done["state"] == "resolved" and done["closed_at"] is not None
    assert ops.open_incidents("cop") == []

    detail = ops.client.get(url, headers=police).json()
    log = [(e["action"], e["actor"], e["state"]) for e in detail["log"]]
    assert log == [("create", "system", "new"), ("acknowledge", "edu-op", "acknowledged"),
                   ("assign", "edu-op", "assigned"), ("on_scene", "cop", "on_scene"),
                   ("resolve", "cop", "resolved")]  # fmt: skip
    audit = [
        (r["actor"], r["action"])
        for r in ops.svc.audit.rows(action=None)
        if r["action"].startswith("incident.") and r["target"] == f"incident/{inc['id']}"
    ]
    assert audit[0] == ("system", "incident.create")
    assert ("edu-op", "incident.acknowledge") in audit and ("cop", "incident.resolve") in audit
    assert ("edu-op", "incident.assign") in audit and ops.svc.audit.verify() == []


def test_only_people_work_incidents(ops: Ops) -> None:
    ops.user("analyst1", "situation-centre", Role.ANALYST)
    ops.user("inv", "situation-centre", Role.INVESTIGATOR)
    ops.bus.publish(ev("traffic-1"))
    ops.user("sup", "situation-centre", Role.SUPERVISOR)
    inc = _incident_of(ops, "sup", "traffic-1")
    url = f"/api/ops/incidents/{inc['id']}/steps"
    assert ops.client.get("/api/ops/incidents", headers=ops.h("analyst1")).status_code == 403
    r = ops.client.post(url, headers=ops.h("inv"), json={"action": "acknowledge"})
    assert r.status_code == 403
    r = ops.client.post(url, headers=ops.h("sup"), json={"action": "false_alarm"})
    assert r.json()["state"] == "false_alarm"


def test_missed_acknowledgement_escalates_to_the_supervisor(ops: Ops) -> None:
    ops.app.state.kuzet.incidents.book.cfg = OpsConfig(
        sla={p: {"ack_s": 1, "resolve_s": 60} for p in (1, 2, 3)}, sla_check_s=0.1
    )
    ops.user("boss", "situation-centre", Role.SUPERVISOR)
    ops.user("traffic-op", "traffic-police")
    ops.bus.publish(ev("traffic-1"))
    inc = _incident_of(ops, "traffic-op", "traffic-1")
    assert inc["escalated_at"] is None
    esc = wait_for(lambda: [i for i in ops.open_incidents("traffic-op") if i["escalated_at"]],
                   timeout=20, what="escalation")[0]  # fmt: skip
    assert esc["escalation"] == "ack" and "situation-centre" in esc["agencies"]
    # the audit record may land a moment after the incident row others already read
    wait_for(lambda: any(r["action"] == "incident.escalate" for r in ops.svc.audit.rows()),
             timeout=20, what="the escalation's audit record")  # fmt: skip


def test_stats_and_csv(ops: Ops) -> None:
    ops.user("boss", "situation-centre")
    edu = ops.user("edu-op", "education")
    for e in (ev("school-1"), ev("school-1"), ev("traffic-1"), ev("traffic-1", type="fight")):
        ops.bus.publish(e)
    wait_for(lambda: sum(i["event_count"] for i in ops.open_incidents("boss")) == 4)
    inc = _incident_of(ops, "edu-op", "school-1")
    ops.client.post(f"/api/ops/incidents/{inc['id']}/steps", headers=edu,
                    json={"action": "acknowledge"})  # fmt: skip
    st = ops.client.get("/api/ops/stats", headers=ops.h("boss")).json()
    assert st["events"] == 4 and st["incidents"] == 3
    assert st["by_type"] == {"zone_presence": 3, "fight": 1}
    assert st["by_agency"] == {"education": 2, "traffic-police": 1, "city-police": 1}
    assert st["by_district"] == {"Bostandyk": 2, "Medeu": 2}
    edu_row = next(r for r in st["reactions"] if r["agency"] == "education")
    assert edu_row["ack_n"] == 1 and edu_row["ack_median_s"] is not None
    # Education's own statistics hold only its incident.
    assert ops.client.get("/api/ops/stats", headers=edu).json()["events"] == 2
    since = (datetime.now(UTC) + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    empty = ops.client.get("/api/ops/stats", params={"since": since}, headers=edu)
    assert empty.status_code == 422  # since after until (now)
    r = ops.client.get("/api/ops/stats.csv", headers=ops.h("boss"))
    rows = list(csv.reader(io.StringIO(r.text)))
    assert r.headers["content-type"].startswith("text/csv")
    assert ["type", "fight", "1"] in rows and ["agency", "education", "2"] in rows
