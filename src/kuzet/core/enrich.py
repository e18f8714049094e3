"""What an enricher is: a per-camera stage after tracking (faces, attributes, plates).

It sees each analysed frame with its tracks, may emit events, and decides what is left
at the end of a source (``finish``). Stages implement this structurally; the pipeline
runs whatever the enricher plugins (:mod:`kuzet.pipeline.enrichers`) give it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from kuzet.core.detections import Detections
from kuzet.core.event import Event
from kuzet.core.frame import Frame

PutBlob = Callable[[str, bytes], None]


class Enricher(Protocol):
    def enrich(self, frame: Frame, tracks: Detections) -> list[Event]: ...

    def finish(self) -> list[Event]: ...


class EventObserver(Protocol):
    """Optional on an enricher: ``observe`` is called with every event of the camera's
    frame (rules and all enrichers, snapshots set) after that frame's ``enrich``, and
    once more with the events of ``finish`` after every stage finished (an empty list
    too), so a stage can learn what others found about a track (the track index).

    An enricher may also set ``needs_every_frame = False``: then it does not keep the
    motion gate from skipping still frames (the pipeline assumes True when absent).
    """

    def observe(self, events: list[Event]) -> None: ...
