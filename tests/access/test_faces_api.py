"""Watchlists and faces over HTTP: who sees which list and hit, enrolment with reasons,
sync, audited views with a required reason, export and erasure of a person.
Templates are synthetic (photo bytes -> vector): this is about access, not recognition."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from datetime import timedelta

import numpy as np
from hash_embedder import HashPhotoEmbedder

from kuzet.access.model import DataClass, Role
from kuzet.core.event import Event
from kuzet.faces.services import FaceServices
from kuzet.faces.sightings import Sighting
from kuzet.faces.subject import hit_crop_key

from .conftest import JPEG, T0, City

WHY = {"reason": "case 2026/17, warrant 4411"}


def _template(photo: bytes) -> np.ndarray:
    t = HashPhotoEmbedder().enrol(photo).template
    assert t is not None
    return t


def _staff(city: City) -> None:
    city.user("inv", "city-police", Role.INVESTIGATOR)
    city.user("edu_inv", "education", Role.INVESTIGATOR)  # cleared, but no list shared
    city.user("oper", "city-police", Role.OPERATOR)
    city.user("nobio", "city-police", Role.INVESTIGATOR, clearances=frozenset({DataClass.VIDEO}))


def _list(city: City, name: str = "Wanted", **kw: object) -> str:
    r = city.client.post("/api/watchlists", headers=city.h("inv"), json={"name": name, **kw})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _enrol(city: City, wl: str, ext: str, *photos: bytes) -> dict:  # type: ignore[type-arg]
    files = [("photos", (f"{i}.jpg", p, "image/jpeg")) for i, p in enumerate(photos)]
    data = {"external_id": ext, "name": f"Person {ext}", "case": json.dumps({"case": "17"})}
    r = city.client.post(f"/api/watchlists/{wl}/persons", headers=city.h("inv"), data=data,
                         files=files)  # fmt: skip
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _audit(city: City, action: str) -> list[dict]:  # type: ignore[type-arg]
    return city.svc.audit.rows(action=action)


def test_lists_are_seen_by_owner_and_sharers_only(city: City) -> None:
    _staff(city)
    wl = _list(city)
    assert [w["id"] for w in city.client.get("/api/watchlists", headers=city.h("inv")).json()] == [
        wl
    ]
    assert city.client.get("/api/watchlists", headers=city.h("edu_inv")).json() == []
    assert city.client.get(f"/api/watchlists/{wl}", headers=city.h("edu_inv")).status_code == 404
    r = city.client.get("/api/watchlists", headers=city.h("oper"))
    assert r.status_code == 403 and r.json()["error"] == "permission_denied"
    r = city.client.get("/api/watchlists", headers=city.h("nobio"))
    assert r.status_code == 403 and r.json()["error"] == "clearance_required"
    r = city.client.patch(f"/api/watchlists/{wl}", headers=city.h("inv"),
                          json={"visibility": ["education"], "threshold": 0.95})  # fmt: skip
    assert r.json()["visibility"] == ["city-police", "education"]
    assert city.client.get(f"/api/watchlists/{wl}", headers=city.h("edu_inv")).status_code == 200
    r = city.client.patch(f"/api/watchlists/{wl}", headers=city.h("edu_inv"), json={"name": "x"})
    assert r.status_code == 403 and r.json()["error"] == "not_owner"
    # the owner's change is audited with what changed; the refused one is not a change
    assert [(r["actor"], r["detail"]["change"]["threshold"])
            for r in _audit(city, "watchlist.update")] == [("inv", 0.95)]  # fmt: skip


def test_enrolment_rejects_unusable_photos_with_the_reason(city: City) -> None:
    _staff(city)
    wl = _list(city)
    out = _enrol(city, wl, "p1", b"good photo", b"BAD photo")
    assert out["outcome"] == "created" and len(out["person"]["photos"]) == 1
    assert len(out["rejected"]) == 1 and out["rejected"][0].endswith("no face found")
    assert "template" not in json.dumps(out) and "good photo" not in json.dumps(out)
    bad = _enrol(city, wl, "p2", b"BAD one")
    assert bad["outcome"] == "rejected" and bad["person"] is None
    photo = out["person"]["photos"][0]["id"]
    url = f"/api/watchlists/{wl}/persons/{out['person']['id']}/photos/{photo}"
    assert city.client.get(url, headers=city.h("inv")).status_code == 422  # no reason
    r = city.client.get(url, headers=city.h("inv"), params=WHY)
    assert r.status_code == 200 and r.content == b"good photo"
    assert _audit(city, "watchlist.photo.view")[-1]["reason"] == WHY["reason"]


def test_json_sync_is_incremental_and_idempotent(city: City) -> None:
    _staff(city)
    wl = _list(city)

    def rec(i: int) -> dict:  # type: ignore[type-arg]
        photo = base64.b64encode(f"photo-{i}".encode()).decode()
        return {"external_id": f"x{i}", "name": f"P{i}", "case": {"n": i}, "photos": [photo]}

    url, h = f"/api/watchlists/{wl}/sync", city.h("inv")
    first = city.client.post(url, headers=h, json={"records": [rec(i) for i in range(3)]})
    assert first.json()["counts"] == {"created": 3}
    again = city.client.post(url, headers=h, json={"records": [rec(i) for i in range(3)]})
    assert again.json()["counts"] == {"unchanged": 3}
    full = city.client.post(url, headers=h, json={"records": [rec(0), rec(1)], "full": True})
    assert full.json()["counts"] == {"unchanged": 2, "deleted": 1}
    assert len(city.client.get(f"/api/watchlists/{wl}/persons", headers=h).json()) == 2


def _hit(city: City, faces: FaceServices, wl: str, person: dict, photo: bytes) -> tuple[str, str]:  # type: ignore[type-arg]
    """What the live matcher leaves behind for one hit: event, crop, hit row, sighting."""
    attrs = {"watchlist_id": wl, "person_id": person["id"],
             "photo_id": person["photos"][0]["id"], "visible_to": ["city-police"]}  # fmt: skip
    ev = Event(id="ev-hit-1", type="watchlist_hit", camera_id="street-1", ts=T0, track_id=5,
               class_name="person", score=0.97, snapshot="snapshots/hit/ev-hit-1.jpg",
               attributes=attrs)  # fmt: skip
    city.store.insert_events([ev])
    city.blobs.put(ev.snapshot or "", JPEG)
    city.blobs.put(hit_crop_key(ev.camera_id, ev.id), JPEG)
    hit_id = faces.hits.record(ev)
    sid = faces.sightings.record(Sighting("street-1", 5, T0, (1, 2, 3, 4), 0.8, _template(photo),
                                          JPEG, listed=True))  # fmt: skip
    faces.hits.link_sighting("street-1", 5, sid)
    return hit_id, sid


def test_hits_search_export_and_erasure(city: City) -> None:
    _staff(city)
    assert city.faces is not None
    wl = _list(city)
    person = _enrol(city, wl, "p1", b"face-1")["person"]
    hit_id, sid = _hit(city, city.faces, wl, person, b"face-1")
    h = city.h("inv")
    assert [x["id"] for x in city.client.get("/api/faces/hits", headers=h).json()["items"]] == [
        hit_id
    ]
    assert city.client.get("/api/faces/hits", headers=city.h("edu_inv")).json()["items"] == []
    assert city.client.get("/api/faces/hits", headers=city.h("oper")).status_code == 403
    # the hit event: shown to the list's agencies only, hidden from everyone else
    ev_q = {"type": "watchlist_hit"}
    assert len(city.client.get("/api/events", headers=h, params=ev_q).json()["items"]) == 1
    for other in ("edu_inv", "oper"):
        assert (
            city.client.get("/api/events", headers=city.h(other), params=ev_q).json()["items"] == []
        )
    assert city.client.get(f"/api/faces/hits/{hit_id}", headers=h).status_code == 422
    view = city.client.get(f"/api/faces/hits/{hit_id}", headers=h, params=WHY).json()
    assert view["person_name"] == "Person p1" and view["sighting_id"] == sid
    assert _audit(city, "watchlist.hit.view")[-1]["reason"] == WHY["reason"]
    # retrospective search: photo + time range + cameras, reason required and audited
    form = {"since": (T0 - timedelta(minutes=1)).isoformat(),
            "until": (T0 + timedelta(minutes=1)).isoformat(), "cameras": "street-1"}  # fmt: skip
    photo = {"photo": ("q.jpg", b"face-1", "image/jpeg")}
    assert (
        city.client.post("/api/faces/search", headers=h, data=form, files=photo).status_code == 422
    )
    found = city.client.post("/api/faces/search", headers=h, data={**form, **WHY}, files=photo)
    assert [f["sighting_id"] for f in found.json()["items"]] == [sid]
    assert _audit(city, "face.search")[-1]["detail"]["results"] == 1
    # export: everything held, as JSON + images, never the template
    base = f"/api/watchlists/{wl}/persons/{person['id']}"
    r = city.client.get(f"{base}/export", headers=h, params=WHY)
    z = zipfile.ZipFile(io.BytesIO(r.content))
    doc = json.loads(z.read("person.json"))
    assert doc["person"]["case"] == {"case": "17"} and [x["id"] for x in doc["hits"]] == [hit_id]
    assert [s["id"] for s in doc["sightings"]] == [sid]
    assert z.read(f"photos/{person['photos'][0]['id']}.jpg") == b"face-1"
    assert {f"hits/{hit_id}.jpg", f"sightings/{sid}.jpg"} <= set(z.namelist())
    assert _template(b"face-1").tobytes() not in r.content
    assert _audit(city, "watchlist.person.export")[-1]["reason"] == WHY["reason"]
    # erase: afterwards nothing is left and the face matches nothing
    assert city.faces.gallery.search(_template(b"face-1"))  # before: it matches
    r = city.client.delete(base, headers=h, params=WHY)
    assert r.json()["erased"] == {"persons": 1, "photos": 1, "hits": 1, "events": 1,
                                  "sightings": 1, "blobs": 2}  # fmt: skip
    assert city.faces.gallery.search(_template(b"face-1")) == []
    assert city.store.get_event("ev-hit-1") is None
    assert city.blobs.get(hit_crop_key("street-1", "ev-hit-1")) is None
    assert city.client.get("/api/faces/hits", headers=h).json()["items"] == []
    again = city.client.post("/api/faces/search", headers=h, data={**form, **WHY}, files=photo)
    assert again.json()["items"] == []
    assert city.client.get(base, headers=h).status_code == 404
    assert _audit(city, "watchlist.person.erase")[-1]["detail"]["erased"]["hits"] == 1


def test_list_threshold_from_false_alert_target_is_explained(city: City) -> None:
    _staff(city)
    h = city.h("inv")
    r = city.client.post(
        "/api/watchlists", headers=h, json={"name": "City", "false_alert_target": 0.01}
    )
    assert r.status_code == 201, r.text
    wl = r.json()
    assert wl["false_alert_target"] == 0.01 and wl["threshold_explained"]["list_size"] == 1
    records = [
        {
            "external_id": f"x{i}",
            "name": "P",
            "photos": [base64.b64encode(f"p{i}".encode()).decode()],
        }
        for i in range(20)
    ]
    city.client.post(f"/api/watchlists/{wl['id']}/sync", headers=h, json={"records": records})
    got = city.client.get(f"/api/watchlists/{wl['id']}", headers=h).json()
    ex = got["threshold_explained"]
    assert got["persons"] == 20 and ex["list_size"] == 20
    assert got["threshold"] == ex["threshold"] > wl["threshold"]  # stricter as it grew
    assert ex["expected_false_alerts"] <= 0.01 and "expected false alerts per search" in ex["text"]
    both = {"name": "X", "threshold": 0.9, "false_alert_target": 0.01}
    assert city.client.post("/api/watchlists", headers=h, json=both).status_code == 422
    r = city.client.patch(
        f"/api/watchlists/{wl['id']}", headers=h, json={"false_alert_target": 1e-9}
    )
    assert r.status_code == 422 and "not reachable" in r.text
