"""Matching plate reads against every plate watchlist, from a snapshot held in memory.

Exact matches are one dict lookup; lists with a ``fuzzy_distance`` are also searched by
edit distance (rapidfuzz, over that list's plates only). An entry past its
``valid_until`` at the read's time matches nothing.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from kuzet.core.event import Event, event_id
from kuzet.platedata.lists import PlateLists
from kuzet.platedata.tables import PlateEntryRow, PlateListRow

Listed = tuple[PlateEntryRow, PlateListRow]


@dataclass(frozen=True, slots=True)
class Match:
    entry: PlateEntryRow
    list: PlateListRow
    distance: int


class Matcher:
    def __init__(self, lists: PlateLists, refresh_s: float = 5.0) -> None:
        self.lists = lists
        self.refresh_s = refresh_s
        self._lock = threading.Lock()
        self._version = -1
        self._at = float("-inf")
        self._exact: dict[str, list[Listed]] = {}
        self._fuzzy: dict[int, tuple[list[str], dict[str, list[Listed]]]] = {}

    def _load(self) -> None:
        version = self.lists.version
        if version == self._version and time.monotonic() - self._at < self.refresh_s:
            return
        exact: dict[str, list[Listed]] = defaultdict(list)
        by_dist: dict[int, dict[str, list[Listed]]] = defaultdict(lambda: defaultdict(list))
        for entry, lst in self.lists.active_entries():
            exact[entry.plate].append((entry, lst))
            if lst.fuzzy_distance > 0:
                by_dist[lst.fuzzy_distance][entry.plate].append((entry, lst))
        self._exact = dict(exact)
        self._fuzzy = {d: (list(m), dict(m)) for d, m in by_dist.items()}
        self._version, self._at = version, time.monotonic()

    def match(self, plate: str, at: datetime) -> list[Match]:
        """Every entry ``plate`` (normalised) hits at time ``at``, one per entry."""
        with self._lock:
            self._load()
            found: dict[str, Match] = {}
            for entry, lst in self._exact.get(plate, ()):
                found[entry.id] = Match(entry, lst, 0)
            for dist, (plates, rows) in self._fuzzy.items():
                near = process.extract(
                    plate, plates, scorer=Levenshtein.distance, score_cutoff=dist, limit=None
                )
                for listed, d, _ in near:
                    for entry, lst in rows[listed]:
                        if entry.id not in found:
                            found[entry.id] = Match(entry, lst, int(d))
        return [
            m for m in found.values() if m.entry.valid_until is None or m.entry.valid_until >= at
        ]


def match_event(read: Event, m: Match) -> Event:
    """The ``plate_match`` event of a read and a hit (contract in TRAFFIC-TEAM.md); its id
    is fixed by the read and the entry, so a redelivered read publishes the same event."""
    a = read.attributes
    lst, entry = m.list, m.entry
    return Event(
        id=event_id(read.id, "plate_match", entry.id),
        type="plate_match",
        camera_id=read.camera_id,
        ts=read.ts,
        pts=read.pts,
        phase="instant",
        rule=f"plate_list:{lst.id}",
        track_id=read.track_id,
        class_name=read.class_name,
        score=read.score,
        box=read.box,
        snapshot=read.snapshot,
        attributes={
            "plate": a.get("plate"),
            "plate_display": a.get("plate_display") or a.get("plate"),
            "plate_crop": a.get("plate_crop"),
            "list_id": lst.id,
            "list_name": lst.name,
            "list_kind": lst.kind,
            "entry_id": entry.id,
            "entry_plate": entry.plate,
            "agency": lst.agency_id,
            "alert_target": lst.alert_target,
            "priority": lst.priority,
            "reason": entry.reason,
            "match": "exact" if m.distance == 0 else "fuzzy",
            "distance": m.distance,
            "read_event_id": read.id,
            # who may see the match as an event (kuzet.access.scope.event_view)
            "visible_to": sorted(set(lst.visibility) | {lst.agency_id, lst.alert_target}),
        },
    )
