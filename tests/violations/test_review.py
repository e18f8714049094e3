"""The review desk over the API: queue, package facts, the officer's own key, signed
decisions, "nothing leaves without a signature", offline verify naming what changed,
audit. Frames come from real footage (vtest.avi) through the pipeline hook; the
violation and plate-read events are made by the test (the RULES/READ contracts)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from tests.access.conftest import PASSWORD

from kuzet.access.model import Role
from kuzet.access.tables import AuditRow
from kuzet.core import Event
from kuzet.crypto.signing import parse_public_key
from kuzet.evidence.verify import verify_bundle
from kuzet.violations.tables import OfficerKeyRow

from .conftest import City, make_violation

PASS = "red-light-2026-almaty"
CAM = "traffic-1"


def _violation(city: City, vtest: Path, kind: str = "speeding", **attrs: object) -> Event:
    return make_violation(city.store, city.blobs, vtest, CAM, kind, **attrs)


@pytest.fixture
def desk(city: City, vtest_path: Path) -> City:
    city.user("officer", "traffic-police", Role.SUPERVISOR)
    _violation(
        city,
        vtest_path,
        speed_kmh=87.4,
        speed_uncertainty_kmh=2.1,
        limit_kmh=60,
        calibration={"name": "medeu-1", "homography": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]},
    )
    _violation(city, vtest_path, kind="red_light", signal_state="red", signal_source="picture")
    return city


def _decide(
    c: City, who: str, vid: str, decision: str = "accept", pw: str = PASS
) -> tuple[int, dict]:
    r = c.client.post(
        f"/api/violations/{vid}/decision",
        headers=c.h(who),
        json={"decision": decision, "reason": "seen on frames", "passphrase": pw},
    )
    return r.status_code, r.json()


def _enrol(c: City, who: str) -> dict:
    body = {"password": PASSWORD, "passphrase": PASS}
    r = c.client.post("/api/violations/officer-key", headers=c.h(who), json=body)
    assert r.status_code == 201, r.text
    return r.json()["key"]


def test_queue_and_package_state_the_facts_and_hash_every_part(desk: City) -> None:
    c = desk
    q = c.client.get("/api/violations", headers=c.h("officer")).json()
    assert {v["id"] for v in q} == {"vio-speeding", "vio-red_light"}
    speeding = next(v for v in q if v["type"] == "speeding")
    assert speeding["plate"] == "123 ABC 02" and speeding["speed_kmh"] == 87.4
    m = c.client.get("/api/violations/vio-speeding", headers=c.h("officer")).json()["manifest"]
    assert m["facts"]["speed_kmh"] == 87.4 and m["facts"]["speed_uncertainty_kmh"] == 2.1
    assert m["facts"]["calibration"]["name"] == "medeu-1"
    assert m["plate"]["plate"] == "123ABC02" and m["plate"]["read_event_id"] == "read-speeding"
    assert m["camera"]["id"] == CAM and m["camera"]["district"] == "Medeu"
    assert m["time"]["clock_at_capture"]["clock"] == "host CLOCK_REALTIME"
    names = {f["name"] for f in m["files"]}
    assert {
        "frame_before.jpg",
        "frame_at.jpg",
        "frame_after.jpg",
        "plate_crop.jpg",
        "frames.json",
        "violation_event.json",
        "plate_read_event.json",
    } <= names
    assert all(len(f["sha256"]) == 64 for f in m["files"])
    red = c.client.get("/api/violations/vio-red_light", headers=c.h("officer")).json()["manifest"]
    assert red["facts"]["signal_state"] == "red"
    assert red["facts"]["signal_since"] == "not recorded"  # missing: shown, never invented
    pic = c.client.get("/api/violations/vio-speeding/parts/frame_at.jpg", headers=c.h("officer"))
    assert pic.status_code == 200 and pic.content[:2] == b"\xff\xd8"


def test_an_officer_without_a_key_cannot_sign(desk: City) -> None:
    status, body = _decide(desk, "officer", "vio-speeding")
    assert (status, body["error"]) == (403, "no_signing_key")
    q = desk.client.get("/api/violations", headers=desk.h("officer")).json()
    assert "vio-speeding" in {v["id"] for v in q}  # still pending


def test_nothing_leaves_without_a_signature(desk: City) -> None:
    c = desk
    r = c.client.get("/api/violations/vio-speeding/package", headers=c.h("officer"))
    assert (r.status_code, r.json()["error"]) == (409, "not_signed")
    _enrol(c, "officer")
    assert _decide(c, "officer", "vio-red_light", "reject")[0] == 200
    r = c.client.get("/api/violations/vio-red_light/package", headers=c.h("officer"))
    assert (r.status_code, r.json()["error"]) == (409, "rejected")


def test_the_key_is_the_officers_own_and_never_stored_in_clear(desk: City) -> None:
    c = desk
    key = _enrol(c, "officer")
    body = {"password": PASSWORD, "passphrase": PASS}
    r = c.client.post("/api/violations/officer-key", headers=c.h("officer"), json=body)
    assert (r.status_code, r.json()["error"]) == (409, "signing_key_exists")
    with c.store.engine.connect() as conn:
        row = conn.execute(select(OfficerKeyRow)).one()
    assert row.sealed_seed.startswith("kzs1:") and PASS not in str(row.kdf)
    status, body = _decide(c, "officer", "vio-speeding", pw="not-the-passphrase")
    assert (status, body["error"]) == (403, "passphrase_invalid")
    # another officer's key does not sign for this one
    c.user("officer2", "traffic-police", Role.SUPERVISOR)
    assert _decide(c, "officer2", "vio-speeding")[1]["error"] == "no_signing_key"
    status, body = _decide(c, "officer", "vio-speeding")
    assert status == 200 and body["key_fingerprint"] == key["fingerprint"]
    assert _decide(c, "officer", "vio-speeding")[1]["error"] == "already_decided"
    c.user("operator1", "traffic-police", Role.OPERATOR)
    assert desk.client.get("/api/violations", headers=c.h("operator1")).status_code == 403


def _signed_zip(c: City, tmp_path: Path) -> tuple[Path, dict]:
    key = _enrol(c, "officer")
    assert _decide(c, "officer", "vio-speeding")[0] == 200
    r = c.client.get("/api/violations/vio-speeding/package", headers=c.h("officer"))
    assert r.status_code == 200, r.text
    out = tmp_path / "pkg.zip"
    out.write_bytes(r.content)
    return out, key


def _rewrite(src: Path, dst: Path, name: str, change: Callable[[bytes], bytes]) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info.filename, change(data) if info.filename == name else data)


def test_verify_offline_names_the_tampered_part(desk: City, tmp_path: Path) -> None:
    pkg, key = _signed_zip(desk, tmp_path)
    pinned = parse_public_key(key["public_key"])
    rep = verify_bundle(pkg, pinned)
    assert rep.ok and rep.files_ok >= 7, rep.findings
    assert rep.manifest and rep.manifest["review"]["officer"]["username"] == "officer"
    flipped = tmp_path / "flipped.zip"
    _rewrite(pkg, flipped, "frame_at.jpg", lambda d: d[:100] + bytes([d[100] ^ 1]) + d[101:])
    rep = verify_bundle(flipped, pinned)
    assert [f.name for f in rep.findings] == ["frame_at.jpg"] and rep.signature_ok
    badsig = tmp_path / "badsig.zip"
    _rewrite(pkg, badsig, "manifest.sig", lambda d: b"A" * 86 + b"==\n")
    rep = verify_bundle(badsig, pinned)
    assert not rep.signature_ok and [f.name for f in rep.findings] == ["manifest.json"]
    stranger = Ed25519PrivateKey.generate().public_key()
    rep = verify_bundle(pkg, stranger)
    assert not rep.ok and [f.name for f in rep.findings] == ["manifest.sig"]


def test_everything_is_audited(desk: City, tmp_path: Path) -> None:
    _decide(desk, "officer", "vio-speeding")  # refused: no key yet
    _signed_zip(desk, tmp_path)
    with desk.store.engine.connect() as conn:
        rows = conn.execute(select(AuditRow.action, AuditRow.outcome, AuditRow.actor)).all()
    got = {(a, o) for a, o, who in rows if who == "officer" and a.startswith("violation")}
    assert {
        ("violation.decide", "denied"),
        ("violation.key.enrol", "ok"),
        ("violation.decide", "ok"),
        ("violation.export", "ok"),
    } <= got


def test_kuzet_evidence_verify_names_the_part_and_exits_1(desk: City, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from kuzet.cli import app

    pkg, key = _signed_zip(desk, tmp_path)
    runner = CliRunner()
    ok = runner.invoke(app, ["evidence", "verify", str(pkg), "--key", key["public_key"]])
    assert ok.exit_code == 0, ok.output
    assert "speeding" in ok.output and "accepted by officer officer" in ok.output
    flipped = tmp_path / "flipped.zip"
    _rewrite(pkg, flipped, "frame_before.jpg", lambda d: d[:-10] + bytes([d[-10] ^ 1]) + d[-9:])
    bad = runner.invoke(app, ["evidence", "verify", str(flipped), "--key", key["public_key"]])
    assert bad.exit_code == 1
    assert "ALTERED  frame_before.jpg: altered (SHA-256 differs from the manifest)" in bad.output


def test_scope_and_plates_clearance_apply(desk: City) -> None:
    from kuzet.access.model import DataClass

    c = desk
    c.user("teacher", "education", Role.SUPERVISOR)  # school cameras only
    c.user("noplates", "traffic-police", Role.SUPERVISOR, clearances=frozenset({DataClass.VIDEO}))
    assert c.client.get("/api/violations", headers=c.h("teacher")).json() == []
    r = c.client.get("/api/violations/vio-speeding", headers=c.h("teacher"))
    assert (r.status_code, r.json()["error"]) == (404, "not_found")
    r = c.client.get("/api/violations", headers=c.h("noplates"))
    assert (r.status_code, r.json()["error"]) == (403, "clearance_required")


def test_an_accepted_violation_holds_its_recorded_video(desk: City, tmp_path: Path) -> None:
    from kuzet.record import EvidenceHolds

    pkg, key = _signed_zip(desk, tmp_path)
    holds = EvidenceHolds(desk.store.engine, desk.svc.audit).active("traffic-1")
    (hold,) = [h for h in holds if h.ref == "violation:vio-speeding"]
    assert (hold.end - hold.start).total_seconds() == 20
    rep = verify_bundle(pkg, parse_public_key(key["public_key"]))
    assert rep.ok and rep.manifest is not None
    assert rep.manifest["recording"]["camera_id"] == "traffic-1"  # signed with the rest
    _decide(desk, "officer", "vio-red_light", "reject")
    assert not [h for h in EvidenceHolds(desk.store.engine, desk.svc.audit).active()
                if h.ref == "violation:vio-red_light"]  # fmt: skip


def test_a_revoked_key_no_longer_signs_and_a_new_one_can_be_enrolled(desk: City) -> None:
    from typer.testing import CliRunner

    from kuzet.cli import app

    c = desk
    first = _enrol(c, "officer")
    db = str(c.store.engine.url)
    args = ["evidence", "revoke-officer-key", "officer", "--reason", "passphrase lost"]
    r = CliRunner().invoke(app, [*args, "--db", db])
    assert r.exit_code == 0 and "1 signing key(s) revoked" in r.output, r.output
    assert _decide(c, "officer", "vio-speeding")[1]["error"] == "no_signing_key"
    assert _enrol(c, "officer")["fingerprint"] != first["fingerprint"]
    assert _decide(c, "officer", "vio-speeding")[0] == 200
    r = CliRunner().invoke(app, ["evidence", "revoke-officer-key", "nobody", "--reason", "x",
                                 "--db", db])  # fmt: skip
    assert r.exit_code == 1 and "not found" in r.output and "Traceback" not in r.output


def test_enrolment_needs_the_account_password(desk: City) -> None:
    c = desk
    body = {"password": "not-my-password-1", "passphrase": PASS}
    r = c.client.post("/api/violations/officer-key", headers=c.h("officer"), json=body)
    assert (r.status_code, r.json()["error"]) == (403, "password_invalid")
    assert c.client.get("/api/violations/officer-key", headers=c.h("officer")).json() == {
        "enrolled": False,
        "key": None,
    }
    weak = {"password": PASSWORD, "passphrase": "short"}
    r = c.client.post("/api/violations/officer-key", headers=c.h("officer"), json=weak)
    assert (r.status_code, r.json()["error"]) == (422, "passphrase_weak")


def test_two_officers_deciding_at_once_leave_the_first_package_intact(
    desk: City, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = desk
    c.user("officer2", "traffic-police", Role.SUPERVISOR)
    first, _ = _enrol(c, "officer"), _enrol(c, "officer2")
    monkeypatch.setattr(c.app.state.kuzet.violations, "_review", lambda _id: None)  # both pass
    assert _decide(c, "officer", "vio-speeding")[0] == 200
    assert _decide(c, "officer2", "vio-speeding")[1]["error"] == "already_decided"
    monkeypatch.undo()
    r = c.client.get("/api/violations/vio-speeding/package", headers=c.h("officer"))
    assert r.status_code == 200, r.text
    (tmp_path / "p.zip").write_bytes(r.content)
    assert verify_bundle(tmp_path / "p.zip", parse_public_key(first["public_key"])).ok
