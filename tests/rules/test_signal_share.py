"""A traffic-light report fed to one process (an API replica, the device gateway) is judged
by the red-light rule of its camera in another (a worker shard): the boards share reports
over the bus's announcements, across two connections to a real nats-server."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from nats_server import url_fixture
from tests.rules.helpers import T0
from tests.rules.test_signals import controller_verdicts, iso

from kuzet.config.models import NatsBusConfig
from kuzet.events import MemoryBus, create_bus
from kuzet.events.base import Bus
from kuzet.rules.signal_share import TOPIC, SignalShare
from kuzet.rules.signals import SignalBoard

nats_url = url_fixture("module")  # the tests read a stream whole: a server of their own


def until(check: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_a_controller_fed_to_the_api_is_judged_by_the_worker(nats_url: str) -> None:
    api_bus, worker_bus = (create_bus(NatsBusConfig(servers=[nats_url])) for _ in range(2))
    api_board, worker_board = SignalBoard(), SignalBoard()
    api = SignalShare(api_bus, api_board)  # an API replica lists every signal
    worker = SignalShare(worker_bus, worker_board, cameras=["cam"])  # its own cameras
    try:
        # what POST /api/signals does on the replica the controller reached
        assert api_board.put("cam", "ctl", "green", T0) is True
        assert api_board.put("cam", "ctl", "red", T0 + 4.0) is True  # red from frame 20
        api_board.put("other-cam", "ctl", "red", T0)  # not the worker's camera
        api_board.put("cam", "ctl", "green", T0 + 8.0)  # green from frame 40
        until(lambda: worker.heard == 3, "the worker to hear the three reports of its camera")
        assert api.heard == 0  # its own reports are not recorded twice
        assert {r["camera_id"] for r in worker_board.current()} == {"cam"}

        events = controller_verdicts(worker_board)
        assert [e.track_id for e in events] == [2]  # only the car that crossed on red
        a = events[0].attributes
        assert (a["signal_state"], a["signal_source"], a["signal_since"]) == (
            "red",
            "controller",
            iso(20),
        )
        # the reports are not events: nothing of them is in the stream the store reads
        assert worker_bus.subscribe("store-probe").fetch(10, 0.5) == []
    finally:
        api.close()
        worker.close()
        api_bus.close()
        worker_bus.close()


@pytest.mark.parametrize("kind", ["memory", "nats"])
def test_listening_filters_by_camera_and_stops(kind: str, request: pytest.FixtureRequest) -> None:
    if kind == "memory":
        bus: Bus = MemoryBus()
    else:
        bus = create_bus(NatsBusConfig(servers=[request.getfixturevalue("nats_url")]))
    heard: list[tuple[str, bytes]] = []
    stop = bus.listen(TOPIC, lambda key, data: heard.append((key, data)), ["cam.1", "cam-2"])
    everything: list[str] = []
    stop_all = bus.listen(TOPIC, lambda key, data: everything.append(key))
    try:
        for key in ("cam.1", "cam-9", "cam-2"):
            bus.announce(TOPIC, key, key.encode())
        bus.announce("another-topic", "cam.1", b"x")
        until(lambda: len(everything) == 3, "all three announcements")
        until(lambda: len(heard) == 2, "the two listened for")
        assert sorted(heard) == [("cam-2", b"cam-2"), ("cam.1", b"cam.1")]
        assert sorted(everything) == ["cam-2", "cam-9", "cam.1"]
        stop()  # returns once the server has the unsubscribe
        bus.announce(TOPIC, "cam-2", b"late")
        until(lambda: len(everything) == 4, "the fourth announcement")
        assert len(heard) == 2  # stopped
    finally:
        stop_all()
        bus.close()


def test_bad_reports_are_refused_and_close_stops_the_relay() -> None:
    bus = MemoryBus()
    board, other = SignalBoard(), SignalBoard()
    share, other_share = SignalShare(bus, board), SignalShare(bus, other)
    for data in (b"not json", b'{"signal": "s", "state": "purple", "at": 1}', b"[1, 2]",
                 b'{"signal": "s", "state": "red"}'):  # fmt: skip
        bus.announce(TOPIC, "cam", data)
    assert (share.refused, share.heard) == (4, 0)
    assert board.current() == []
    board.put("cam", "s", "red", T0)
    assert other.state_at("cam", "s", T0 + 1).state == "red"
    share.close()
    board.put("cam", "s", "green", T0 + 2)  # relayed no more
    assert other.state_at("cam", "s", T0 + 3).state == "red"
    other_share.close()
    bus.close()


class _NoDetector:
    labels = ("car",)  # the service is built, never started: nothing is detected


def test_the_service_shares_the_process_board(tmp_path: Path) -> None:
    """``kuzet serve`` relays its board: a report another process announced for one of its
    cameras is read by its rules (the process's board, kuzet.rules.signals.BOARD)."""
    from kuzet.config.models import SiteConfig
    from kuzet.rules.signals import BOARD
    from kuzet.service import Service

    site = SiteConfig.model_validate({
        "data_dir": str(tmp_path), "store": {"url": f"sqlite:///{tmp_path / 'k.db'}"},
        "cameras": [{"id": "junction-3", "main_url": str(tmp_path / "none.mp4")}],
    })  # fmt: skip
    svc = Service(site, detector=_NoDetector(), realtime=False)  # type: ignore[arg-type]
    try:
        assert svc.signals.board is BOARD
        elsewhere = SignalBoard()
        share = SignalShare(svc.bus, elsewhere)  # another process on the same bus
        elsewhere.put("junction-3", "main", "red", T0)
        elsewhere.put("junction-4", "main", "red", T0)  # not a camera of this service
        assert BOARD.state_at("junction-3", "main", T0 + 1).state == "red"
        assert BOARD.state_at("junction-4", "main", T0 + 1).state == "unknown"
        share.close()
    finally:
        svc.signals.close()
        svc.bus.close()
        svc.store.close()
