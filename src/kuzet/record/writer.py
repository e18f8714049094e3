"""One segment: packets muxed (never decoded) into a fragmented MP4 staging file.

``movflags=frag_keyframe+empty_moov+default_base_moof``: the header goes out at once and
each GOP is appended as a self-contained ``moof+mdat`` fragment when the next keyframe
arrives, so the file on disk is always a playable prefix plus at most one torn fragment.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import av.container
import av.packet

from kuzet.record.fmp4 import complete_length, init_size, is_whole
from kuzet.storage.base import StorageError, StorageFull

MOVFLAGS = "frag_keyframe+empty_moov+default_base_moof"
LOW_SPACE = 4 << 20  # below this much free space a failed write is taken for a full disk
MP4_CODECS = frozenset({"h264", "hevc", "mjpeg", "mpeg4", "av1", "vp9"})


@dataclass(frozen=True, slots=True)
class ClosedFile:
    path: Path
    start: float  # wall time (Unix seconds) of the first frame
    end: float
    bytes: int
    init_size: int
    packets: int


def _is_full(exc: BaseException) -> bool:
    return getattr(exc, "errno", None) == errno.ENOSPC or "No space left" in str(exc)


def write_error(exc: BaseException, what: str) -> StorageError:
    if _is_full(exc):
        return StorageFull(f"{what}: no space left on device")
    return StorageError(f"{what}: {exc}")


class SegmentWriter:
    """Muxes the packets of one input video stream into ``path`` (a staging file).

    Timestamps are rebased so the segment starts at 0: every segment is a standalone MP4.
    The first packet written must be a keyframe.
    """

    def __init__(self, template: Any, path: Path, start: float, *, fsync: bool = True) -> None:
        self.path = path
        self.start = start
        self.last = start
        self.fsync = fsync
        self.packets = 0
        self._base: int | None = None
        self._last_dts: int | None = None
        self.skipped = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._out: av.container.OutputContainer = av.open(
                str(path), "w", format="mp4", options={"movflags": MOVFLAGS}
            )
            self._stream = self._out.add_stream_from_template(template)
        except (OSError, av.FFmpegError) as exc:
            self._out = None  # type: ignore[assignment]
            with contextlib.suppress(OSError):
                path.unlink()
            raise write_error(exc, f"cannot open {path.name}") from None

    def write(self, packet: av.packet.Packet, wall: float) -> None:
        dts = packet.dts if packet.dts is not None else packet.pts
        if dts is not None and self._last_dts is not None and dts <= self._last_dts:
            self.skipped += 1  # a camera's timestamp glitch: MP4 needs increasing dts
            return
        self._last_dts = dts
        if self._base is None:
            self._base = packet.dts if packet.dts is not None else packet.pts
        base = self._base or 0
        if packet.pts is not None:
            packet.pts -= base
        if packet.dts is not None:
            packet.dts -= base
        packet.stream = self._stream
        try:
            self._out.mux(packet)
        except (OSError, av.FFmpegError) as exc:
            raise write_error(exc, f"writing {self.path.name}") from None
        self.packets += 1
        self.last = wall

    def close(self, end: float) -> ClosedFile:
        """Finish the file (flush the last fragment) and make it durable."""
        try:
            self._out.close()
        except (OSError, av.FFmpegError) as exc:
            raise write_error(exc, f"closing {self.path.name}") from None
        if self.fsync:
            try:
                fd = os.open(self.path, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            except OSError as exc:
                raise write_error(exc, f"flushing {self.path.name}") from None
        if not is_whole(self.path):  # a write failed that FFmpeg did not report
            low = shutil.disk_usage(self.path.parent).free < LOW_SPACE
            what = f"closing {self.path.name}: the file on disk is incomplete"
            raise StorageFull(f"{what}: no space left on device") if low else StorageError(what)
        size = self.path.stat().st_size
        return ClosedFile(self.path, self.start, max(end, self.start), size,
                          init_size(self.path), self.packets)  # fmt: skip

    def salvage(self, check: Callable[[Path], float]) -> ClosedFile | None:
        """After a write error: keep the whole fragments already on disk, if ``check``
        (demux + decode, returns the duration in seconds) accepts them; else drop all."""
        with contextlib.suppress(Exception):
            self._out.close()
        try:
            keep = complete_length(self.path)
            if keep <= 0:
                self.path.unlink(missing_ok=True)
                return None
            with self.path.open("r+b") as f:
                f.truncate(keep)
            duration = check(self.path)
            return ClosedFile(self.path, self.start, self.start + duration, keep,
                              init_size(self.path), self.packets)  # fmt: skip
        except (OSError, ValueError):
            self.path.unlink(missing_ok=True)
            return None

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self._out.close()
        self.path.unlink(missing_ok=True)
