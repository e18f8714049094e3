"""Camera sources: PyAV (FFmpeg) readers for files, RTSP and HTTP(S).

One :class:`CameraReader` per camera, each on its own thread; a failing camera only
changes its own :class:`~kuzet.core.CameraStatus`.
"""

from kuzet.sources.backoff import ReconnectPolicy, backoff_delay, backoff_delays
from kuzet.sources.errors import SourceError, classify
from kuzet.sources.factory import SOURCES, reader_for
from kuzet.sources.reader import CameraReader
from kuzet.sources.timing import RateSampler, Timeline
from kuzet.sources.urls import SourceKind, UnsupportedURLError, ffmpeg_options, redact, source_kind

__all__ = [
    "SOURCES",
    "CameraReader",
    "RateSampler",
    "ReconnectPolicy",
    "SourceError",
    "SourceKind",
    "Timeline",
    "UnsupportedURLError",
    "backoff_delay",
    "backoff_delays",
    "classify",
    "ffmpeg_options",
    "reader_for",
    "redact",
    "source_kind",
]
