"""Recorded segments -> one MP4 of a time range.

Without a frame filter the packets are copied (remuxed, never re-encoded): the file
starts at the keyframe at or before ``start`` (so its first picture decodes) and ends
before ``end``. A frame filter (watermark, face blur) decodes, changes and re-encodes
every picture; the cut is then exact. Each segment is a standalone fMP4 whose clock
starts at 0, so packet times are rebased onto the segment's wall-clock start.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import av.container
import numpy as np

from kuzet.record import Segment
from kuzet.storage import StorageError, Volume

FrameFn = Callable[[np.ndarray, datetime], np.ndarray]  # BGR picture, its wall time
MS = Fraction(1, 1000)
FRAGMENTED = "frag_keyframe+empty_moov+default_base_moof"


class MediaError(RuntimeError):
    """A segment could not be read or the output not written (says which)."""


@dataclass(frozen=True, slots=True)
class Written:
    path: Path
    start: datetime  # wall time of the first picture in the file
    end: datetime  # wall time just after the last one
    frames: int


@contextlib.contextmanager
def segment_file(volumes: Mapping[str, Volume], seg: Segment) -> Iterator[Path]:
    """A local file holding the segment: the volume's own, or a temporary download."""
    vol = volumes.get(seg.volume)
    if vol is None:
        raise MediaError(f"segment {seg.id}: volume {seg.volume!r} is not configured here")
    local = vol.local_path(seg.key)
    if local is not None:
        yield local
        return
    try:
        data = vol.read(seg.key)
    except KeyError:
        raise MediaError(f"segment {seg.id}: {seg.key} is missing from {seg.volume!r}") from None
    except StorageError as exc:
        raise MediaError(f"segment {seg.id}: {exc}") from None
    with tempfile.TemporaryDirectory(prefix="kuzet-seg-") as tmp:
        path = Path(tmp) / "segment.mp4"
        path.write_bytes(data)
        yield path


@contextlib.contextmanager
def segment_files(
    volumes: Mapping[str, Volume], segs: Sequence[Segment]
) -> Iterator[list[tuple[Segment, Path]]]:
    with contextlib.ExitStack() as stack:
        yield [(s, stack.enter_context(segment_file(volumes, s))) for s in segs]


def _wall(seg: Segment, ticks: int, tb: Fraction) -> datetime:
    return seg.start + timedelta(seconds=float(ticks * tb))


