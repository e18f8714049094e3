"""Playback of a recorded range through the API: HLS playlist (fMP4, EXT-X-MAP and byte
ranges from the recorder's init_size), one MP4 with range requests, thumbnails, the
timeline; clear errors; blurred or refused video for uncleared roles, audited."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient
from tests.access.conftest import City, cheap_config
from tests.evidence.conftest import CAMERA, START, OneFace, Rec, record

from kuzet.access.model import Role
from kuzet.access.service import AccessService
from kuzet.api import create_app
from kuzet.config.evidence import EvidenceConfig
from kuzet.config.ops import OpsConfig
from kuzet.core.event import Event
from kuzet.core.records import CameraInfo
from kuzet.events import MemoryBus
from kuzet.evidence.service import Evidence
from kuzet.incidents.book import IncidentBook
from kuzet.incidents.engine import OpsEngine
from kuzet.record import EvidenceHolds, SegmentIndex
from kuzet.schema import open_store
from kuzet.storage import LocalVolume
from kuzet.store import LocalBlobStore, Store


@dataclass
class Site:
    city: City
    ev: Evidence
    rec: Rec
    clip: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def get(self, who: str, url: str, **kw: Any) -> Any:
        return self.city.client.get(
            url, headers={**self.city.h(who), **kw.pop("headers", {})}, **kw
        )


def iso(s: float) -> str:
    return (START + timedelta(seconds=s)).isoformat().replace("+00:00", "Z")


def ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def rng(a: float, b: float) -> dict[str, str]:
    return {"start": iso(a), "end": iso(b)}


@pytest.fixture
def site(h264_clip: Path, tmp_path: Path) -> Iterator[Site]:
    store: Store = open_store(f"sqlite:///{tmp_path / 'kuzet.db'}")
    svc = AccessService(store.engine, cheap_config())
    svc.seed_agencies()
    store.upsert_camera(CameraInfo(id=CAMERA, category="public_safety", main_url=str(h264_clip)))
    store.upsert_camera(CameraInfo(id="school-1", category="school", main_url=str(h264_clip)))
    store.insert_events(
        [
            Event(
                id="ev-a",
                type="intrusion",
                camera_id=CAMERA,
                ts=START + timedelta(seconds=4),
                phase="start",
                class_name="person",
                rule="gate",
            ),
            Event(
                id="ev-b",
                type="intrusion",
                camera_id=CAMERA,
                ts=START + timedelta(seconds=9),
                phase="end",
                class_name="person",
                rule="gate",
            ),
        ]
    )
    index = SegmentIndex(store.engine)
    vol = LocalVolume("default", tmp_path / "recordings")
    record(h264_clip, index, vol)
    rec = Rec(index, EvidenceHolds(store.engine, svc.audit), {"default": vol})
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from kuzet.crypto.signing import Signer

    ev = Evidence(
        rec,
        store.engine,
        svc.audit,
        Signer(Ed25519PrivateKey.generate(), "test"),
        EvidenceConfig(playback_max_s=60, export_max_s=60),
        tmp_path / "data",
        faces=OneFace,
    )
    bus = MemoryBus()
    ops = OpsEngine(IncidentBook(svc.engine, svc.audit, OpsConfig()), bus, store)
    ops.start()
    app = create_app(
        store=store,
        blobs=LocalBlobStore(tmp_path / "blobs"),
        bus=bus,
        access=svc,
        faces=OneFace,
        evidence=ev,
        incidents=ops,
    )
    with TestClient(app, base_url="https://testserver") as client:
        city = City(svc, store, LocalBlobStore(tmp_path / "blobs"), bus, app, client)
        city.user("investigator", "city-police", Role.INVESTIGATOR)
        city.user("oper", "city-police", Role.OPERATOR)  # video, no biometrics: blurred
        city.user("blind", "city-police", Role.OPERATOR, clearances=frozenset())
        city.user("analyst", "city-police", Role.ANALYST)
        city.user("teacher", "education", Role.OPERATOR)  # scope: schools only
        yield Site(city, ev, rec, h264_clip)
    ops.stop()
    ev.close()
    bus.close()
    store.close()


@pytest.fixture(scope="session")
def h264_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from rtsp import make_h264_clip

    return make_h264_clip(tmp_path_factory.mktemp("pb-clip") / "cam.ts", seconds=12)


def _decode(data: bytes) -> list[np.ndarray]:
    with av.open(io.BytesIO(data)) as c:
        return [f.to_ndarray(format="bgr24") for f in c.decode(video=0)]


def _audit(site: Site, action: str) -> list[dict[str, Any]]:
    return site.city.svc.audit.rows(action=action)


def test_hls_playlist_uses_init_size_byte_ranges_and_plays(site: Site) -> None:
    r = site.get("investigator", f"/api/recordings/{CAMERA}/playlist.m3u8", params=rng(1.5, 7.5))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.apple.mpegurl")
    text = r.text
    assert text.startswith("#EXTM3U\n#EXT-X-VERSION:7\n") and text.rstrip().endswith(
        "#EXT-X-ENDLIST"
    )
    segs = site.rec.index.between(
        CAMERA, START + timedelta(seconds=1.5), START + timedelta(seconds=7.5)
    )
    assert len(segs) == 3  # 3 s segments: [0,3) [3,6) [6,9)
    maps = re.findall(r'#EXT-X-MAP:URI="segments/(\d+)",BYTERANGE="(\d+)@0"', text)
    ranges = re.findall(r"#EXT-X-BYTERANGE:(\d+)@(\d+)\nsegments/(\d+)", text)
    assert maps == [(str(s.id), str(s.init_size)) for s in segs]
    assert ranges == [(str(s.bytes - s.init_size), str(s.init_size), str(s.id)) for s in segs]
    assert text.count("#EXT-X-DISCONTINUITY") == 2 and "#EXT-X-START:TIME-OFFSET=1.500" in text
    assert re.findall(r"#EXTINF:([\d.]+),", text) == [f"{s.duration_s:.3f}" for s in segs]
    # a player fetches the init and media byte ranges: 206s, which together decode
    s = segs[1]
    init = site.get(
        "investigator",
        f"/api/recordings/{CAMERA}/segments/{s.id}",
        headers={"Range": f"bytes=0-{s.init_size - 1}"},
    )
    media = site.get(
        "investigator",
        f"/api/recordings/{CAMERA}/segments/{s.id}",
        headers={"Range": f"bytes={s.init_size}-{s.bytes - 1}"},
    )
    assert init.status_code == media.status_code == 206
    assert init.headers["content-range"] == f"bytes 0-{s.init_size - 1}/{s.bytes}"
    assert len(_decode(init.content + media.content)) == 75  # 3 s at 25 fps
    rows = _audit(site, "recording.play")
    assert rows[-1]["actor"] == "investigator" and rows[-1]["detail"]["faces_blurred"] is False


def test_single_mp4_answers_range_requests(site: Site) -> None:
    url = f"/api/recordings/{CAMERA}/video.mp4"
    full = site.get("investigator", url, params=rng(2.5, 8.5))
    assert full.status_code == 200 and full.headers["content-type"] == "video/mp4"
    assert full.headers["accept-ranges"] == "bytes"
    assert len(_decode(full.content)) == 163  # from the keyframe at 2 s to 8.5 s
    assert full.headers["x-kuzet-start"] == "2027-01-15T08:00:02.500Z"
    assert full.headers["x-kuzet-end"] == "2027-01-15T08:00:08.500Z"
    # a range running past the recording: the MP4 says where it really ends
    past = site.get("investigator", url, params=rng(10, 30))
    last = site.rec.index.latest(CAMERA)
    assert past.status_code == 200 and last is not None
    assert past.headers["x-kuzet-end"] == ms(last.end)
    part = site.get("investigator", url, params=rng(2.5, 8.5), headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206 and part.content == full.content[100:1100]
    assert part.headers["content-range"] == f"bytes 100-1099/{len(full.content)}"


def test_bad_input_is_a_clear_error(site: Site) -> None:
    base = f"/api/recordings/{CAMERA}/playlist.m3u8"
    r = site.get("investigator", "/api/recordings/nope/playlist.m3u8", params=rng(0, 5))
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = site.get("investigator", base, params=rng(100, 110))
    body = r.json()
    assert r.status_code == 404 and body["error"] == "no_recording"
    last = site.rec.index.latest(CAMERA)
    assert last is not None and abs((last.end - START).total_seconds() - 12) < 0.1
    assert body["nearest"] == {"before": ms(last.end), "after": None}
    assert "the last recording before ends at" in body["message"]
    r = site.get("investigator", base, params=rng(-100, -90))
    assert r.json()["nearest"]["after"] == "2027-01-15T08:00:00.000Z"
    r = site.get("investigator", base, params=rng(8, 2))
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "query.end"
    assert "must be after start" in r.json()["fields"][0]["message"]
    r = site.get("investigator", base, params=rng(0, 61))  # playback_max_s = 60
    assert r.status_code == 422 and "the limit is 60 s" in r.json()["fields"][0]["message"]
    r = site.get("investigator", base, params={"start": "2027-01-15T08:00:00", "end": iso(5)})
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "query.start"
    r = site.get("investigator", base, params={"start": "yesterday", "end": iso(5)})
    assert r.status_code == 422
    r = site.get("investigator", f"/api/recordings/{CAMERA}/segments/999999")
    assert r.status_code == 404


def test_uncleared_roles_get_blurred_or_refused_video_and_it_is_audited(site: Site) -> None:
    r = site.get("oper", f"/api/recordings/{CAMERA}/playlist.m3u8", params=rng(0, 5))
    assert r.status_code == 200
    ids = re.findall(r'#EXT-X-MAP:URI="segments/(\d+)\?part=init"', r.text)
    assert ids and "BYTERANGE" not in r.text
    assert re.findall(r"\nsegments/(\d+)\?part=media\n", r.text) == ids
    init = site.get("oper", f"/api/recordings/{CAMERA}/segments/{ids[0]}?part=init")
    media = site.get("oper", f"/api/recordings/{CAMERA}/segments/{ids[0]}?part=media")
    frames = _decode(init.content + media.content)
    assert len(frames) == 75
    raw = _decode(site.get("investigator", f"/api/recordings/{CAMERA}/segments/{ids[0]}").content)
    # OneFace blurs the top-left quarter: there the blurred copy is far smoother
    h, w = raw[30].shape[:2]
    corner = (slice(0, h // 4), slice(0, w // 4))
    assert (
        cv2.Laplacian(frames[30][corner], cv2.CV_64F).var()
        < 0.2 * cv2.Laplacian(raw[30][corner], cv2.CV_64F).var()
    )
    # the rest of the picture is the recording's (re-encoded: close, not equal)
    rest = (slice(h // 2, h), slice(w // 2, w))
    assert np.abs(frames[30][rest].astype(int) - raw[30][rest].astype(int)).mean() < 6
    plays = _audit(site, "recording.play")
    assert plays[-1]["actor"] == "oper" and plays[-1]["detail"]["faces_blurred"] is True
    # an MP4 and thumbnails are blurred the same way
    mp4 = site.get("oper", f"/api/recordings/{CAMERA}/video.mp4", params=rng(0, 2))
    assert mp4.status_code == 200 and len(_decode(mp4.content)) == 50
    # no video clearance: refused, and the refusal is in the audit log
    r = site.get("blind", f"/api/recordings/{CAMERA}/playlist.m3u8", params=rng(0, 5))
    assert r.status_code == 403 and r.json()["error"] == "video_clearance_required"
    denied = [x for x in _audit(site, "recording.play") if x["actor"] == "blind"]
    assert denied and denied[-1]["outcome"] == "denied"
    r = site.get("blind", f"/api/recordings/{CAMERA}/segments/{ids[0]}")
    assert r.status_code == 403
    # analysts hold no recordings permission at all; other agencies' cameras are unknown
    assert (
        site.get("analyst", f"/api/recordings/{CAMERA}/playlist.m3u8", params=rng(0, 5)).status_code
        == 403
    )
    r = site.get("teacher", f"/api/recordings/{CAMERA}/playlist.m3u8", params=rng(0, 5))
    assert r.status_code == 404


def test_without_a_face_detector_uncleared_video_is_refused(site: Site) -> None:
    site.ev.playback.faces = None
    r = site.get("oper", f"/api/recordings/{CAMERA}/playlist.m3u8", params=rng(0, 5))
    assert r.status_code == 503 and r.json()["error"] == "anonymisation_unavailable"
    assert _audit(site, "recording.play")[-1]["outcome"] == "denied"
    assert (
        site.get(
            "investigator", f"/api/recordings/{CAMERA}/playlist.m3u8", params=rng(0, 5)
        ).status_code
        == 200
    )


def test_thumbnails_and_timeline(site: Site) -> None:
    r = site.get(
        "investigator",
        f"/api/recordings/{CAMERA}/thumbnail.jpg",
        params={"t": iso(4.2), "width": 320},
    )
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    img = cv2.imdecode(np.frombuffer(r.content, np.uint8), cv2.IMREAD_COLOR)
    assert img.shape == (180, 320, 3)
    r = site.get(
        "investigator",
        f"/api/recordings/{CAMERA}/thumbnails.jpg",
        params={**rng(0, 12), "count": 4, "width": 160},
    )
    strip = cv2.imdecode(np.frombuffer(r.content, np.uint8), cv2.IMREAD_COLOR)
    assert strip.shape == (90, 640, 3)
    times = r.headers["x-kuzet-thumbnail-times"].split(",")
    assert times == [f"2027-01-15T08:00:{x}Z" for x in ("01.500", "04.500", "07.500", "10.500")]
    r = site.get("investigator", f"/api/recordings/{CAMERA}/thumbnail.jpg", params={"t": iso(50)})
    assert r.status_code == 404 and r.json()["error"] == "no_recording"
    site.city.client.post(
        "/api/bookmarks",
        headers=site.city.h("investigator"),
        json={"camera_id": CAMERA, "ts": iso(6), "note": "van stops"},
    )
    t = site.get("investigator", f"/api/recordings/{CAMERA}/timeline", params=rng(-60, 60)).json()
    last = site.rec.index.latest(CAMERA)
    assert last is not None
    assert t["spans"] == [{"start": "2027-01-15T08:00:00.000Z", "end": ms(last.end)}]
    assert [(m["id"], m["phase"]) for m in t["marks"]] == [("ev-a", "start"), ("ev-b", "end")]
    assert [b["note"] for b in t["bookmarks"]] == ["van stops"]
    assert t["first"] == "2027-01-15T08:00:00Z"
    assert t["last"] == last.end.isoformat().replace("+00:00", "Z")


def test_scope_and_clearance_apply_to_thumbnails(site: Site) -> None:
    r = site.get("blind", f"/api/recordings/{CAMERA}/thumbnail.jpg", params={"t": iso(1)})
    assert r.status_code == 403
    r = site.get("teacher", f"/api/recordings/{CAMERA}/thumbnail.jpg", params={"t": iso(1)})
    assert r.status_code == 404


def test_a_player_reloading_its_playlist_is_audited_once_per_view(site: Site) -> None:
    """hls.js reloads a live-edge playlist every few seconds: one audit record per person,
    camera and range in a 5-minute window, not one per reload; another range is another."""
    url = f"/api/recordings/{CAMERA}/playlist.m3u8"
    before = len(_audit(site, "recording.play"))
    for _ in range(5):
        assert site.get("investigator", url, params=rng(1.0, 6.0)).status_code == 200
    assert len(_audit(site, "recording.play")) == before + 1
    assert site.get("investigator", url, params=rng(2.0, 6.0)).status_code == 200
    assert len(_audit(site, "recording.play")) == before + 2
    # a refusal is always recorded
    for _ in range(2):
        assert site.get("blind", url, params=rng(1.0, 6.0)).status_code == 403
    assert [r["outcome"] for r in _audit(site, "recording.play")[-2:]] == ["denied", "denied"]
