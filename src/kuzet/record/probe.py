"""Is a segment file readable? Demux every packet and decode the first keyframe.

Used before anything that was not closed cleanly is committed (repair on start, a
segment cut short by a full disk): a file that fails is dropped, never indexed.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av


@dataclass(frozen=True, slots=True)
class Probe:
    codec: str
    width: int
    height: int
    duration_s: float
    packets: int


def probe(path: Path) -> Probe:
    """Demux every packet and decode the first keyframe; ``ValueError`` when unreadable."""
    try:
        with av.open(str(path)) as c:
            if not c.streams.video:
                raise ValueError("no video stream")
            st = c.streams.video[0]
            tb = float(st.time_base or Fraction(1, 90000))
            lo: int | None = None
            hi = 0
            n = 0
            decoded = False
            for packet in c.demux(st):
                if packet.size == 0 or packet.pts is None:
                    continue
                if n == 0 and not packet.is_keyframe:
                    raise ValueError("does not start with a keyframe")
                if getattr(packet, "is_corrupt", False):
                    raise ValueError("corrupt packet")
                if not decoded:
                    if not packet.decode():
                        raise ValueError("first keyframe does not decode")
                    decoded = True
                lo = packet.pts if lo is None else min(lo, packet.pts)
                hi = max(hi, packet.pts + (packet.duration or 0))
                n += 1
            if n == 0 or lo is None:
                raise ValueError("no packets")
            ctx = st.codec_context
            return Probe(ctx.name, ctx.width, ctx.height, (hi - lo) * tb, n)
    except av.FFmpegError as exc:
        raise ValueError(str(exc)) from None
