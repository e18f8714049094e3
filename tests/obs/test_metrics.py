from __future__ import annotations

from kuzet.core.camera import CameraState, CameraStatus
from kuzet.obs.metrics import Metrics


def _value(m: Metrics, name: str, labels: dict[str, str] | None = None) -> float | None:
    return m.registry.get_sample_value(name, labels or {})


def test_own_registries_do_not_clash() -> None:
    a, b = Metrics(), Metrics()
    a.frame("cam1", 5)
    assert _value(a, "kuzet_frames_total", {"camera_id": "cam1"}) == 5
    assert _value(b, "kuzet_frames_total", {"camera_id": "cam1"}) is None


def test_typed_methods() -> None:
    m = Metrics()
    cam = m.camera("cam1")
    assert m.camera("cam1") is cam  # cached handle for the hot path
    cam.frame()
    cam.dropped(2)
    cam.skipped(3)
    cam.reconnect()
    cam.set_fps(4.5)
    cam.set_state(CameraState.ONLINE)
    m.observe_detector(0.02, 4)
    m.set_queue_depth("detect", 7)
    m.event_published("zone_presence", 2)
    m.events_stored(10)
    m.set_ws_clients(3)
    m.ws_dropped()
    m.observe_frame_to_event(0.4)
    lab = {"camera_id": "cam1"}
    assert _value(m, "kuzet_frames_total", lab) == 1
    assert _value(m, "kuzet_dropped_frames_total", lab) == 2
    assert _value(m, "kuzet_skipped_frames_total", lab) == 3
    assert _value(m, "kuzet_reconnects_total", lab) == 1
    assert _value(m, "kuzet_camera_fps", lab) == 4.5
    assert _value(m, "kuzet_camera_state", {**lab, "kuzet_camera_state": "online"}) == 1
    assert _value(m, "kuzet_detector_latency_seconds_bucket", {"le": "0.02"}) == 1
    assert _value(m, "kuzet_detector_latency_seconds_bucket", {"le": "0.01"}) == 0
    assert _value(m, "kuzet_detector_batch_size_sum") == 4
    assert _value(m, "kuzet_queue_depth", {"queue": "detect"}) == 7
    assert _value(m, "kuzet_events_published_total", {"type": "zone_presence"}) == 2
    assert _value(m, "kuzet_events_stored_total") == 10
    assert _value(m, "kuzet_ws_clients") == 3
    assert _value(m, "kuzet_ws_dropped_total") == 1
    assert _value(m, "kuzet_frame_to_event_seconds_count") == 1


def test_observe_status_and_remove_camera() -> None:
    m = Metrics()
    m.observe_status([CameraStatus("c1", CameraState.FAILED, fps=0.0)])
    assert _value(m, "kuzet_camera_state", {"camera_id": "c1", "kuzet_camera_state": "failed"}) == 1
    m.remove_camera("c1")
    assert _value(m, "kuzet_camera_fps", {"camera_id": "c1"}) is None
    m.remove_camera("never-seen")  # no error
    body, ctype = m.render()
    assert ctype.startswith("text/plain") and b"kuzet_ws_clients" in body
