"""Voting over a track's frames: whole plate strings weighted by their confidence.

Each grammar-valid frame read votes for its normalised text with its confidence.
The winner must hold ``min_share`` of the vote weight; otherwise the reads disagree
and the track reports ``votes_disagree`` rather than pick one. A track with no valid
read reports the reason that got furthest (see :data:`.reader.REASON_RANK`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from kuzet.plates.reader import REASON_RANK, FrameRead


@dataclass(frozen=True, slots=True)
class Outcome:
    text: str | None
    best: FrameRead | None  # the winner's most confident frame read
    confidence: float  # the winner's mean confidence over its votes
    reads: int  # frames read
    votes: int  # frames agreeing with the winner
    reason: str | None  # why there is no read (None when there is one)
    formats: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()


@dataclass
class Ballot:
    min_share: float = 0.6
    reads: list[FrameRead] = field(default_factory=list)

    def add(self, read: FrameRead) -> None:
        self.reads.append(read)

    def tally(self) -> Outcome:
        valid = [r for r in self.reads if r.text is not None]
        n = len(self.reads)
        if not valid:
            reasons = Counter(r.reason or "no_plate_found" for r in self.reads)
            reason = min(reasons, key=REASON_RANK.index) if reasons else "no_plate_found"
            return Outcome(None, None, 0.0, n, 0, reason)
        weight: dict[str, float] = defaultdict(float)
        for r in valid:
            weight[r.text or ""] += r.confidence
        text = max(weight, key=lambda t: weight[t])
        share = weight[text] / sum(weight.values())
        agree = [r for r in valid if r.text == text]
        best = max(agree, key=lambda r: r.confidence)
        conf = weight[text] / len(agree)
        if share < self.min_share:
            return Outcome(None, best, conf, n, len(agree), "votes_disagree")
        formats = tuple(dict.fromkeys(f for r in agree for f in r.formats))
        countries = tuple(dict.fromkeys(c for r in agree for c in r.countries))
        return Outcome(text, best, conf, n, len(agree), None, formats, countries)

    def settled(self, early_votes: int) -> bool:
        """``early_votes`` agreeing reads and no dissent: safe to emit before the track ends."""
        valid = [r for r in self.reads if r.text is not None]
        return len(valid) >= early_votes and len({r.text for r in valid}) == 1
