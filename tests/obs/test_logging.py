from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from kuzet.obs.logging import setup_logging
from kuzet.obs.redact import redact, restore_redacted


@pytest.fixture
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("rtsp://user:pass@10.0.0.7/s", "rtsp://user:***@10.0.0.7/s"),
        (
            "open rtsp://admin:p:a/ss@cam.local:554/x now",
            "open rtsp://admin:***@cam.local:554/x now",
        ),
        ("http://:token@h/", "http://:***@h/"),
        ("a rtsp://u:1@h and rtsp://v:2@k", "a rtsp://u:***@h and rtsp://v:***@k"),
        ("http://h/x?password=hunter2&x=1", "http://h/x?password=***&x=1"),
        ("rtsp://10.0.0.7:554/stream", "rtsp://10.0.0.7:554/stream"),  # no credentials
        ("rtsp://user@10.0.0.7/s", "rtsp://user@10.0.0.7/s"),
        ("plain message", "plain message"),
    ],
)
def test_redact(raw: str, masked: str) -> None:
    assert redact(raw) == masked


def test_restore_redacted_keeps_only_matching_secret() -> None:
    old = "rtsp://u:secret@h/s"
    assert restore_redacted("rtsp://u:***@h/s", old) == old
    assert restore_redacted("rtsp://u:***@other/s", old) == "rtsp://u:***@other/s"
    assert restore_redacted("rtsp://u:new@h/s", old) == "rtsp://u:new@h/s"


def test_json_lines_with_extra_and_redaction(restore_root: None) -> None:
    buf = io.StringIO()
    setup_logging("DEBUG", json=True, stream=buf)
    log = logging.getLogger("kuzet.test")
    log.info("connecting to %s", "rtsp://admin:s3cret@10.0.0.7/main", extra={"camera_id": "c1"})
    log.warning("extra carries it too", extra={"url": "rtsp://a:b@h/x", "n": 3})
    try:
        raise RuntimeError("failed rtsp://x:topsecret@h")
    except RuntimeError:
        log.exception("boom")

    lines = [json.loads(line) for line in buf.getvalue().splitlines()]
    assert len(lines) == 3
    first = lines[0]
    assert set(first) >= {"ts", "level", "logger", "msg", "camera_id"}
    assert first["level"] == "INFO" and first["logger"] == "kuzet.test"
    assert first["msg"] == "connecting to rtsp://admin:***@10.0.0.7/main"
    assert first["camera_id"] == "c1"
    assert lines[1]["url"] == "rtsp://a:***@h/x" and lines[1]["n"] == 3
    assert "topsecret" not in lines[2]["exc"] and "RuntimeError" in lines[2]["exc"]
    assert "s3cret" not in buf.getvalue()


def test_text_format_and_idempotent_setup(restore_root: None) -> None:
    buf = io.StringIO()
    setup_logging("INFO", json=False, stream=io.StringIO())
    setup_logging("INFO", json=False, stream=buf)  # replaces, does not stack
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_kuzet_handler", False)]
    assert len(ours) == 1
    logging.getLogger("kuzet.x").info("url %s", "rtsp://u:pw@h", extra={"camera_id": "c9"})
    logging.getLogger("kuzet.x").debug("not shown")
    out = buf.getvalue()
    assert "rtsp://u:***@h" in out and "camera_id=c9" in out and "pw@" not in out
    assert "not shown" not in out


def test_a_stderr_swapped_and_closed_later_breaks_no_log_record(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Test runners and daemonisers replace sys.stderr: records follow the current one."""
    import io
    import logging
    import sys

    from kuzet.obs.logging import setup_logging

    first = io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    setup_logging("INFO")
    logging.getLogger("kuzet.test").info("one")
    first.close()
    second = io.StringIO()
    monkeypatch.setattr(sys, "stderr", second)
    logging.getLogger("kuzet.test").info("two")
    assert "two" in second.getvalue() and "Logging error" not in second.getvalue()


def test_private_attributes_a_library_adds_are_not_fields(restore_root: None) -> None:
    """Ray's record factory stamps every record with ``_ray_timestamp_ns``: once a process
    had joined Ray, each line of ours carried it. Private attributes are not fields."""
    buf = io.StringIO()
    setup_logging("INFO", json=False, stream=buf)
    old = logging.getLogRecordFactory()

    def stamped(*args: object, **kwargs: object) -> logging.LogRecord:
        record = old(*args, **kwargs)
        record._ray_timestamp_ns = 1796559182795932454  # type: ignore[attr-defined]
        return record

    logging.setLogRecordFactory(stamped)
    try:
        logging.getLogger("kuzet.x").info("shard started", extra={"shard": "s1"})
    finally:
        logging.setLogRecordFactory(old)
    out = buf.getvalue()
    assert "shard=s1" in out and "_ray_timestamp_ns" not in out