def remux(
    parts: Sequence[tuple[Segment, Path]],
    start: datetime,
    end: datetime,
    out: Path,
    *,
    frame_fn: FrameFn | None = None,
    fragmented: bool = False,
    preset: str = "veryfast",
) -> Written:
    """Write ``[start, end)`` of the run ``parts`` (contiguous segments) to ``out``."""
    if not parts:
        raise MediaError("nothing to write: no segment")
    tmp = out.with_name(out.name + ".part")
    flags = FRAGMENTED if fragmented else "+faststart"
    try:
        with av.open(str(tmp), "w", format="mp4", options={"movflags": flags}) as dst:
            if frame_fn is None:
                first, last, n = _copy(parts, start, end, dst)
            else:
                first, last, n = _reencode(parts, start, end, dst, frame_fn, preset)
    except (OSError, av.FFmpegError) as exc:
        tmp.unlink(missing_ok=True)
        raise MediaError(f"writing {out.name}: {exc}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if n == 0 or first is None or last is None:
        tmp.unlink(missing_ok=True)
        raise MediaError(f"no picture between {start.isoformat()} and {end.isoformat()}")
    shutil.move(tmp, out)
    return Written(out, first, last, n)


def _open(seg: Segment, path: Path) -> tuple[Any, Any]:
    try:
        src = av.open(str(path))
    except (OSError, av.FFmpegError) as exc:
        raise MediaError(f"segment {seg.id} ({seg.key}): cannot open: {exc}") from None
    if not src.streams.video:
        src.close()
        raise MediaError(f"segment {seg.id} ({seg.key}): no video stream")
    return src, src.streams.video[0]


def _copy(
    parts: Sequence[tuple[Segment, Path]], start: datetime, end: datetime, dst: Any
) -> tuple[datetime | None, datetime | None, int]:
    out_stream = None
    base: datetime | None = None  # wall time of output tick 0
    last_dts = -1
    first: datetime | None = None
    last_wall: datetime | None = None
    n = 0
    pending: list[Any] = []  # the GOP leading up to ``start``
    started = False
    for seg, path in parts:
        src, st = _open(seg, path)
        with src:
            tb = st.time_base or Fraction(1, 90000)
            if out_stream is None:
                out_stream = dst.add_stream_from_template(st)
            frame_s = 1 / float(st.guessed_rate or st.average_rate or 25)
            for pkt in src.demux(st):
                if pkt.dts is None or pkt.size == 0:
                    continue
                pts = pkt.pts if pkt.pts is not None else pkt.dts
                t = _wall(seg, pts, tb)
                if _wall(seg, pkt.dts, tb) >= end:
                    break
                if not started:
                    if pkt.is_keyframe and t <= start:
                        pending = [(seg, pkt, tb)]
                        continue
                    if t < start:
                        if pending:
                            pending.append((seg, pkt, tb))
                        continue
                    if not pending and not pkt.is_keyframe:
                        continue  # no keyframe yet: a picture that cannot decode
                    started = True
                    todo = [*pending, (seg, pkt, tb)]
                    pending = []
                else:
                    todo = [(seg, pkt, tb)]
                for s, p, ptb in todo:
                    p_pts = p.pts if p.pts is not None else p.dts
                    wall_dts, wall_pts = _wall(s, p.dts, ptb), _wall(s, p_pts, ptb)
                    if base is None:
                        base = wall_dts
                    dts = round((wall_dts - base).total_seconds() / ptb)
                    dts = max(dts, last_dts + 1)
                    p.dts = dts
                    p.pts = max(dts, round((wall_pts - base).total_seconds() / ptb))
                    p.time_base = ptb
                    p.stream = out_stream
                    dst.mux(p)
                    last_dts = dts
                    first = wall_pts if first is None else min(first, wall_pts)
                    nxt = wall_pts + timedelta(seconds=frame_s)
                    last_wall = nxt if last_wall is None else max(last_wall, nxt)
                    n += 1
    return first, last_wall, n


def _reencode(
    parts: Sequence[tuple[Segment, Path]],
    start: datetime,
    end: datetime,
    dst: Any,
    frame_fn: FrameFn,
    preset: str,
) -> tuple[datetime | None, datetime | None, int]:
    out_stream = None
    first: datetime | None = None
    last_wall: datetime | None = None
    last_pts = -1
    n = 0
    for seg, path in parts:
        src, st = _open(seg, path)
        with src:
            st.thread_type = "AUTO"
            tb = st.time_base or Fraction(1, 90000)
            rate = st.guessed_rate or st.average_rate or 25
            frame_s = 1 / float(rate)
            for frame in src.decode(st):
                if frame.pts is None:
                    continue
                t = _wall(seg, frame.pts, tb)
                if t < start:
                    continue
                if t >= end:
                    break
                img = frame_fn(frame.to_ndarray(format="bgr24"), t)
                if out_stream is None:
                    out_stream = dst.add_stream("libx264", rate=rate)
                    h, w = (img.shape[0] // 2) * 2, (img.shape[1] // 2) * 2
                    out_stream.width, out_stream.height, out_stream.pix_fmt = w, h, "yuv420p"
                    out_stream.options = {
                        "preset": preset,
                        "crf": "20",
                        "g": str(max(1, round(float(rate) * 2))),
                    }
                    out_stream.codec_context.time_base = MS
                    first = t
                assert first is not None
                vf = av.VideoFrame.from_ndarray(
                    np.ascontiguousarray(img[: out_stream.height, : out_stream.width]),
                    format="bgr24",
                )
                vf.pts = max(last_pts + 1, round((t - first).total_seconds() * 1000))
                vf.time_base = MS
                last_pts = vf.pts
                dst.mux(out_stream.encode(vf))
                last_wall = t + timedelta(seconds=frame_s)
                n += 1
    if out_stream is not None:
        dst.mux(out_stream.encode(None))
    return first, last_wall, n
