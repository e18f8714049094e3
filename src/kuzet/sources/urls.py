"""Which kind of source a URL is, and the FFmpeg options that make it behave.

Only files, RTSP and HTTP(S) are accepted: FFmpeg knows many more protocols
(``concat:``, ``subfile:``, ``tcp://``...) that a camera list has no business using.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from urllib.parse import urlsplit, urlunsplit


class SourceKind(StrEnum):
    FILE = "file"
    RTSP = "rtsp"
    HTTP = "http"


_SCHEMES = {
    "file": SourceKind.FILE,
    "rtsp": SourceKind.RTSP,
    "rtsps": SourceKind.RTSP,
    "http": SourceKind.HTTP,
    "https": SourceKind.HTTP,
}


class UnsupportedURLError(ValueError):
    """The URL's scheme is not one Kuzet reads."""


def source_kind(url: str) -> SourceKind:
    """Kind of ``url``; a plain path (no ``scheme://``) is a file."""
    if "://" not in url:
        return SourceKind.FILE
    scheme = url.split("://", 1)[0].lower()
    try:
        return _SCHEMES[scheme]
    except KeyError:
        raise UnsupportedURLError(
            f"unsupported URL scheme {scheme!r} (use a file path, rtsp://, http(s)://)"
        ) from None


def file_path(url: str) -> str:
    """The local path of a file source (``file://`` stripped)."""
    return url[len("file://") :] if url.lower().startswith("file://") else url


def redact(url: str) -> str:
    """URL without its password, for logs and statuses."""
    if "://" not in url:
        return url
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    netloc = f"{parts.username}:***@{host}" if parts.username else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def ffmpeg_options(
    kind: SourceKind, *, read_timeout_s: float, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Demuxer/protocol options; FFmpeg wants socket timeouts in microseconds.

    RTSP is forced onto TCP (UDP loses packets behind NAT and on busy links, which
    shows up as smeared frames). ``stimeout`` is gone from FFmpeg 5+; ``timeout`` is
    the RTSP socket I/O timeout there, and for HTTP it is the socket timeout.
    """
    micros = str(int(read_timeout_s * 1_000_000))
    opts: dict[str, str] = {}
    if kind is SourceKind.RTSP:
        opts = {"rtsp_transport": "tcp", "timeout": micros, "max_delay": "500000"}
    elif kind is SourceKind.HTTP:
        opts = {"timeout": micros, "rw_timeout": micros, "reconnect": "0"}
    if extra:
        opts.update(extra)
    return opts
