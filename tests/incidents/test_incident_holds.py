"""An open incident keeps its camera's recorded video from retention; closing it lets
the video go. Real incident engine and workflow, real holds table (SQLite)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from kuzet.record import EvidenceHolds
from kuzet.record.incident_holds import IncidentHolds

from .conftest import Ops, ev, wait_for


def test_open_incident_holds_its_video_until_resolved(ops: Ops) -> None:
    holds = EvidenceHolds(ops.store.engine, ops.svc.audit)
    ops.app.state.kuzet.incidents.listen(IncidentHolds(holds, pre_s=30, post_s=30))
    edu = ops.user("edu-op", "education")
    first = ev("school-1")
    ops.bus.publish(first)
    inc = wait_for(
        lambda: next(iter(ops.open_incidents("edu-op")), None), what="the school incident"
    )
    (hold,) = wait_for(lambda: holds.active("school-1"), what="a hold")
    assert (hold.kind, hold.ref) == ("incident", inc["id"])
    assert hold.start <= first.ts - timedelta(seconds=30) < first.ts < hold.end
    assert holds.active("traffic-1") == []  # only the incident's own camera
    # more events within the held window add no hold (one audited step every few minutes)
    ops.bus.publish(ev("school-1"))
    wait_for(lambda: ops.open_incidents("edu-op")[0]["event_count"] == 2, what="grouping")
    assert len(holds.active("school-1")) == 1
    url = f"/api/ops/incidents/{inc['id']}/steps"
    for action in ("acknowledge", "resolve"):
        sv = ops.client.get(f"/api/ops/incidents/{inc['id']}", headers=edu).json()
        body = {"action": action, "step_version": sv["incident"]["step_version"]}
        assert ops.client.post(url, headers=edu, json=body).status_code == 200
    wait_for(lambda: holds.active("school-1") == [] or None, what="the hold released")
    released = holds.get(hold.id)
    assert released is not None and released.released_by == "kuzet:incidents"
    assert released.release_reason == "incident resolved"
    actions = [r["action"] for r in ops.svc.audit.rows() if r["action"].startswith("record.")]
    assert actions == ["record.hold.place", "record.hold.release"]


@dataclass
class _Inc:
    id: str
    camera_id: str
    state: str
    event_ts: datetime
    last_event_at: datetime


@dataclass
class _Change:
    incident: _Inc


def test_a_long_incident_extends_its_hold_in_steps(ops: Ops) -> None:
    holds = EvidenceHolds(ops.store.engine, ops.svc.audit)
    on = IncidentHolds(holds, pre_s=10, post_s=10, step_s=600)
    t0 = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
    for minutes in range(0, 31):  # an event every minute for half an hour
        on([_Change(_Inc("i-1", "cam-9", "acknowledged", t0, t0 + timedelta(minutes=minutes)))])
    placed = sorted(holds.active("cam-9", at=t0), key=lambda h: h.start)
    assert len(placed) == 3  # 0-10, 10-20, 20-30 minutes (+ margins): not one per event
    assert placed[0].start == t0 - timedelta(seconds=10)
    assert all(a.end == b.start for a, b in pairwise(placed))
    assert placed[-1].end >= t0 + timedelta(minutes=30, seconds=10)
    on([_Change(_Inc("i-1", "cam-9", "false_alarm", t0, t0 + timedelta(minutes=30)))])
    assert holds.active("cam-9", at=t0) == []
