"""Issue 11, blocker 1: the optimistic lock protects operator steps from each other, never
from events that keep joining the incident; a conflict says so in a machine-readable way
and hands back the current incident; the card learns of every change over the WebSocket."""

from __future__ import annotations

import json
from typing import Any

from .conftest import Ops, ev, wait_for


def _open(ops: Ops, who: str, camera: str) -> dict[str, Any]:
    got: dict[str, Any] = wait_for(
        lambda: next((i for i in ops.open_incidents(who) if i["camera_id"] == camera), None),
        what=f"an incident of {camera}",
    )
    return got


def _grown(ops: Ops, who: str, inc_id: str, count: int) -> dict[str, Any]:
    got: dict[str, Any] = wait_for(
        lambda: next(
            (i for i in ops.open_incidents(who) if i["id"] == inc_id and i["event_count"] >= count),
            None,
        ),
        what=f"{count} events on the incident",
    )
    return got


def test_events_joining_never_make_a_step_conflict(ops: Ops) -> None:
    edu = ops.user("edu-op", "education")
    ops.bus.publish(ev("school-1"))
    card = _open(ops, "edu-op", "school-1")  # what the operator's card was rendered with
    assert card["step_version"] == 1
    for _ in range(3):  # the incident keeps receiving events while the card is open
        ops.bus.publish(ev("school-1"))
    grown = _grown(ops, "edu-op", card["id"], 4)
    assert grown["version"] > card["version"] and grown["step_version"] == card["step_version"]
    url = f"/api/ops/incidents/{card['id']}/steps"
    r = ops.client.post(url, headers=edu, json={"action": "note", "note": "on it",
                                                 "step_version": card["step_version"]})  # fmt: skip
    assert r.status_code == 200, r.text
    r = ops.client.post(url, headers=edu, json={"action": "acknowledge",
                                                 "step_version": card["step_version"]})  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "acknowledged" and r.json()["step_version"] == 2


def test_two_operators_conflict_with_a_code_and_the_current_incident(ops: Ops) -> None:
    a = ops.user("edu-a", "education")
    b = ops.user("edu-b", "education")
    ops.bus.publish(ev("school-1"))
    card = _open(ops, "edu-a", "school-1")
    url = f"/api/ops/incidents/{card['id']}/steps"
    sv = card["step_version"]
    r = ops.client.post(url, headers=a, json={"action": "acknowledge", "step_version": sv})
    assert r.status_code == 200
    # B's card still shows step_version 1: B's step must not silently act on A's change.
    r = ops.client.post(url, headers=b, json={"action": "false_alarm", "step_version": sv})
    assert r.status_code == 409
    body = r.json()
    assert body["error"] == "incident_conflict"
    assert body["incident"]["state"] == "acknowledged" and body["incident"]["step_version"] == 2
    # A note from the stale card still lands: notes never conflict.
    r = ops.client.post(url, headers=b, json={"action": "note", "note": "seen", "step_version": sv})
    assert r.status_code == 200, r.text
    # A step the state does not allow names itself, and also returns the incident.
    r = ops.client.post(url, headers=b, json={"action": "on_scene"})
    assert r.status_code == 409 and r.json()["error"] == "invalid_transition"
    assert r.json()["incident"]["id"] == card["id"]
    r = ops.client.post(url, headers=b, json={"action": "note", "note": "  "})
    assert r.status_code == 422 and r.json()["error"] == "note_required"


def test_the_card_updates_live_and_reads_only_what_is_new(ops: Ops) -> None:
    edu = ops.user("edu-op", "education")
    with ops.client.websocket_connect("/api/ws/ops", headers=edu) as ws:
        first = ev("school-1")
        ops.store.insert_events([first])  # as the store's sink would
        ops.bus.publish(first)
        created = json.loads(ws.receive_text())
        inc = created["incident"]
        assert inc["event_count"] == 1 and "log" not in created
        detail = ops.client.get(f"/api/ops/incidents/{inc['id']}", headers=edu).json()
        last_log = detail["log"][-1]["id"]
        second = ev("school-1")
        ops.store.insert_events([second])
        ops.bus.publish(second)
        joined = json.loads(ws.receive_text())  # an event joining is pushed too
        assert joined["incident"]["id"] == inc["id"]
        assert joined["incident"]["event_count"] == 2
        assert joined["incident"]["last_event_id"] == second.id
        url = f"/api/ops/incidents/{inc['id']}"
        r = ops.client.post(f"{url}/steps", headers=edu, json={"action": "note", "note": "hi"})
        assert r.status_code == 200
        noted = json.loads(ws.receive_text())
        assert noted["log"]["action"] == "note" and noted["log"]["note"] == "hi"
        new = ops.client.get(
            url,
            headers=edu,
            params={"log_after": last_log, "events_after": first.ts.isoformat()},
        ).json()
        assert [e["action"] for e in new["log"]] == ["note"]
        assert [e["id"] for e in new["events"]] == [second.id]
        naive = ops.client.get(url, headers=edu, params={"events_after": "2026-01-01T00:00:00"})
        assert naive.status_code == 422
        assert [e["id"] for e in detail["events"]] == [first.id]
