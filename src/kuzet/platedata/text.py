"""What a person types for a plate, made into what the store holds and how to find it.

Plates are stored normalised (``123ABC02``: uppercase Latin letters and digits, as the
``plate_read`` event's ``plate``). A query is normalised the same way, so ``123 abc 02``
finds ``123ABC02``. Cyrillic letters that look like Latin ones (А, В, Е, К, М, Н, О, Р,
С, Т, У, Х) are taken as those Latin letters: Kazakh and Russian plates use only them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from rapidfuzz.distance import Levenshtein

_CYRILLIC = str.maketrans("АВЕКМНОРСТУХ", "ABEKMHOPCTYX")
_DROP = re.compile(r"[\s\-._]+")
_PLATE = re.compile(r"^[A-Z0-9]{1,16}$")
_PATTERN = re.compile(r"^[A-Z0-9*?]{1,16}$")
MAX_DISTANCE = 2

Mode = Literal["exact", "wildcard", "fuzzy"]


class PlateTextError(ValueError):
    """A plate or pattern that cannot be searched for; the message says why."""


def normalise(text: str) -> str:
    """``"123 abc-02"`` -> ``"123ABC02"``; raises on anything but letters and digits."""
    got = _DROP.sub("", text.upper().translate(_CYRILLIC))
    if not _PLATE.match(got):
        raise PlateTextError(
            f"{text!r}: a plate is 1-16 Latin letters and digits (spaces and dashes are ignored)"
        )
    return got


@dataclass(frozen=True, slots=True)
class Query:
    """One plate search: ``text`` normalised; ``distance`` only for ``fuzzy``."""

    mode: Mode
    text: str
    distance: int = 0

    def like(self) -> str:
        """The SQL LIKE pattern of a wildcard query (plates hold no ``%`` or ``_``)."""
        return self.text.replace("*", "%").replace("?", "_")

    def matches(self, plate: str) -> int | None:
        """The edit distance when ``plate`` answers this query, else None."""
        if self.mode == "exact":
            return 0 if plate == self.text else None
        if self.mode == "wildcard":
            rx = "^" + re.escape(self.text).replace(r"\*", ".*").replace(r"\?", ".") + "$"
            return 0 if re.match(rx, plate) else None
        d = Levenshtein.distance(self.text, plate, score_cutoff=self.distance)
        return d if d <= self.distance else None


def parse_query(text: str, mode: Mode | None = None, distance: int = 1) -> Query:
    """``123*02`` (``*`` any run, ``?`` one character) is a wildcard query; ``fuzzy`` takes
    plates within ``distance`` edits (1 or 2); anything else is exact."""
    raw = _DROP.sub("", text.upper().translate(_CYRILLIC))
    wild = "*" in raw or "?" in raw
    if mode is None:
        mode = "wildcard" if wild else "exact"
    if mode == "wildcard":
        if not _PATTERN.match(raw) or not wild:
            raise PlateTextError(
                f"{text!r}: a wildcard pattern is letters, digits, '*' (any run) and '?' "
                "(one character), with at least one of '*' or '?'"
            )
        if len(raw.replace("*", "").replace("?", "")) < 2:
            raise PlateTextError(f"{text!r}: give at least two letters or digits")
        return Query("wildcard", re.sub(r"\*+", "*", raw))
    if wild:
        raise PlateTextError(f"{text!r}: '*' and '?' belong to wildcard searches")
    plate = normalise(text)
    if mode == "exact":
        return Query("exact", plate)
    if not 1 <= distance <= MAX_DISTANCE:
        raise PlateTextError(f"distance must be 1 to {MAX_DISTANCE}, not {distance}")
    if len(plate) <= distance + 2:
        raise PlateTextError(f"{text!r}: too short for a fuzzy search at distance {distance}")
    return Query("fuzzy", plate, distance)
