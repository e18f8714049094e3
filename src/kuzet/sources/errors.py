"""Turn whatever PyAV/FFmpeg raises into a short reason and a retry decision."""

from __future__ import annotations

import av

from kuzet.sources.urls import SourceKind, UnsupportedURLError


class SourceError(Exception):
    """A failure of one camera session; ``permanent`` ones are not retried."""

    def __init__(self, reason: str, *, permanent: bool, finished: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.finished = finished  # a normal end (file over), not a failure


def _first_line(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return str(text).splitlines()[0][:200]


def classify(exc: BaseException, kind: SourceKind) -> SourceError:
    """Reason and retry decision for ``exc``.

    A file that is missing or broken stays broken, so it fails for good; a network
    camera may come back after any error, so it is retried (the backoff policy
    decides for how long).
    """
    if isinstance(exc, SourceError):
        return exc
    if isinstance(exc, UnsupportedURLError):
        return SourceError(str(exc), permanent=True)
    is_file = kind is SourceKind.FILE
    reason: str
    if isinstance(exc, av.FileNotFoundError | FileNotFoundError):
        reason = "file not found" if is_file else "not found (404)"
    elif isinstance(exc, av.IsADirectoryError | IsADirectoryError):
        reason = "is a directory"
    elif isinstance(exc, av.PermissionError | PermissionError):
        reason = "permission denied"
    elif isinstance(exc, av.ConnectionRefusedError | ConnectionRefusedError):
        reason = "connection refused"
    elif isinstance(exc, av.ConnectionResetError | ConnectionResetError):
        reason = "connection reset"
    elif isinstance(exc, av.ExitError | av.TimeoutError | TimeoutError):
        reason = "timed out"
    elif isinstance(exc, av.HTTPUnauthorizedError | av.HTTPForbiddenError):
        reason = "unauthorized"
    elif isinstance(exc, av.HTTPNotFoundError):
        reason = "not found (404)"
    elif isinstance(exc, av.HTTPError):
        reason = f"HTTP error: {_first_line(exc)}"
    elif isinstance(exc, av.DecoderNotFoundError):
        reason = "unsupported codec"
    elif isinstance(exc, av.InvalidDataError):
        reason = "corrupt file: invalid data" if is_file else "invalid data in stream"
    elif isinstance(exc, av.ProtocolNotFoundError):
        return SourceError("unsupported protocol", permanent=True)
    elif isinstance(exc, av.EOFError | EOFError):
        reason = "unexpected end of file" if is_file else "stream ended"
    elif isinstance(exc, OSError | av.FFmpegError):
        reason = _first_line(exc)
    else:
        reason = f"{type(exc).__name__}: {_first_line(exc)}"
    return SourceError(reason, permanent=is_file)
