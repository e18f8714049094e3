"""Pre-roll for the motion and events modes: the last few GOPs of packets, in memory.

Recording can only start on a keyframe, so the ring keeps whole GOPs: enough that the
oldest kept GOP starts at or before ``now - pre_s``, and never more than ``max_bytes``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any


class GopRing:
    def __init__(self, pre_s: float, max_bytes: int = 32 << 20) -> None:
        self.pre_s = pre_s
        self.max_bytes = max_bytes
        self._gops: deque[list[tuple[Any, float]]] = deque()  # [(packet, wall), ...]
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._gops)

    @property
    def bytes(self) -> int:
        return self._bytes

    def add(self, packet: Any, wall: float, keyframe: bool) -> None:
        if keyframe:
            self._gops.append([])
        elif not self._gops:
            return  # nothing to start from before the first keyframe
        self._gops[-1].append((packet, wall))
        self._bytes += packet.size
        # drop the oldest GOP while the next one alone still covers the pre-roll
        while len(self._gops) > 1 and (
            self._gops[1][0][1] <= wall - self.pre_s or self._bytes > self.max_bytes
        ):
            self._bytes -= sum(p.size for p, _ in self._gops.popleft())

    def take(self, since: float) -> Iterator[tuple[Any, float]]:
        """Packets from the last GOP starting at or before ``since`` (else the oldest);
        empties the ring."""
        gops = list(self._gops)
        first = 0
        for i, gop in enumerate(gops):
            if gop[0][1] <= since:
                first = i
        self._gops.clear()
        self._bytes = 0
        for gop in gops[first:]:
            yield from gop

    def clear(self) -> None:
        self._gops.clear()
        self._bytes = 0
