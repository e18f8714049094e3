"""One look at one vehicle: find the plate, make it upright, recognise, parse.

The result is either a grammar-valid read with its confidence, or the reason there is
none (``no_plate_found``, ``too_small``, ``low_confidence``, ``grammar_mismatch``,
``ambiguous``). The recogniser's text is kept as ``raw`` for diagnosis only: a raw string
that fails the grammar is never shown as a read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from kuzet.plates.finder import (
    FinderSettings,
    filter_candidates,
    rectify,
    vehicle_region,
)
from kuzet.plates.grammar import parse
from kuzet.plates.ocr import TextBox

# reasons in the order a track reports them when no frame gave a read: the one that
# got furthest down the pipeline explains best why there is no read
REASON_RANK = ("ambiguous", "grammar_mismatch", "low_confidence", "too_small", "no_plate_found")
FIX_PENALTY = 0.9  # confidence factor per look-alike the grammar had to replace


class TextFinder(Protocol):
    def detect(self, image: np.ndarray) -> list[TextBox]: ...


class Recogniser(Protocol):
    def recognise(self, crops: list[np.ndarray]) -> list[tuple[str, float]]: ...


@dataclass(frozen=True, slots=True)
class FrameRead:
    text: str | None  # normalised plate, None when no read
    display: str | None
    formats: tuple[str, ...]
    countries: tuple[str, ...]
    confidence: float
    reason: str | None
    raw: str = ""
    crop: np.ndarray | None = None  # the rectified plate, BGR
    quad: np.ndarray | None = None  # where it was, frame pixels


def _none(reason: str, raw: str = "", crop: np.ndarray | None = None) -> FrameRead:
    return FrameRead(None, None, (), (), 0.0, reason, raw, crop)


class PlateReader:
    """``read(image, vehicle_box)``. ``finder`` gives text or plate boxes in a region
    (PP-OCR detection, or a user's ONNX plate detector); ``ocr`` recognises crops."""

    def __init__(
        self,
        finder: TextFinder,
        ocr: Recogniser,
        settings: FinderSettings | None = None,
        *,
        min_confidence: float = 0.6,
        max_fixes: int = 2,
        candidates: int = 6,
        crop_height: int = 48,
        stop_confidence: float | None = None,
    ) -> None:
        self.finder, self.ocr = finder, ocr
        self.settings = settings or FinderSettings()
        self.min_confidence, self.max_fixes = min_confidence, max_fixes
        self.candidates, self.crop_height = candidates, crop_height
        self.stop_confidence = stop_confidence

    def read(self, image: np.ndarray, box: np.ndarray | tuple[float, ...]) -> FrameRead:
        ox, oy, region = vehicle_region(image, box, self.settings)
        if region.size == 0:
            return _none("no_plate_found")
        boxes = [
            TextBox(b.quad + np.array([ox, oy], np.float32), b.score)
            for b in self.finder.detect(region)
        ]
        cands, why = filter_candidates(image, boxes, self.settings)
        if not cands:
            return _none(why or "no_plate_found")
        cands = cands[: self.candidates]
        # all candidates in one batch; or best-ranked first, one at a time, stopping at a
        # grammar-valid read at least ``stop_confidence`` sure (the rest are not recognised)
        step = len(cands) if self.stop_confidence is None else 1
        best: FrameRead | None = None
        failures: list[FrameRead] = []
        for i in range(0, len(cands), step):
            chunk = cands[i : i + step]
            crops = [rectify(image, c.quad, self.crop_height) for c in chunk]
            for cand, crop, (raw, score) in zip(
                chunk, crops, self.ocr.recognise(crops), strict=False
            ):
                fr = self._judge(raw, score, crop, cand.quad)
                if fr.reason is not None:
                    failures.append(fr)
                elif best is None or fr.confidence > best.confidence:
                    best = fr
            stop = self.stop_confidence
            if stop is not None and best is not None and best.confidence >= stop:
                break
        if best is not None:
            return best
        failures.sort(key=lambda f: REASON_RANK.index(f.reason or "no_plate_found"))
        return failures[0] if failures else _none("no_plate_found")

    def _judge(self, raw: str, score: float, crop: np.ndarray, quad: np.ndarray) -> FrameRead:
        """The recogniser's text as a read, or the reason it is none."""
        v = parse(raw, self.max_fixes)
        if v.best is None:
            return _none(v.reason or "grammar_mismatch", raw, crop)
        conf = float(score) * FIX_PENALTY**v.best.fixes
        if conf < self.min_confidence:
            return _none("low_confidence", raw, crop)
        return FrameRead(
            v.best.text, v.best.display, v.formats, v.countries, conf, None, raw, crop, quad
        )
