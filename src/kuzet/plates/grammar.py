"""Plate grammars of the formats seen in Almaty, and position-wise confusable fixes.

A format is a sequence of slots: ``D`` a digit, ``L`` a letter of the format's alphabet,
plus a check on the region code. A raw OCR string (any case, spaces, dashes, dots) is
matched against every format; where a slot demands a digit and OCR gave a look-alike
letter (``O`` for ``0``) or the other way round, the character is replaced — only there,
and each replacement is counted. The parse with the fewest replacements wins; two
different texts tied at the fewest replacements are *ambiguous* and reported as such,
never one of them picked. Formats (docs/plates.md says where each comes from):

============== ========== ===================== ==========================================
format         country    printed               rule
============== ========== ===================== ==========================================
kz_2012_private KZ        ``123 ABC 02``        3 digits, 3 Latin letters, region 01-20
kz_2012_org    KZ         ``123 AB 02``         3 digits, 2 Latin letters, region 01-20
kz_1993        KZ         ``A 123 ABC``         region letter, 3 digits, 3 Latin letters
ru             RU         ``A 123 BC 77``       letters ABEKMHOPCTYX only; region 01-99 or
                                                1xx / 7xx (three digits)
kg_2016        KG         ``01 123 ABC``        region 01-09 (KG printed under the flag)
uz_private     UZ         ``01 A 123 BC``       region 01 10 20 25 30 40 50 60 70 75 80 85
                                                90 95
uz_org         UZ         ``01 123 ABC``        same regions as uz_private
============== ========== ===================== ==========================================

``kg_2016`` and ``uz_org`` share a layout; a read of region 01 fits both (same text,
two countries) unless the ``KG`` / ``UZ`` printed beside the flag was read too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

LATIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
RU_LETTERS = "ABEKMHOPCTYX"  # the Cyrillic letters that look Latin: the only ones on RU plates
DIGITS = "0123456789"
KZ_REGIONS = frozenset(f"{i:02d}" for i in range(1, 21))
KG_REGIONS = frozenset(f"{i:02d}" for i in range(1, 10))
UZ_REGIONS = frozenset(
    ("01", "10", "20", "25", "30", "40", "50", "60", "70", "75", "80", "85", "90", "95")
)

# OCR look-alikes. A letter read where a digit must be, and the digit it stands for:
LETTER_AS_DIGIT = {"O": "0", "D": "0", "Q": "0", "U": "0", "I": "1", "L": "1", "J": "1",
                   "T": "7", "Z": "2", "S": "5", "B": "8", "G": "6", "A": "4"}  # fmt: skip
# A digit read where a letter must be, and the letter it stands for:
DIGIT_AS_LETTER = {"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G", "4": "A",
                   "7": "T"}  # fmt: skip
# Cyrillic capitals OCR may return for a RU plate, as their Latin twins.
CYRILLIC = str.maketrans("АВЕКМНОРСТУХ", "ABEKMHOPCTYX")
_NOISE = re.compile(r"[^A-Z0-9]")


@dataclass(frozen=True, slots=True)
class PlateFormat:
    name: str
    country: str
    slots: str  # D / L per character
    letters: str  # the alphabet of the L slots
    groups: tuple[int, ...]  # printed grouping, e.g. (3, 3, 2)
    region: Callable[[str], bool]  # check on the normalised text
    example: str

    def display(self, text: str) -> str:
        out, i = [], 0
        for n in self.groups:
            out.append(text[i : i + n])
            i += n
        return " ".join(out)


def _tail_in(regions: frozenset[str], n: int = 2) -> Callable[[str], bool]:
    return lambda t: t[-n:] in regions


def _head_in(regions: frozenset[str]) -> Callable[[str], bool]:
    return lambda t: t[:2] in regions


def _ru_region(t: str) -> bool:
    r = t[6:]
    if len(r) == 2:
        return r != "00"
    return r[0] in "17" and r[1:] != "00"


def _any(_: str) -> bool:
    return True


FORMATS: tuple[PlateFormat, ...] = (
    PlateFormat("kz_2012_private", "KZ", "DDDLLLDD", LATIN, (3, 3, 2), _tail_in(KZ_REGIONS),
                "123ABC02"),
    PlateFormat("kz_2012_org", "KZ", "DDDLLDD", LATIN, (3, 2, 2), _tail_in(KZ_REGIONS),
                "123AB02"),
    PlateFormat("kz_1993", "KZ", "LDDDLLL", LATIN, (1, 3, 3), _any, "A123ABC"),
    PlateFormat("ru", "RU", "LDDDLLDD", RU_LETTERS, (1, 3, 2, 2), _ru_region, "A123BC77"),
    PlateFormat("ru", "RU", "LDDDLLDDD", RU_LETTERS, (1, 3, 2, 3), _ru_region, "A123BC777"),
    PlateFormat("kg_2016", "KG", "DDDDDLLL", LATIN, (2, 3, 3), _head_in(KG_REGIONS),
                "01123ABC"),
    PlateFormat("uz_private", "UZ", "DDLDDDLL", LATIN, (2, 1, 3, 2), _head_in(UZ_REGIONS),
                "01A123BC"),
    PlateFormat("uz_org", "UZ", "DDDDDLLL", LATIN, (2, 3, 3), _head_in(UZ_REGIONS),
                "01123ABC"),
)  # fmt: skip
FORMAT_NAMES = tuple(dict.fromkeys(f.name for f in FORMATS))


@dataclass(frozen=True, slots=True)
class Parse:
    text: str  # normalised: uppercase Latin letters and digits, no spaces
    display: str
    format: str
    country: str
    fixes: int  # characters replaced by a look-alike the grammar demanded


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of :func:`parse`: ``best`` when one reading wins, else why not."""

    best: Parse | None
    candidates: tuple[Parse, ...]  # every parse at the fewest fixes
    reason: str | None  # None, "grammar_mismatch" or "ambiguous"

    @property
    def formats(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.format for c in self.candidates))

    @property
    def countries(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.country for c in self.candidates))


