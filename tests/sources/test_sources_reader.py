"""The reader on real footage and on every kind of broken input."""

from __future__ import annotations

import itertools
import socket
import threading
import time
from pathlib import Path

import pytest

from kuzet.core import CameraState, CameraStatus, Frame
from kuzet.sources import CameraReader, ReconnectPolicy

FAST = ReconnectPolicy(initial=0.05, max=0.2, stall_s=3)


def _read_all(reader: CameraReader, limit: int | None = None) -> list[Frame]:
    return list(itertools.islice(reader.frames(threading.Event()), limit))


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_vtest_at_5fps_gives_every_other_frame(vtest: Path) -> None:
    seen: list[CameraStatus] = []
    reader = CameraReader("vtest", str(vtest), fps=5, on_status=seen.append)
    frames = _read_all(reader)
    assert len(frames) == 398  # 795 frames at 10 fps, 0.2 s apart
    assert reader.decoded_frames == 795 and reader.skipped_frames == 397
    gaps = {round(b.pts - a.pts, 3) for a, b in itertools.pairwise(frames)}
    assert gaps == {0.2}
    assert [f.index for f in frames] == list(range(398))
    assert frames[0].image.shape == (576, 768, 3) and frames[0].image.dtype.name == "uint8"
    st = reader.status
    assert st.state is CameraState.FINISHED and st.frames == 398 and st.dropped_frames == 0
    assert [s.state for s in seen] == [CameraState.ONLINE, CameraState.FINISHED]


def test_max_width_downscales_in_the_decoder(short_clip: Path) -> None:
    frames = _read_all(CameraReader("c", str(short_clip), fps=5, max_width=320), 3)
    assert frames[0].image.shape == (180, 320, 3)


def test_loop_replays_with_increasing_pts(short_clip: Path) -> None:
    reader = CameraReader("loop", f"file://{short_clip}", fps=5, loop=True)
    frames = _read_all(reader, 35)  # 2 s clip = 10 frames a pass: 3.5 passes
    pts = [f.pts for f in frames]
    assert all(b > a for a, b in itertools.pairwise(pts))
    assert pts[-1] == pytest.approx(6.8, abs=0.05)
    assert reader.status.state is CameraState.STOPPED  # the consumer stopped, not the file


def test_keyframes_only_decodes_fewer_frames(clip: Path) -> None:
    full = CameraReader("full", str(clip), fps=25)
    n_full = len(_read_all(full))
    key = CameraReader("key", str(clip), fps=25)
    key.set_keyframes_only(True)
    frames = _read_all(key)
    assert key.decoded_frames < full.decoded_frames / 10  # 1 s GOP at 25 fps
    assert frames and all(f.keyframe for f in frames) and len(frames) < n_full
    assert key.status.keyframes_only


def test_keyframes_only_can_be_switched_mid_stream(clip: Path) -> None:
    reader = CameraReader("sw", str(clip), fps=25)
    it = reader.frames(threading.Event())
    for _ in range(10):
        next(it)
    reader.set_keyframes_only(True)
    rest = list(it)
    # Frames already inside the threaded decoder still come out; then keyframes only.
    assert len(rest) > 8 and all(f.keyframe for f in rest[8:])
    assert reader.decoded_frames < 100  # 200 frames in the clip


@pytest.mark.parametrize(
    ("name", "state", "reason"),
    [
        ("missing", CameraState.FAILED, "file not found"),
        ("random", CameraState.FAILED, None),
        ("truncated", CameraState.FINISHED, "end of file"),
        ("audio_only", CameraState.FAILED, "no video stream"),
        ("empty", CameraState.FAILED, None),
        ("directory", CameraState.FAILED, "is a directory"),
    ],
)
def test_bad_files_end_with_a_clear_status(
    bad_files: dict[str, Path], name: str, state: CameraState, reason: str | None
) -> None:
    reader = CameraReader(name, str(bad_files[name]), fps=5)
    _read_all(reader)
    st = reader.status
    assert st.state is state, st
    assert st.reason
    if reason:
        assert reason in st.reason


