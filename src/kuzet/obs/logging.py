"""Structured logging on the stdlib only: JSON lines for machines, text for humans.

Both formatters pass the final rendered line through :func:`kuzet.obs.redact.redact`,
so a camera URL with a password is masked wherever it appears (message, args,
``extra`` fields, tracebacks).
"""

from __future__ import annotations

import json as _json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from kuzet.obs.redact import redact

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None))) | {
    "message",
    "asctime",
    "taskName",
}

_HANDLER_MARK = "_kuzet_handler"


def _extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    """``extra=`` fields; private ones a library stamps on every record (Ray's record
    factory adds ``_ray_timestamp_ns``) are not ours to print."""
    return {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS and k[:1] != "_"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``ts, level, logger, msg``, then ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in _extra_fields(record).items():
            out.setdefault(key, value)
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        line = _json.dumps(out, default=str, ensure_ascii=False)
        return redact(line)


class TextFormatter(logging.Formatter):
    """Human-readable line; ``extra`` fields are appended as ``key=value``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extra = _extra_fields(record)
        if extra:
            line += " " + " ".join(f"{k}={v}" for k, v in extra.items())
        return redact(line)


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is at each record, as logging's own last-resort
    handler does: a stream swapped and closed later (a test runner's capture, a
    daemoniser) never turns logging into "--- Logging error ---"."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _: TextIO) -> None:
        pass


def setup_logging(
    level: int | str = "INFO", json: bool = False, *, stream: TextIO | None = None
) -> logging.Handler:
    """Install one handler on the root logger (idempotent: replaces our previous one).

    Handlers that others installed are left alone; uvicorn's loggers propagate to root
    when started with ``log_config=None``.
    """
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, _HANDLER_MARK, False):
            root.removeHandler(h)
    handler: logging.Handler = (
        logging.StreamHandler(stream) if stream is not None else _StderrHandler()
    )
    handler.setFormatter(JsonFormatter() if json else TextFormatter())
    setattr(handler, _HANDLER_MARK, True)
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    return handler