def clean(raw: str) -> str:
    """Uppercase, Cyrillic look-alikes as Latin, everything but letters and digits gone."""
    return _NOISE.sub("", raw.upper().translate(CYRILLIC))


def fit(text: str, fmt: PlateFormat) -> Parse | None:
    """``text`` (already :func:`clean`) read as ``fmt``, fixing look-alikes by slot."""
    if len(text) != len(fmt.slots):
        return None
    out, fixes = [], 0
    for ch, slot in zip(text, fmt.slots, strict=True):
        if slot == "D":
            if ch in DIGITS:
                out.append(ch)
            elif ch in LETTER_AS_DIGIT:
                out.append(LETTER_AS_DIGIT[ch])
                fixes += 1
            else:
                return None
        elif ch in fmt.letters:
            out.append(ch)
        elif ch in DIGIT_AS_LETTER and DIGIT_AS_LETTER[ch] in fmt.letters:
            out.append(DIGIT_AS_LETTER[ch])
            fixes += 1
        else:
            return None
    norm = "".join(out)
    if not fmt.region(norm):
        return None
    return Parse(norm, fmt.display(norm), fmt.name, fmt.country, fixes)


def _strip_country(text: str) -> tuple[str, str | None]:
    """Drop a ``KZ`` / ``KG`` / ``UZ`` / ``RUS`` tag read from the flag strip, naming it."""
    for tag, country in (("RUS", "RU"), ("KZ", "KZ"), ("KG", "KG"), ("UZ", "UZ")):
        for cut in (text.removeprefix(tag), text.removesuffix(tag)):
            if cut != text and len(cut) >= 7:
                return cut, country
        # KG and UZ print the tag under the region code: "01KG123ABC"
        if len(text) >= 9 and text[2:4] == tag and country in ("KG", "UZ"):
            return text[:2] + text[4:], country
    return text, None


def _fits(
    text: str, formats: tuple[PlateFormat, ...], country: str | None, cost: int, max_fixes: int
) -> list[Parse]:
    out = []
    for fmt in formats:
        if country is not None and fmt.country != country:
            continue
        p = fit(text, fmt)
        if p is not None and p.fixes + cost <= max_fixes:
            out.append(Parse(p.text, p.display, p.format, p.country, p.fixes + cost))
    return out


def _verdict(found: list[Parse]) -> Verdict:
    if not found:
        return Verdict(None, (), "grammar_mismatch")
    least = min(p.fixes for p in found)
    top = tuple(dict.fromkeys(p for p in found if p.fixes == least))
    if len({p.text for p in top}) > 1:
        return Verdict(None, top, "ambiguous")
    return Verdict(top[0], top, None)


def parse(
    raw: str, max_fixes: int = 2, formats: tuple[PlateFormat, ...] = FORMATS, max_trim: int = 2
) -> Verdict:
    """The plate in ``raw``, or why there is none. ``max_fixes`` bounds the look-alike
    replacements one reading may need (a string that needs more is not a plate). Up to
    ``max_trim`` stray characters at the ends (a screw, the flag, the frame's edge) may
    be dropped, only when the whole string is no plate; each counts as one fix. A
    country tag read from the flag strip decides between layouts, unless the tag is
    really the plate's own letters (a KG plate ending "...AKZ"): then the reading
    without it needs fewer fixes and wins."""
    text = clean(raw)
    plain: list[Parse] = []
    for n in range(max_trim + 1):
        for a in range(n + 1):
            cut = text[a : len(text) - (n - a)]
            if len(cut) >= 7:
                plain += _fits(cut, formats, None, n, max_fixes)
        if plain:
            break  # trimming (more) is the fallback when no shorter cut is a plate
    stripped, tag = _strip_country(text)
    if tag is not None:
        tagged = _fits(stripped, formats, tag, 0, max_fixes)
        if tagged and (not plain or min(p.fixes for p in tagged) <= min(p.fixes for p in plain)):
            return _verdict(tagged)
    return _verdict(plain)
