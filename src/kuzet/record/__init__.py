"""Recording: each camera's main stream remuxed (never re-encoded) into fMP4 segments,
an index to find any instant, retention with evidence holds — see docs/recording.md.

``Recording`` (the node's composition) is imported lazily: the migrations import
``kuzet.record.tables`` and need neither PyAV nor boto3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kuzet.record.holds import Auditor, EvidenceHolds, Hold
from kuzet.record.index import Gap, NewSegment, Segment, SegmentIndex

if TYPE_CHECKING:
    from kuzet.record.service import Recording

__all__ = [
    "Auditor",
    "EvidenceHolds",
    "Gap",
    "Hold",
    "NewSegment",
    "Recording",
    "Segment",
    "SegmentIndex",
]


def __getattr__(name: str) -> Any:
    if name == "Recording":
        from kuzet.record.service import Recording

        return Recording
    raise AttributeError(name)
