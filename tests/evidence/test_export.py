"""Export -> verify -> tamper one byte -> verify names it; holds, audit, bad input."""

from __future__ import annotations

import base64
import json
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import av
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kuzet.access.audit import AuditLog
from kuzet.crypto.signing import Signer, parse_public_key
from kuzet.evidence.exports import ExportRequest
from kuzet.evidence.ranges import NoRecording, RangeError
from kuzet.evidence.service import Evidence
from kuzet.evidence.verify import verify_bundle
from kuzet.storage import LocalVolume

from .conftest import CAMERA, START, Rec, person, record


def export(ev: Evidence, a: float = 2.5, b: float = 8.5, **kw: Any) -> dict:
    req = ExportRequest(
        cameras=[CAMERA],
        start=START + timedelta(seconds=a),
        end=START + timedelta(seconds=b),
        reason="burglary at the gate",
        case_number="2026-KZ-0042",
        **kw,
    )
    made = ev.exports.create(person(), req)
    ev.exports.wait()
    got = ev.exports.get(person(), made["id"])
    assert got is not None and got["state"] == "done", got
    return got


def bundle_path(ev: Evidence, eid: str) -> Path:
    found = ev.exports.bundle(person(), eid)
    assert found is not None
    return found[1]


def test_export_verifies_and_one_altered_byte_is_named(evidence: Evidence, tmp_path: Path) -> None:
    got = export(evidence)
    path = bundle_path(evidence, got["id"])
    key = parse_public_key(evidence.signer.public_b64)
    rep = verify_bundle(path, key)
    assert rep.ok and rep.files_ok == 1 and rep.key_pinned, rep.findings
    with zipfile.ZipFile(path) as z:
        m = json.loads(z.read("manifest.json"))
        mp4 = m["files"][0]["name"]
        info = z.getinfo(mp4)
    assert m["case_number"] == "2026-KZ-0042" and m["reason"] == "burglary at the gate"
    assert m["exported_by"]["user"] == "investigator-1" and m["processing"]["re_encoded"] is False
    # flip one byte in the middle of the MP4's data inside the zip
    data = bytearray(path.read_bytes())
    at = info.header_offset + 30 + len(info.filename) + len(info.extra) + info.file_size // 2
    data[at] ^= 0x01
    bad = tmp_path / "tampered.zip"
    bad.write_bytes(bytes(data))
    rep = verify_bundle(bad, key)
    assert not rep.ok
    assert [f.name for f in rep.findings] == [mp4] and "altered" in rep.findings[0].problem
    # the same byte changed in an unpacked folder: the SHA-256 names it
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(path) as z:
        z.extractall(folder)
    f = folder / mp4
    raw = bytearray(f.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    f.write_bytes(bytes(raw))
    rep = verify_bundle(folder, key)
    assert [str(x) for x in rep.findings] == [f"{mp4}: altered (SHA-256 differs from the manifest)"]


def test_an_edited_manifest_breaks_the_signature(evidence: Evidence, tmp_path: Path) -> None:
    path = bundle_path(evidence, export(evidence)["id"])
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(path) as z:
        z.extractall(folder)
    man = folder / "manifest.json"
    man.write_text(man.read_text().replace("2026-KZ-0042", "2026-KZ-0043"))
    (folder / "extra.txt").write_text("planted")
    key = parse_public_key(evidence.signer.public_b64)
    rep = verify_bundle(folder, key)
    names = {str(f) for f in rep.findings}
    assert "manifest.json: altered (the signature does not match it)" in names
    assert "extra.txt: added (not in the manifest)" in names
    # a bundle re-signed by someone else's key: named as such when the site key is pinned
    forger = Signer(Ed25519PrivateKey.generate(), "forger")
    body = man.read_bytes()
    m = json.loads(body)
    m["signing_key"]["public_key"] = forger.public_b64
    body = json.dumps(m).encode()
    man.write_bytes(body)
    (folder / "manifest.sig").write_bytes(base64.b64encode(forger.sign(body)))
    (folder / "extra.txt").unlink()
    assert verify_bundle(folder).ok  # unpinned: the carried key checks out ...
    rep = verify_bundle(folder, key)  # ... but not the site's key
    assert [str(f) for f in rep.findings] == [
        "manifest.sig: signed by another key than the one you pinned"
    ]


def test_export_is_a_remux_and_covers_the_range(evidence: Evidence) -> None:
    path = bundle_path(evidence, export(evidence, 2.5, 8.5)["id"])
    with zipfile.ZipFile(path) as z:
        m = json.loads(z.read("manifest.json"))
        entry = m["files"][0]
        tmp = path.with_name("x.mp4")
        tmp.write_bytes(z.read(entry["name"]))
    with av.open(str(tmp)) as c:
        st = c.streams.video[0]
        frames = sum(1 for _ in c.decode(st))
        assert st.codec_context.name == "h264" and (st.width, st.height) == (640, 360)
    # from the keyframe at 2.0 s (1 s GOP) up to 8.5 s: 6.5 s at 25 fps
    assert frames == entry["frames"] == 163
    assert entry["start"].endswith("08:00:02.000Z") and entry["end"].endswith("08:00:08.520Z")
    assert m["gaps"] == []


def test_export_holds_its_range_until_released_and_is_audited(
    evidence: Evidence, rec: Rec, audit: AuditLog
) -> None:
    got = export(evidence)
    holds = rec.holds.active(CAMERA)
    assert [(h.kind, h.ref) for h in holds] == [("export", got["id"])]
    done = evidence.exports.release(person(), got["id"], "case closed by the court")
    assert done is not None and done["state"] == "released"
    assert rec.holds.active(CAMERA) == []
    assert evidence.exports.bundle(person(), got["id"]) is None
    actions = [r["action"] for r in audit.rows()]
    for action in ("evidence.export.create", "evidence.export.done", "evidence.export.release"):
        assert action in actions, actions


def test_bad_requests_are_clear_errors(evidence: Evidence) -> None:
    def req(a: float, b: float, **kw: object) -> ExportRequest:
        base: dict = dict(
            cameras=[CAMERA],
            start=START + timedelta(seconds=a),
            end=START + timedelta(seconds=b),
            reason="why not",
            case_number="C-1",
        )
        base.update(kw)
        return ExportRequest(**base)

    with pytest.raises(RangeError, match="must be after start") as e:
        evidence.exports.create(person(), req(8, 2))
    assert e.value.field == "end"
    with pytest.raises(RangeError, match="limit is 600 s"):
        evidence.exports.create(person(), req(0, 700))
    with pytest.raises(NoRecording, match="last recording before ends at") as nr:
        evidence.exports.create(person(), req(100, 200))
    assert nr.value.nearest.before is not None and nr.value.nearest.after is None
    with pytest.raises(NoRecording, match="this camera has no recording at all"):
        evidence.exports.create(person(), req(0, 5, cameras=["nope"]))
    with pytest.raises(RangeError) as e:
        evidence.exports.create(person(), req(0, 5, case_number=" "))
    assert e.value.field == "case_number"


def test_uncleared_export_is_blurred_and_watermarked(evidence: Evidence) -> None:
    req = ExportRequest(
        cameras=[CAMERA],
        start=START + timedelta(seconds=1),
        end=START + timedelta(seconds=3),
        reason="for the press office",
        case_number="P-7",
        watermark=True,
    )
    made = evidence.exports.create(person(biometrics=False), req)
    evidence.exports.wait()
    got = evidence.exports.get(person(), made["id"])
    assert got is not None and got["state"] == "done" and got["faces_blurred"], got
    path = bundle_path(evidence, got["id"])
    with zipfile.ZipFile(path) as z:
        m = json.loads(z.read("manifest.json"))
        assert m["processing"] == {
            **m["processing"],
            "re_encoded": True,
            "watermark": True,
            "faces_blurred": True,
        }
        tmp = path.with_name("y.mp4")
        tmp.write_bytes(z.read(m["files"][0]["name"]))
    with av.open(str(tmp)) as c:
        frames = list(c.decode(video=0))
    assert len(frames) == 50  # exact cut when re-encoding: 2 s at 25 fps
    img = frames[10].to_ndarray(format="bgr24")
    # the blurred quarter is smooth, the watermark band at the bottom is dark with text
    assert img[:80, :150].std(axis=(0, 1)).mean() < img[100:300, 200:500].std(axis=(0, 1)).mean()
    assert verify_bundle(path).ok


def test_several_cameras_and_a_gap(evidence: Evidence, rec: Rec, h264_clip: Path) -> None:
    """Two cameras in one bundle; the second lost 6 s (its segments gone, a gap row with
    the recorder's reason): two files for it and the gap in the manifest."""
    vol = rec.volumes["default"]
    assert isinstance(vol, LocalVolume)
    record(h264_clip, rec.index, vol, camera="cam-2", t0=START.timestamp())
    record(h264_clip, rec.index, vol, camera="cam-2", t0=START.timestamp())  # 12 s more
    lost = rec.index.between("cam-2", START + timedelta(seconds=12), START + timedelta(seconds=18))
    assert len(lost) == 2
    rec.index.remove(s.id for s in lost)
    rec.index.add_gap("cam-2", START + timedelta(seconds=12), START + timedelta(seconds=18),
                      "connection refused")  # fmt: skip
    req = ExportRequest(cameras=[CAMERA, "cam-2"], start=START + timedelta(seconds=10),
                        end=START + timedelta(seconds=22), reason="two views of the gate",
                        case_number="M-2")  # fmt: skip
    made = evidence.exports.create(person(), req)
    evidence.exports.wait()
    got = evidence.exports.get(person(), made["id"])
    assert got is not None and got["state"] == "done", got
    with zipfile.ZipFile(bundle_path(evidence, got["id"])) as z:
        m = json.loads(z.read("manifest.json"))
    by_cam = [(f["camera_id"], f["name"].split("_")[-1]) for f in m["files"]]
    assert by_cam == [(CAMERA, "01.mp4"), ("cam-2", "01.mp4"), ("cam-2", "02.mp4")]
    gaps = {(g["camera_id"], g["reason"]) for g in m["gaps"]}
    assert ("cam-2", "connection refused") in gaps
    assert (CAMERA, "no recording") in gaps  # cam-1's 12 s end before the range does
    assert {h.camera_id for h in rec.holds.active()} == {CAMERA, "cam-2"}
    assert verify_bundle(bundle_path(evidence, got["id"])).ok
