import itertools

import pytest

from kuzet.sources import (
    RateSampler,
    SourceKind,
    Timeline,
    UnsupportedURLError,
    ffmpeg_options,
    redact,
    source_kind,
)


def test_sampler_halves_10fps_to_5fps() -> None:
    s = RateSampler(5)
    kept = [i / 10 for i in range(100) if s.accept(i / 10)]
    assert len(kept) == 50
    assert all(b - a == pytest.approx(0.2) for a, b in itertools.pairwise(kept))


def test_sampler_keeps_all_of_a_slower_source_and_does_not_burst_after_gap() -> None:
    s = RateSampler(5)
    assert all(s.accept(t) for t in [0, 0.5, 1.0, 1.5])
    assert s.accept(10.0)  # a gap: first frame after it is kept...
    assert not s.accept(10.04)  # ...but no catch-up burst


def test_timeline_rebases_each_session_after_the_last_pts() -> None:
    tl = Timeline()
    tl.new_session(0.1)
    first = [tl.map(t) for t in (0.0, 0.1, 0.2)]
    tl.new_session(0.1)  # a loop or reconnect restarts the source clock at 0
    second = [tl.map(t) for t in (0.0, 0.1)]
    assert first + second == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4])


def test_timeline_keeps_a_clock_that_continues() -> None:
    tl = Timeline()
    tl.new_session(0.1)
    tl.map(5.0)
    tl.new_session(0.1)
    assert tl.map(9.0) == 9.0


def test_url_kinds_and_options() -> None:
    assert source_kind("/data/a.mp4") is SourceKind.FILE
    assert source_kind("file:///data/a.mp4") is SourceKind.FILE
    assert source_kind("RTSP://cam/1") is SourceKind.RTSP
    assert source_kind("https://cam/mjpeg") is SourceKind.HTTP
    with pytest.raises(UnsupportedURLError, match="unsupported URL scheme 'ftp'"):
        source_kind("ftp://x/y")
    opts = ffmpeg_options(SourceKind.RTSP, read_timeout_s=2.5)
    assert opts["rtsp_transport"] == "tcp" and opts["timeout"] == "2500000"
    assert ffmpeg_options(SourceKind.FILE, read_timeout_s=1) == {}


def test_redact_hides_password() -> None:
    assert redact("rtsp://admin:secret@10.0.0.5:554/s1") == "rtsp://admin:***@10.0.0.5:554/s1"
    assert redact("/a/b.mp4") == "/a/b.mp4"
