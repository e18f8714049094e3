"""Plate lists, search and a plate's data through the API: permissions, clearance,
ownership, CSV import with row errors, and an audit record for every change and query."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

from tests.incidents.conftest import wait_for

from kuzet.access.model import DataClass, Role, Scope
from kuzet.platedata.privacy import purge_plates

from .conftest import T0, Site, hours, plate_read

CSV = """plate,reason,valid_until
123ABC02,stolen 2026-11-30,
777 kza 01,unpaid fines,2027-01-31
12#4,bad plate,
555XYZ05,,
888AAA08,wanted,31/01/2027
123ABC02,twice,
"""


def test_lists_crud_ownership_and_audit(site: Site) -> None:
    police = site.user("pol", "city-police")
    traffic = site.user("tra", "traffic-police")
    r = site.client.post("/api/plate-lists", headers=police,
                         json={"name": "Stolen", "kind": "stolen", "fuzzy_distance": 1,
                               "visibility": ["traffic-police"]})  # fmt: skip
    assert r.status_code == 201, r.text
    lst = r.json()
    assert lst["alert_target"] == "city-police" and lst["fuzzy_distance"] == 1
    assert lst["visibility"] == ["city-police", "traffic-police"]
    lid = lst["id"]
    # CSV import: good rows kept, each bad one named by line and field
    r = site.client.post(f"/api/plate-lists/{lid}/import", headers={**police,
                         "Content-Type": "text/csv"}, content=CSV.encode())  # fmt: skip
    assert r.status_code == 200, r.text
    rep = r.json()
    assert (rep["created"], rep["updated"], rep["unchanged"]) == (2, 0, 0)
    assert [(e["line"], e["field"]) for e in rep["errors"]] == [
        (4, "plate"), (5, "reason"), (6, "valid_until"), (7, "plate")
    ]  # fmt: skip
    entries = site.client.get(f"/api/plate-lists/{lid}/entries", headers=police).json()
    assert [(e["plate"], e["valid_until"]) for e in entries] == [
        ("123ABC02", None), ("777KZA01", "2027-01-31T23:59:59.999999Z")
    ]  # fmt: skip
    # shared: the other agency reads, but may not change
    assert site.client.get(f"/api/plate-lists/{lid}", headers=traffic).status_code == 200
    r = site.client.post(f"/api/plate-lists/{lid}/entries", headers=traffic,
                         json={"plate": "111AAA01", "reason": "x"})  # fmt: skip
    assert r.status_code == 403 and r.json()["error"] == "not_owner"
    r = site.client.patch(f"/api/plate-lists/{lid}", headers=police, json={"kind": "wanted"})
    assert r.status_code == 200 and r.json()["kind"] == "wanted"
    r = site.client.delete(f"/api/plate-lists/{lid}/entries/{entries[0]['id']}", headers=police)
    assert r.status_code == 200
    r = site.client.delete(f"/api/plate-lists/{lid}?reason=closed+case", headers=police)
    assert r.status_code == 200 and r.json()["erased"] == {"lists": 1, "entries": 1}
    assert site.client.get(f"/api/plate-lists/{lid}", headers=police).status_code == 404
    actions = [
        (a["action"], a["actor"])
        for a in site.access.audit.rows()
        if a["action"].startswith("plate_list.")
    ]
    assert actions == [
        ("plate_list.create", "pol"), ("plate_list.import", "pol"), ("plate_list.entries", "pol"),
        ("plate_list.update", "pol"), ("plate_list.entry.remove", "pol"),
        ("plate_list.delete", "pol"),
    ]  # fmt: skip
    imp = site.audit("plate_list.import")[0]
    assert imp["detail"]["created"] == 2 and imp["detail"]["errors"] == 4


def test_unshared_lists_are_invisible_and_clearance_is_needed(site: Site) -> None:
    police = site.user("pol", "city-police")
    other = site.user("oth", "transport")
    noclear = site.user("ncl", "city-police", clearances=frozenset({DataClass.VIDEO}))
    op = site.user("opr", "city-police", Role.OPERATOR,
                   clearances=frozenset({DataClass.VIDEO, DataClass.PLATES}))  # fmt: skip
    lid = site.client.post("/api/plate-lists", headers=police, json={"name": "W"}).json()["id"]
    assert site.client.get(f"/api/plate-lists/{lid}", headers=other).status_code == 404
    assert site.client.get("/api/plate-lists", headers=other).json() == []
    r = site.client.get("/api/plate-lists", headers=noclear)
    assert r.status_code == 403 and r.json()["error"] == "clearance_required"
    assert site.client.get("/api/plate-lists", headers=op).status_code == 403  # no permission
    r = site.client.get("/api/plates/reads?q=123ABC02&reason=case+1", headers=noclear)
    assert r.status_code == 403


def test_search_is_scoped_paged_and_audited(site: Site) -> None:
    police = site.user("pol", "city-police")
    school = site.user("sch", "city-police", scope=Scope(categories=frozenset({"school"})))
    for i, (plate, cam) in enumerate(
        [("123ABC02", "traffic-1"), ("123A8C02", "school-1"), ("123AB02", "traffic-1")]
    ):
        site.bus.publish(plate_read(plate, cam, track=i, ts=T0 + hours(i)))
    wait_for(lambda: site.plates.consumer.reads == 3, what="three reads stored")
    r = site.client.get("/api/plates/reads", headers=police,
                        params={"q": "123ABC02", "mode": "fuzzy", "distance": 1,
                                "reason": "case 12/2026", "limit": 2})  # fmt: skip
    assert r.status_code == 200, r.text
    page = r.json()
    assert [(x["plate"], x["distance"]) for x in page["reads"]] == [("123AB02", 1), ("123A8C02", 1)]
    r = site.client.get("/api/plates/reads", headers=police,
                        params={"q": "123ABC02", "mode": "fuzzy", "reason": "case 12/2026",
                                "limit": 2, "cursor": page["next_cursor"]})  # fmt: skip
    assert [x["plate"] for x in r.json()["reads"]] == ["123ABC02"]
    assert r.json()["next_cursor"] is None
    # the school-scoped person sees the school camera's read only
    r = site.client.get("/api/plates/reads", headers=school,
                        params={"q": "123*02", "reason": "case 12/2026"})  # fmt: skip
    assert [x["camera_id"] for x in r.json()["reads"]] == ["school-1"]
    # bad input: named, not a traceback
    r = site.client.get("/api/plates/reads", headers=police, params={"q": "1#", "reason": "abc"})
    assert r.status_code == 422 and "q" in r.text
    r = site.client.get("/api/plates/reads", headers=police, params={"q": "123ABC02"})
    assert r.status_code == 422  # no reason given
    got = site.audit("plate.search")
    assert [(a["actor"], a["target"], a["reason"], a["detail"]["query"]["mode"]) for a in got] == [
        ("pol", "123ABC02", "case 12/2026", "fuzzy"), ("pol", "123ABC02", "case 12/2026", "fuzzy"),
        ("sch", "123*02", "case 12/2026", "wildcard"),
    ]  # fmt: skip
    assert got[0]["detail"]["results"] == 2


def test_export_erase_and_retention(site: Site) -> None:
    police = site.user("pol", "city-police")
    site.blobs.put("snap/1.jpg", b"\xff\xd8jpeg-1")
    site.blobs.put("crop/1.jpg", b"\xff\xd8crop-1")
    lid = site.client.post("/api/plate-lists", headers=police, json={"name": "S"}).json()["id"]
    site.client.post(f"/api/plate-lists/{lid}/entries", headers=police,
                     json={"plate": "123ABC02", "reason": "stolen"})  # fmt: skip
    site.bus.publish(plate_read("123ABC02", snapshot="snap/1.jpg", crop="crop/1.jpg"))
    site.bus.publish(plate_read("555XYZ05", track=2))
    wait_for(lambda: site.plates.consumer.reads == 2 and site.plates.consumer.matches == 1,
             what="reads and the match")  # fmt: skip
    wait_for(lambda: site.store.get_event(plate_read("123ABC02").id), what="the event stored")
    r = site.client.get("/api/plates/123%20abc%2002/export?reason=subject+request+4",
                        headers=police)  # fmt: skip
    assert r.status_code == 200, r.text
    z = zipfile.ZipFile(io.BytesIO(r.content))
    body = json.loads(z.read("plate.json"))
    assert [x["plate"] for x in body["reads"]] == ["123ABC02"] and len(body["matches"]) == 1
    assert [e["reason"] for e in body["watchlist_entries"]] == ["stolen"]
    assert z.read("pictures/snap_1.jpg") == b"\xff\xd8jpeg-1"
    r = site.client.delete("/api/plates/123ABC02?reason=subject+request+5", headers=police)
    assert r.status_code == 200, r.text
    assert r.json()["erased"]["reads"] == 1 and r.json()["erased"]["matches"] == 1
    assert r.json()["erased"]["blobs"] == 2 and site.blobs.get("snap/1.jpg") is None
    assert site.store.get_event(plate_read("123ABC02").id) is None
    r = site.client.get("/api/plates/reads?q=123ABC02&reason=after+erase", headers=police)
    assert r.json()["reads"] == []
    assert [a["target"] for a in site.audit("plate.export")] == ["123ABC02"]
    assert site.audit("plate.erase")[0]["detail"]["erased"]["events"] >= 1
    # retention: the other read (2026-12-06) is past 90 days on 2027-03-10, and so is an
    # unread (no plate, but plate data all the same) with its picture
    site.blobs.put("snap/2.jpg", b"\xff\xd8jpeg-2")
    unread = plate_read("", track=3, snapshot="snap/2.jpg").model_copy(
        update={"type": "plate_unread", "attributes": {"no_read_reason": "too_small"}}
    )
    site.bus.publish(unread)
    wait_for(lambda: site.store.get_event(unread.id), what="the unread stored")
    assert purge_plates(site.store.engine, 90, site.blobs.delete,
                        now=datetime(2027, 3, 1, tzinfo=UTC)).reads == 0  # fmt: skip
    gone = purge_plates(site.store.engine, 90, site.blobs.delete,
                        now=datetime(2027, 3, 10, tzinfo=UTC))  # fmt: skip
    assert (gone.reads, gone.events, gone.blobs) == (1, 2, 1)
    assert site.store.get_event(unread.id) is None and site.blobs.get("snap/2.jpg") is None
    r = site.client.get("/api/plates/reads?q=555XYZ05&reason=after+purge", headers=police)
    assert r.json()["reads"] == []
