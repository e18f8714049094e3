"""ONVIF discovery, profiles, stream URIs and PTZ against the test's ONVIF simulator
(tests/integrations/onvif_sim.py: written for these tests, not a real camera)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from kuzet.config.integrations import OnvifCamera
from kuzet.integrations.discovery import discover
from kuzet.integrations.onvif import OnvifClient, OnvifError

from .onvif_sim import OnvifSimulator


@pytest.fixture
def sim() -> Iterator[OnvifSimulator]:
    s = OnvifSimulator().start()
    yield s
    s.stop()


def client(sim: OnvifSimulator, password: str | None = None) -> OnvifClient:
    cam = OnvifCamera(camera_id="ptz-1", url=sim.url, username=sim.username,
                      password=SecretStr(password or sim.password))  # fmt: skip
    return OnvifClient(cam, timeout_s=5)


def test_ws_discovery_finds_the_camera_and_ignores_other_answers(sim: OnvifSimulator) -> None:
    found = discover(1.0, ("127.0.0.1", sim.udp_port))
    assert len(found) == 1  # the stray ProbeMatch for another MessageID was dropped
    f = found[0]
    assert f.endpoint == sim.endpoint and f.xaddrs == [sim.url]
    assert f.scope("name") == "Sim PTZ" and f.scope("hardware") == "SIM-1"


def test_profiles_and_stream_uri(sim: OnvifSimulator) -> None:
    c = client(sim)
    profiles = c.profiles()
    assert [(p.token, p.width, p.height, p.ptz) for p in profiles] == [
        ("main", 1920, 1080, True), ("sub", 640, 360, False),
    ]  # fmt: skip
    assert c.stream_uri("sub") == "rtsp://127.0.0.1:8554/sub"
    assert ("GetStreamUri", {"profile": "sub"}) in sim.calls


def test_ptz_move_stop_and_presets(sim: OnvifSimulator) -> None:
    c = client(sim)
    profile = c.ptz_profile()
    assert profile == "main"
    c.continuous_move(profile, 0.5, -0.25, 0.0, 1.5)
    assert sim.velocity == (0.5, -0.25, 0.0)
    assert sim.calls[-1][1]["timeout"] == "PT1.5S"
    c.stop(profile)
    assert sim.velocity == (0.0, 0.0, 0.0)
    assert [(p.token, p.name) for p in c.presets(profile)] == [("1", "Gate")]
    c.goto_preset(profile, "1")
    assert sim.position == (0.5, -0.2, 0.0)
    token = c.set_preset(profile, "Crossing")
    assert (token, "Crossing") in [(p.token, p.name) for p in c.presets(profile)]
    with pytest.raises(OnvifError, match="NoToken"):
        c.goto_preset(profile, "99")


def test_wrong_password_is_refused_with_a_clear_error(sim: OnvifSimulator) -> None:
    with pytest.raises(OnvifError, match="NotAuthorized"):
        client(sim, password="wrong-password").profiles()
    assert sim.calls == [("refused:GetCapabilities", {})]


def test_camera_without_ptz_says_so() -> None:
    s = OnvifSimulator(ptz=False).start()
    try:
        with pytest.raises(OnvifError, match="no PTZ service"):
            client(s).presets("main")
    finally:
        s.stop()


def test_unreachable_camera_is_a_clear_error() -> None:
    cam = OnvifCamera(camera_id="gone", url="http://127.0.0.1:9/onvif/device_service")
    with pytest.raises(OnvifError, match=r"gone.*unreachable"):
        OnvifClient(cam, timeout_s=1).profiles()
