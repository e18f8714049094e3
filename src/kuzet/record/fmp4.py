"""Fragmented MP4 at the box level: the init size, and where the last whole fragment ends.

A segment is ``ftyp moov (moof mdat)*``; each ``moof+mdat`` pair is one GOP written when
the next keyframe arrives (``frag_keyframe``). A writer killed mid-segment leaves the
header and the whole fragments before the cut intact, so repair is: keep the file up to
the end of its last complete ``mdat``, drop the torn tail.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Box:
    type: str
    offset: int
    size: int  # header included; 0 = "to the end of the file" was written

    @property
    def end(self) -> int:
        return self.offset + self.size


def top_boxes(path: Path) -> tuple[list[Box], int]:
    """Whole top-level boxes of ``path`` and the file size (a torn last box is left out)."""
    boxes: list[Box] = []
    with path.open("rb") as f:
        f.seek(0, 2)
        total = f.tell()
        pos = 0
        while pos + 8 <= total:
            f.seek(pos)
            size, kind = struct.unpack(">I4s", f.read(8))
            if size == 1:
                if pos + 16 > total:
                    break
                (size,) = struct.unpack(">Q", f.read(8))
            elif size == 0:
                size = total - pos
            if size < 8 or pos + size > total:
                break
            boxes.append(Box(kind.decode("latin-1"), pos, size))
            pos += size
    return boxes, total


def init_size(path: Path) -> int:
    """Bytes of ``ftyp`` + ``moov`` (the HLS init section); 0 when there is no moov."""
    boxes, _ = top_boxes(path)
    for box in boxes:
        if box.type == "moov":
            return box.end
    return 0


def complete_length(path: Path) -> int:
    """Length of the longest prefix of ``path`` that is header + whole fragments
    (0 when the header itself is torn or no fragment is complete)."""
    boxes, _ = top_boxes(path)
    types = [b.type for b in boxes]
    if "moov" not in types:
        return 0
    end = 0
    pending_moof = False
    for box in boxes:
        if box.type == "moof":
            pending_moof = True
        elif box.type == "mdat" and pending_moof:
            end = box.end
            pending_moof = False
    return end


def is_whole(path: Path) -> bool:
    """True when the file is exactly whole boxes: a header and at least one fragment.

    FFmpeg does not always report a failed write at close (a full disk during the
    trailer), so a writer checks this before it commits a segment."""
    boxes, total = top_boxes(path)
    if not boxes or boxes[-1].end != total:
        return False
    types = [b.type for b in boxes]
    return "moov" in types and "moof" in types and "mdat" in types
