"""Issue 14: a plate watchlist hit -> an incident routed to the city police, seen by them
only; whoever lacks plates clearance sees neither the incident nor any plate."""

from __future__ import annotations

from typing import Any

from tests.incidents.conftest import wait_for

from kuzet.access.model import DataClass, Role, Scope

from .conftest import Site, plate_read


def _incidents(site: Site, who: str) -> list[dict[str, Any]]:
    r = site.client.get("/api/ops/incidents", headers=site.h(who))
    assert r.status_code == 200, r.text
    out: list[dict[str, Any]] = r.json()
    return out


def _events(site: Site, who: str) -> list[dict[str, Any]]:
    r = site.client.get("/api/events", headers=site.h(who))
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def test_plate_hit_is_an_incident_for_city_police_only(site: Site) -> None:
    police = site.user("police-investigator", "city-police")
    site.user("police-operator-plates", "city-police", Role.OPERATOR,
              clearances=frozenset({DataClass.VIDEO, DataClass.PLATES}))  # fmt: skip
    site.user("police-operator", "city-police", Role.OPERATOR)  # video clearance only
    site.user(
        "traffic-investigator", "traffic-police", scope=Scope(categories=frozenset({"traffic"}))
    )
    # a stolen-car list of the city police, created through the API
    r = site.client.post("/api/plate-lists", headers=police,
                         json={"name": "Stolen cars", "kind": "stolen"})  # fmt: skip
    assert r.status_code == 201, r.text
    lst = r.json()
    entry = {"plate": "123 ABC 02", "reason": "stolen 2026-12-01, case 77"}
    r = site.client.post(f"/api/plate-lists/{lst['id']}/entries", headers=police, json=entry)
    assert r.status_code == 200 and r.json()["outcome"] == "created", r.text

    read = plate_read("123ABC02", camera="traffic-1", display="123 ABC 02")
    site.bus.publish(read)
    site.bus.publish(plate_read("999ZZZ09", camera="traffic-1", track=2))  # not listed

    inc = wait_for(lambda: _incidents(site, "police-investigator"), what="the incident")
    assert len(inc) == 1
    assert (inc[0]["type"], inc[0]["agency_id"], inc[0]["priority"]) == (
        "plate_match", "city-police", 1
    )  # fmt: skip
    assert [i["id"] for i in _incidents(site, "police-operator-plates")] == [inc[0]["id"]]
    # no plates clearance: no incident at all (its type and camera would say enough)
    assert _incidents(site, "police-operator") == []
    # another agency, though the camera is in its scope and it holds plates clearance
    assert _incidents(site, "traffic-investigator") == []

    # the events: the match is for the agencies of the list; no plate without clearance
    wait_for(lambda: any(e["type"] == "plate_match" for e in _events(site, "police-investigator")),
             what="the match stored")  # fmt: skip
    police_types = {e["type"] for e in _events(site, "police-investigator")}
    assert {"plate_read", "plate_match"} <= police_types
    traffic_types = {e["type"] for e in _events(site, "traffic-investigator")}
    assert "plate_match" not in traffic_types and "plate_read" in traffic_types
    for e in _events(site, "police-operator"):
        assert e["type"] not in {"plate_read", "plate_match"}
        assert "plate" not in e["attributes"]


def test_a_list_s_alert_target_owns_its_hits_and_must_exist(site: Site) -> None:
    """The traffic police's unpaid-fines list alerts the traffic police: its hits are their
    incidents (not the city police's, whom the routing rule names for plate hits)."""
    site.user("police-investigator", "city-police")
    site.user("traffic-investigator", "traffic-police")
    traffic = site.h("traffic-investigator")
    bad = {"name": "Unpaid", "kind": "unpaid", "alert_target": "nobody"}
    r = site.client.post("/api/plate-lists", headers=traffic, json=bad)
    assert r.status_code == 422 and "no agency 'nobody'" in r.text, r.text
    r = site.client.post("/api/plate-lists", headers=traffic,
                         json={"name": "Unpaid", "kind": "unpaid",
                               "alert_target": "traffic-police"})  # fmt: skip
    assert r.status_code == 201, r.text
    lst = r.json()
    r = site.client.patch(f"/api/plate-lists/{lst['id']}", headers=traffic,
                          json={"visibility": ["ghost-agency"]})  # fmt: skip
    assert r.status_code == 422 and "ghost-agency" in r.text, r.text
    r = site.client.post(f"/api/plate-lists/{lst['id']}/entries", headers=traffic,
                         json={"plate": "777 KZT 02", "reason": "fines unpaid"})  # fmt: skip
    assert r.status_code == 200, r.text

    site.bus.publish(plate_read("777KZT02", camera="traffic-1", display="777 KZT 02"))
    inc = wait_for(lambda: _incidents(site, "traffic-investigator"), what="the incident")
    assert [(i["type"], i["agency_id"]) for i in inc] == [("plate_match", "traffic-police")]
    assert _incidents(site, "police-investigator") == []
