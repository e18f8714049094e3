"""Issue 11, a whole shift: the first administrator lands somewhere, checklists are ticked
without conflicts, line crossings are statistics only, closed incidents are in a journal,
the next shift gets a hand-over, each person keeps their wall views, and the map has a
real offline basemap read by byte ranges."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from pmtiles.reader import Reader

from kuzet.access.model import Role
from kuzet.config.ops import OpsConfig, RoutingRule

from .basemap_file import make_basemap
from .conftest import Ops, ev, wait_for


def _incident(ops: Ops, who: str, camera: str, type: str = "zone_presence") -> dict[str, Any]:
    got: dict[str, Any] = wait_for(
        lambda: next(
            (i for i in ops.open_incidents(who) if (i["camera_id"], i["type"]) == (camera, type)),
            None,
        ),
        what=f"a {type} incident of {camera}",
    )
    return got


def _step(ops: Ops, h: dict[str, str], inc_id: str, **body: Any) -> dict[str, Any]:
    r = ops.client.post(f"/api/ops/incidents/{inc_id}/steps", headers=h, json=body)
    out: dict[str, Any] = {"status": r.status_code, **r.json()}
    return out


def test_every_role_gets_settings_and_a_landing(ops: Ops) -> None:
    landing = {}
    for role in (Role.ADMINISTRATOR, Role.OPERATOR, Role.ANALYST, Role.AUDITOR):
        h = ops.user(f"first-{role.value}", "situation-centre", role)
        r = ops.client.get("/api/ops/settings", headers=h)
        assert r.status_code == 200, r.text
        body = r.json()
        landing[role.value] = body["me"]["landing"]
        assert {a["id"] for a in body["agencies"]} >= {"situation-centre", "education"}
        assert body["me"]["role"] == role.value
    assert landing == {"administrator": "admin", "operator": "map", "analyst": "search",
                       "auditor": "audit"}  # fmt: skip
    admin = ops.client.get("/api/ops/settings", headers=ops.h("first-administrator")).json()
    assert "users.write" in admin["me"]["permissions"] and admin["basemap"] is None
    assert [i["id"] for i in admin["checklists"]["fire"]] == [0, 1, 2]


def test_checklist_ticks_are_recorded_and_never_conflict(ops: Ops) -> None:
    h = ops.user("cop", "city-police")
    ops.bus.publish(ev("traffic-1", type="fight"))
    inc = _incident(ops, "cop", "traffic-1", "fight")
    sv = inc["step_version"]
    assert _step(ops, h, inc["id"], action="acknowledge", step_version=sv)["status"] == 200
    # a tick from a card that still shows the old step_version lands all the same
    got = _step(ops, h, inc["id"], action="check", item=0, step_version=sv)
    assert got["status"] == 200 and got["step_version"] == sv + 1
    got = _step(ops, h, inc["id"], action="check", item=2)
    got = _step(ops, h, inc["id"], action="check", item=0, done=False)
    assert [(m["item"], m["done"], m["actor"]) for m in got["checklist"]] == [
        (0, False, "cop"), (2, True, "cop")]  # fmt: skip
    assert _step(ops, h, inc["id"], action="check", item=3)["error"] == "unknown_item"
    detail = ops.client.get(f"/api/ops/incidents/{inc['id']}", headers=h).json()
    assert len(detail["checklist_items"]) == 3
    checks = [(e["detail"]["item"], e["detail"]["done"]) for e in detail["log"]
              if e["action"] == "check"]  # fmt: skip
    assert checks == [(0, True), (2, True), (0, False)]
    audit = [r for r in ops.svc.audit.rows() if r["action"] == "incident.check"]
    assert len(audit) == 3 and ops.svc.audit.verify() == []


def test_line_crossings_are_statistics_not_alarms(ops: Ops) -> None:
    ops.user("boss", "situation-centre")
    ops.bus.publish(ev("traffic-1", type="line_crossing"))
    ops.bus.publish(ev("school-1"))
    _incident(ops, "boss", "school-1")  # published after the crossing, so it came through
    assert [i["type"] for i in ops.open_incidents("boss")] == ["zone_presence"]
    # a site may still route crossings of one place as alarms
    book = ops.app.state.kuzet.incidents.book
    rule = RoutingRule(event_type="line_crossing", category="school", agency="education",
                       incident=True)  # fmt: skip
    book.cfg = OpsConfig(routing=[rule, *book.cfg.routing])
    ops.bus.publish(ev("school-1", type="line_crossing"))
    _incident(ops, "boss", "school-1", "line_crossing")


def test_journal_of_closed_incidents(ops: Ops) -> None:
    boss = ops.user("boss", "situation-centre", Role.SUPERVISOR)
    edu = ops.user("edu-op", "education")
    ops.user("analyst1", "situation-centre", Role.ANALYST)
    for e in (ev("school-1"), ev("traffic-1"), ev("traffic-1", type="fight")):
        ops.bus.publish(e)
    wait_for(lambda: len(ops.open_incidents("boss")) == 3, what="three incidents")
    school = _incident(ops, "boss", "school-1")
    fight = _incident(ops, "boss", "traffic-1", "fight")
    assert _step(ops, boss, fight["id"], action="false_alarm")["status"] == 200
    assert _step(ops, edu, school["id"], action="acknowledge")["status"] == 200
    assert _step(ops, edu, school["id"], action="resolve", note="ok")["status"] == 200

    def journal(h: dict[str, str], **params: Any) -> dict[str, Any]:
        r = ops.client.get("/api/ops/journal", headers=h, params=params)
        assert r.status_code == 200, r.text
        out: dict[str, Any] = r.json()
        return out

    page = journal(boss)
    assert page["total"] == 2 and [i["id"] for i in page["items"]] == [school["id"], fight["id"]]
    assert journal(boss, state="false_alarm")["items"][0]["id"] == fight["id"]
    assert journal(boss, agency="education")["total"] == 1
    assert journal(boss, type="fight,zone_presence", district="Medeu")["total"] == 1
    paged = journal(boss, limit=1, offset=1)
    assert (paged["total"], [i["id"] for i in paged["items"]]) == (2, [fight["id"]])
    assert [i["id"] for i in journal(edu)["items"]] == [school["id"]]  # its own only
    assert journal(ops.h("analyst1"))["total"] == 2  # history is for analysts too
    r = ops.client.get("/api/ops/journal", headers=boss, params={"state": "new"})
    assert r.status_code == 422


def test_shift_handover_report(ops: Ops) -> None:
    boss = ops.user("boss", "situation-centre", Role.SUPERVISOR)
    edu = ops.user("edu-op", "education")
    for e in (ev("school-1"), ev("school-1"), ev("traffic-1"), ev("traffic-1", type="fight")):
        ops.bus.publish(e)
    wait_for(lambda: sum(i["event_count"] for i in ops.open_incidents("boss")) == 4)
    school = _incident(ops, "boss", "school-1")
    fight = _incident(ops, "boss", "traffic-1", "fight")
    _step(ops, edu, school["id"], action="acknowledge")
    _step(ops, edu, school["id"], action="assign", unit="guard 3", note="=cmd|' /C calc'!A0")
    _step(ops, edu, school["id"], action="note", note="parents called")
    _step(ops, boss, fight["id"], action="false_alarm")
    r = ops.client.get("/api/ops/handover", headers=boss)
    assert r.status_code == 200, r.text
    h = r.json()
    assert (h["events"], h["opened"], h["closed"]) == (4, 3, 1)
    assert h["by_type"] == {"zone_presence": 2, "fight": 1}
    assert h["by_priority"] == {"1": 2, "2": 1}
    assert h["closed_by_state"] == {"false_alarm": 1}
    assert h["sla_missed"] == {"ack": 0, "resolve": 0}
    open_ = {o["incident"]["id"]: o for o in h["open"]}
    assert set(open_) == {school["id"], _incident(ops, "boss", "traffic-1")["id"]}
    mine = open_[school["id"]]
    assert (mine["incident"]["agency_id"], mine["incident"]["unit"]) == ("education", "guard 3")
    assert [n["note"] for n in mine["notes"]] == ["=cmd|' /C calc'!A0", "parents called"]
    assert (mine["last_step"]["action"], mine["last_step"]["actor"]) == ("assign", "edu-op")
    assert [o["incident"]["id"] for o in ops.client.get("/api/ops/handover", headers=edu)
            .json()["open"]] == [school["id"]]  # fmt: skip
    text = ops.client.get("/api/ops/handover.csv", headers=boss).text
    rows = list(csv.reader(io.StringIO(text)))
    assert ["summary", "opened", "3"] in rows and ["by type", "fight", "1"] in rows
    line = next(r for r in rows if r[:2] == ["open", school["id"]])
    assert "parents called" in line[-1] and line[7] == "guard 3"
    assert not any(cell.startswith("=") for row in rows for cell in row)  # no formulas


def test_saved_wall_views_are_per_person(ops: Ops) -> None:
    a = ops.user("op-a", "education")
    b = ops.user("op-b", "education")
    view = {"layout": 4, "cameras": ["school-1", None, "traffic-1"]}
    r = ops.client.put("/api/me/views/Morning shift", headers=a, json=view)
    assert r.status_code == 200, r.text
    assert (r.json()["name"], r.json()["cameras"]) == ("Morning shift", view["cameras"])
    bad = ops.client.put("/api/me/views/x", headers=a, json={"layout": 1, "cameras": ["a", "b"]})
    assert bad.status_code == 422
    assert ops.client.put("/api/me/views/x", headers=a, json={"layout": 3}).status_code == 422
    view["layout"] = 9
    assert ops.client.put("/api/me/views/Morning shift", headers=a, json=view).status_code == 200
    mine = ops.client.get("/api/me/views", headers=a).json()
    assert [(v["name"], v["layout"]) for v in mine] == [("Morning shift", 9)]
    assert ops.client.get("/api/me/views", headers=b).json() == []  # another person's
    assert ops.client.delete("/api/me/views/Morning shift", headers=b).status_code == 404
    assert ops.client.delete("/api/me/views/Morning shift", headers=a).status_code == 204
    assert ops.client.get("/api/me/views", headers=a).json() == []
    saved = [r["action"] for r in ops.svc.audit.rows() if r["action"].startswith("view.")]
    assert saved.count("view.save") == 4 and saved.count("view.delete") == 2


def test_basemap_is_served_by_byte_ranges(ops: Ops, tmp_path: Path) -> None:
    h = ops.user("op1", "situation-centre")
    url = "/api/ops/basemap.pmtiles"
    r = ops.client.get(url, headers=h)
    assert r.status_code == 404 and r.json()["error"] == "no_basemap"
    path = tmp_path / "city.pmtiles"
    made = make_basemap(path)
    book = ops.app.state.kuzet.incidents.book
    book.cfg = book.cfg.model_copy(update={"basemap": path, "basemap_attribution": "demo"})
    info = ops.client.get("/api/ops/settings", headers=h).json()["basemap"]
    assert info["url"] == url and info["tile_type"] == "mvt"
    assert [round(v, 5) for v in info["bounds"]] == [round(v, 5) for v in made["bounds"]]
    assert (info["min_zoom"], info["max_zoom"]) == made["zooms"]
    data = path.read_bytes()
    r = ops.client.get(url, headers={**h, "Range": "bytes=0-126"})
    assert r.status_code == 206 and r.content == data[:127]
    assert r.headers["content-range"] == f"bytes 0-126/{len(data)}"

    fetched: list[tuple[int, int]] = []

    def ranged(offset: int, length: int) -> bytes:  # what a browser's PMTiles reader does
        fetched.append((offset, length))
        got = ops.client.get(url, headers={**h, "Range": f"bytes={offset}-{offset + length - 1}"})
        assert got.status_code == 206
        return got.content

    reader = Reader(ranged)
    for (z, x, y), tile in list(made["tiles"].items())[:3]:
        assert reader.get(z, x, y) == tile
    assert all(length < len(data) for _, length in fetched)  # never the whole file
    assert ops.client.get(url).status_code == 401  # behind the policy gate
