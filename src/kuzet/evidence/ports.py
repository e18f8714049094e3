"""What evidence needs of the recording (``kuzet.record.Recording`` fits)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from kuzet.record import EvidenceHolds, SegmentIndex
from kuzet.storage import Volume


class RecordingPort(Protocol):
    """What exports and playback need of :class:`kuzet.record.Recording`."""

    @property
    def index(self) -> SegmentIndex: ...
    @property
    def holds(self) -> EvidenceHolds: ...
    @property
    def volumes(self) -> Mapping[str, Volume]: ...