def test_truncated_file_still_gives_its_frames(bad_files: dict[str, Path]) -> None:
    frames = _read_all(CameraReader("t", str(bad_files["truncated"]), fps=5))
    assert 50 < len(frames) < 398


def test_unsupported_scheme_fails_without_trying() -> None:
    reader = CameraReader("ftp", "ftp://127.0.0.1/x.mp4", fps=5)
    assert _read_all(reader) == []
    assert reader.status.state is CameraState.FAILED
    assert "unsupported URL scheme 'ftp'" in (reader.status.reason or "")


@pytest.mark.parametrize("scheme", ["rtsp", "http"])
def test_refused_connection_keeps_retrying_until_stopped(scheme: str) -> None:
    url = f"{scheme}://127.0.0.1:{_closed_port()}/cam"
    reader = CameraReader("down", url, fps=5, policy=FAST, open_timeout_s=2)
    stop = threading.Event()
    th = threading.Thread(target=lambda: _read_all_until(reader, stop))
    th.start()
    deadline = time.monotonic() + 5
    while reader.status.state is not CameraState.RECONNECTING and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)  # several attempts
    st = reader.status
    stop.set()
    th.join(5)
    assert not th.is_alive()
    assert st.state is CameraState.RECONNECTING and st.reason == "connection refused"
    assert reader.status.state is CameraState.STOPPED


def _read_all_until(reader: CameraReader, stop: threading.Event) -> None:
    for _ in reader.frames(stop):
        pass


def test_network_camera_gives_up_after_max_attempts() -> None:
    policy = ReconnectPolicy(initial=0.01, max=0.02, max_attempts=2)
    reader = CameraReader("gone", f"rtsp://127.0.0.1:{_closed_port()}/x", fps=5, policy=policy)
    assert _read_all(reader) == []
    assert reader.status.state is CameraState.FAILED
    assert "gave up after 2 retries" in (reader.status.reason or "")


def test_a_bad_camera_never_disturbs_a_good_one(
    short_clip: Path, bad_files: dict[str, Path]
) -> None:
    stop = threading.Event()
    good = CameraReader("good", str(short_clip), fps=5, loop=True)
    bad = [CameraReader(n, str(p), fps=5) for n, p in bad_files.items()]
    bad.append(CameraReader("net", f"rtsp://127.0.0.1:{_closed_port()}/x", fps=5, policy=FAST))
    bad.append(CameraReader("scheme", "gopher://x", fps=5))
    good_frames: list[float] = []

    def run_good() -> None:
        for f in good.frames(stop):
            good_frames.append(f.pts)
            time.sleep(0.005)

    threads = [threading.Thread(target=run_good)]
    threads += [threading.Thread(target=_read_all_until, args=(r, stop)) for r in bad]
    for th in threads:
        th.start()
    time.sleep(1.5)
    n_mid = len(good_frames)
    time.sleep(0.5)
    stop.set()
    for th in threads:
        th.join(5)
    assert not any(th.is_alive() for th in threads)
    assert n_mid > 20 and len(good_frames) > n_mid  # still delivering after the others broke
    states = {r.camera_id: r.status.state for r in bad}
    assert states["missing"] is CameraState.FAILED and states["net"] is CameraState.STOPPED
    assert good.status.state is CameraState.STOPPED and good.status.reconnects == 0


def test_status_callback_errors_do_not_stop_the_camera(short_clip: Path) -> None:
    def boom(_: CameraStatus) -> None:
        raise RuntimeError("callback bug")

    frames = _read_all(CameraReader("cb", str(short_clip), fps=5, on_status=boom))
    assert len(frames) == 10


def test_realtime_paces_a_file_to_its_pts(short_clip: Path) -> None:
    t0 = time.monotonic()
    frames = _read_all(CameraReader("rt", str(short_clip), fps=5, realtime=True), 6)
    assert time.monotonic() - t0 >= 0.9  # 6 frames span 1.0 s of media time
    assert len(frames) == 6
