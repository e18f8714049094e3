"""Evidence exports and bookmarks over HTTP: who may, what is held, what is audited."""

from __future__ import annotations

import time
from pathlib import Path

from tests.api.test_playback import CAMERA, START, Site, h264_clip, iso, rng, site

from kuzet.core.event import Event
from kuzet.crypto.signing import parse_public_key
from kuzet.evidence.verify import verify_bundle

__all__ = ["h264_clip", "site"]  # fixtures


def _post(site: Site, who: str, url: str, body: dict) -> object:
    return site.city.client.post(url, headers=site.city.h(who), json=body)


def _wait_done(site: Site, who: str, eid: str) -> dict:
    for _ in range(200):
        got = site.get(who, f"/api/exports/{eid}").json()
        if got["state"] in ("done", "failed"):
            return got
        time.sleep(0.05)
    raise AssertionError(f"export {eid} still {got['state']}")


def test_export_over_http_downloads_a_bundle_that_verifies(site: Site, tmp_path: Path) -> None:
    body = {
        "cameras": [CAMERA],
        **rng(1, 5),
        "reason": "assault near the stop",
        "case_number": "KZ-77",
    }
    r = _post(site, "investigator", "/api/exports", body)
    assert r.status_code == 202, r.text  # type: ignore[attr-defined]
    eid = r.json()["id"]  # type: ignore[attr-defined]
    assert r.headers["location"] == f"/api/exports/{eid}"  # type: ignore[attr-defined]
    got = _wait_done(site, "investigator", eid)
    assert got["state"] == "done" and len(got["files"]) == 1 and got["gaps"] == []
    dl = site.get("investigator", f"/api/exports/{eid}/download")
    assert dl.status_code == 200 and dl.headers["content-type"] == "application/zip"
    path = tmp_path / "b.zip"
    path.write_bytes(dl.content)
    key = site.get("oper", "/api/evidence/public-key").json()
    assert key["algorithm"] == "Ed25519"
    assert verify_bundle(path, parse_public_key(key["public_key"])).ok
    audit = site.city.svc.audit
    created = audit.rows(action="evidence.export.create")[-1]
    assert (
        created["reason"] == "assault near the stop" and created["detail"]["case_number"] == "KZ-77"
    )
    assert audit.rows(action="evidence.export.download")[-1]["actor"] == "investigator"
    held = site.rec.holds.active(CAMERA)
    assert [(h.kind, h.ref) for h in held] == [("export", eid)]
    r = _post(site, "investigator", f"/api/exports/{eid}/release", {"reason": "no"})
    assert r.status_code == 422  # type: ignore[attr-defined]
    r = _post(site, "investigator", f"/api/exports/{eid}/release", {"reason": "case closed"})
    assert r.json()["state"] == "released" and site.rec.holds.active(CAMERA) == []  # type: ignore[attr-defined]
    assert site.get("investigator", f"/api/exports/{eid}/download").status_code == 409


def test_export_errors_and_permissions(site: Site) -> None:
    ok = {"cameras": [CAMERA], **rng(1, 5), "reason": "a good reason", "case_number": "C-1"}
    assert _post(site, "oper", "/api/exports", ok).status_code == 403  # type: ignore[attr-defined]
    r = _post(site, "investigator", "/api/exports", {**ok, **rng(5, 1)})
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "body.end"  # type: ignore[attr-defined]
    r = _post(site, "investigator", "/api/exports", {**ok, **rng(0, 61)})  # export_max_s = 60
    assert r.status_code == 422 and "limit is 60 s" in r.text  # type: ignore[attr-defined]
    r = _post(site, "investigator", "/api/exports", {**ok, **rng(100, 110)})
    assert r.status_code == 404 and r.json()["nearest"]["before"]  # type: ignore[attr-defined]
    r = _post(site, "investigator", "/api/exports", {**ok, "cameras": ["school-1"]})
    assert r.status_code == 404 and r.json()["error"] == "no_recording"  # type: ignore[attr-defined]
    r = _post(site, "investigator", "/api/exports", {**ok, "reason": ""})
    assert r.status_code == 422  # type: ignore[attr-defined]
    r = _post(site, "investigator", "/api/exports", {**ok, "extra": 1})
    assert r.status_code == 422  # type: ignore[attr-defined]
    assert site.get("investigator", "/api/exports/nope").status_code == 404


def test_bookmarks_hold_video_and_attach_to_incidents(site: Site) -> None:
    r = _post(
        site, "oper", "/api/bookmarks", {"camera_id": CAMERA, "ts": iso(6), "note": "red van stops"}
    )
    assert r.status_code == 201, r.text  # type: ignore[attr-defined]
    b = r.json()  # type: ignore[attr-defined]
    assert b["created_by"] == "oper" and b["note"] == "red van stops"
    hold = site.rec.holds.get(b["hold_id"])
    assert hold is not None and hold.kind == "bookmark" and hold.ref == b["id"]
    assert (hold.end - hold.start).total_seconds() == 120  # evidence.bookmark_hold_s
    listed = site.get("oper", "/api/bookmarks", params={"camera_id": CAMERA}).json()
    assert [x["id"] for x in listed] == [b["id"]]
    assert site.get("teacher", "/api/bookmarks", params={"camera_id": CAMERA}).status_code == 404
    r = site.city.client.patch(
        f"/api/bookmarks/{b['id']}",
        headers=site.city.h("oper"),
        json={"note": "red van, plate hidden"},
    )
    assert r.status_code == 200 and r.json()["note"] == "red van, plate hidden"
    r = site.city.client.patch(
        f"/api/bookmarks/{b['id']}",
        headers=site.city.h("oper"),
        json={"incident_id": "no-such-incident"},
    )
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "body.incident_id"
    site.city.bus.publish(
        Event(
            id="ev-x",
            type="intrusion",
            camera_id=CAMERA,
            ts=START,
            class_name="person",
            phase="start",
        )
    )
    incident = None
    for _ in range(100):
        queue = site.get("oper", "/api/ops/incidents").json()
        if queue:
            incident = queue[0]["id"]
            break
        time.sleep(0.05)
    assert incident is not None
    r = site.city.client.patch(
        f"/api/bookmarks/{b['id']}", headers=site.city.h("oper"), json={"incident_id": incident}
    )
    assert r.status_code == 200 and r.json()["incident_id"] == incident
    by_incident = site.get("oper", "/api/bookmarks", params={"incident_id": incident}).json()
    assert [x["id"] for x in by_incident] == [b["id"]]
    r = site.city.client.patch(
        f"/api/bookmarks/{b['id']}", headers=site.city.h("oper"), json={"incident_id": None}
    )
    assert r.status_code == 200 and r.json()["incident_id"] is None
    r = _post(
        site,
        "oper",
        "/api/bookmarks",
        {"camera_id": CAMERA, "ts": "2027-01-15T08:00:00", "note": "x"},
    )
    assert r.status_code == 422  # type: ignore[attr-defined]
    r = _post(site, "analyst", "/api/bookmarks", {"camera_id": CAMERA, "ts": iso(1), "note": "x"})
    assert r.status_code == 403  # type: ignore[attr-defined]
    r = site.city.client.delete(
        f"/api/bookmarks/{b['id']}", headers=site.city.h("oper"), params={"reason": "duplicate"}
    )
    assert r.status_code == 204
    assert site.rec.holds.active(CAMERA) == []
    actions = [x["action"] for x in site.city.svc.audit.rows()]
    for a in ("bookmark.create", "bookmark.update", "bookmark.delete", "record.hold.release"):
        assert a in actions
