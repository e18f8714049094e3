"""Full-frame-rate live video over a WebSocket (fMP4 fragments for MSE): it plays, it
is refused to uncleared roles (audited), and it ends within seconds of logout."""

from __future__ import annotations

import io
import json
import time
from typing import Any

import av
import pytest
from starlette.websockets import WebSocketDisconnect
from tests.api.test_playback import CAMERA, Site, h264_clip, site

from kuzet.api import stream

__all__ = ["h264_clip", "site"]  # fixtures
URL = f"/api/ws/recordings/{CAMERA}/live"


def test_live_video_plays_at_the_full_frame_rate(site: Site) -> None:
    with site.city.client.websocket_connect(URL, headers=site.city.h("investigator")) as ws:
        head = json.loads(ws.receive_text())
        assert head["type"] == "init" and head["mime"].startswith('video/mp4; codecs="avc1.')
        assert (head["width"], head["height"]) == (640, 360)
        init = ws.receive_bytes()
        assert b"moov" in init[:64] or b"moov" in init
        t0 = time.monotonic()
        frags = [ws.receive_bytes() for _ in range(50)]
        took = time.monotonic() - t0
    with av.open(io.BytesIO(init + b"".join(frags))) as c:
        frames = list(c.decode(video=0))
    assert len(frames) == 50  # one fragment per frame, all of them decode
    assert frames[0].key_frame  # a viewer starts at a keyframe
    assert took > 1.0  # paced at the camera's 25 fps, not a burst (a busy machine only slows it)
    assert site.city.svc.audit.rows(action="recording.live")[-1]["outcome"] == "ok"


def _refused(site: Site, who: str) -> int:
    try:
        with site.city.client.websocket_connect(URL, headers=site.city.h(who)) as ws:
            ws.receive_text()
    except WebSocketDisconnect as exc:
        return exc.code
    return 0


def test_live_video_is_refused_without_clearance_and_audited(site: Site) -> None:
    assert _refused(site, "oper") == 1008  # no biometric clearance: cannot blur at 25 fps
    assert _refused(site, "blind") == 1008
    assert _refused(site, "teacher") == 1008  # out of scope
    assert _refused(site, "analyst") == 1008  # no permission
    rows = {r["actor"]: r for r in site.city.svc.audit.rows(action="recording.live")}
    assert rows["oper"]["outcome"] == "denied" and "biometric" in rows["oper"]["detail"]["refused"]


def test_live_video_ends_soon_after_logout(site: Site, monkeypatch: Any) -> None:
    monkeypatch.setattr(stream, "RECHECK_S", 0.1)
    with site.city.client.websocket_connect(URL, headers=site.city.h("investigator")) as ws:
        ws.receive_text()
        ws.receive_bytes()
        ws.receive_bytes()
        r = site.city.client.post("/api/auth/logout", headers=site.city.h("investigator"))
        assert r.status_code == 204
        after = 0
        with pytest.raises(WebSocketDisconnect) as closed:
            for _ in range(1000):  # ~40 s of video if the stream were left open
                ws.receive_bytes()
                after += 1
        assert closed.value.code == 1008
        # "within seconds", counted in video (25 fps), not wall time: a busy machine sends
        # fewer frames in the same seconds, never more
        assert after < 6 * 25, after
    assert site.ev.live.viewers() == 0  # the relay let the viewer go


def test_live_video_shares_the_recorders_connection(site: Site, tmp_path: Any) -> None:
    """A recorded camera's live view takes the recorder's packets (its tap), opening no
    second connection to the camera."""
    from kuzet.config.record import CameraRecordSettings, RecordMode
    from kuzet.record import SegmentIndex
    from kuzet.record.camera import CameraRecorder
    from kuzet.schema import open_store
    from kuzet.storage import LocalVolume

    st = CameraRecordSettings(mode=RecordMode.CONTINUOUS, segment_s=3.0, pre_s=0, post_s=0,
                              days=None, volume="live")  # fmt: skip
    # its own index: the fixture's recording lies in 2027, which a recorder would continue
    store = open_store(f"sqlite:///{tmp_path / 'live.db'}")
    rec = CameraRecorder(CAMERA, str(site.clip), st, LocalVolume("live", tmp_path / "live"),
                         SegmentIndex(store.engine), loop=True, realtime=True)  # fmt: skip
    site.rec.recorders = {CAMERA: rec}  # type: ignore[attr-defined]
    rec.start()
    try:
        with site.city.client.websocket_connect(URL, headers=site.city.h("investigator")) as ws:
            assert json.loads(ws.receive_text())["type"] == "init"
            init = ws.receive_bytes()
            frags = [ws.receive_bytes() for _ in range(30)]
            assert site.ev.live._relays[CAMERA].source == "recorder"
            assert not rec._listeners or len(rec._listeners) == 1
        with av.open(io.BytesIO(init + b"".join(frags))) as c:
            assert sum(1 for _ in c.decode(video=0)) == 30
        for _ in range(50):
            if not rec._listeners:
                break
            time.sleep(0.1)
        assert rec._listeners == []  # the relay let go of the recorder when the viewer left
    finally:
        rec.stop()
        store.close()
