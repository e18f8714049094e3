"""Colour name of a vehicle's body from its box, by CIELAB pixel votes.

Only the body band of the box votes (:data:`BODY`): the roof line and windscreen above,
the wheels, shadow and road below are mostly outside it. Each pixel is named by its
lightness, chroma and hue angle in CIELAB (a perceptual space, so one chroma threshold
separates paint from grey for every hue). Paint shows its colour only where it is not
lit white or in shade, so coloured pixels count ``chroma_weight`` times, and very dark
grey pixels (windows, tyres, shade) count ``dark_weight`` times: a black car still wins on
its many dark pixels, a white van is not turned black by its rear windows. Each look
gives shares that sum to one, and the track's looks are added up (:class:`ColourVote`).
Silver is named ``grey``: a camera cannot tell metallic flakes from grey paint.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import cv2
import numpy as np

NAMES = ("white", "grey", "black", "red", "orange", "yellow", "green", "blue", "purple",
         "brown", "beige")  # fmt: skip
BODY = (0.08, 0.4, 0.92, 0.82)
"""Body band as fractions of the box (x1, y1, x2, y2): below the windows, above the road."""
_MAX_PIXELS = 4096  # a larger region is subsampled evenly: more pixels change nothing


@dataclass(frozen=True, slots=True)
class Palette:
    """Thresholds of the naming (CIELAB, L 0..100, chroma in a*b* units)."""

    chroma: float = 18.0  # below: achromatic (white/grey/black)
    black_l: float = 28.0  # achromatic below this lightness: black
    white_l: float = 80.0  # achromatic above: white (silver in sunlight reaches ~75)
    dark_l: float = 22.0  # achromatic pixels this dark count dark_weight
    brown_l: float = 42.0  # orange/yellow hue this dark: brown (dark red stays red)
    beige_chroma: float = 30.0  # orange/yellow hue, weakly coloured (not brown): beige
    chroma_weight: float = 2.0
    dark_weight: float = 0.4


DEFAULT = Palette()


def region(image: np.ndarray, box: np.ndarray, frac: tuple[float, ...] = BODY) -> np.ndarray:
    x1, y1, x2, y2 = (float(v) for v in box[:4])
    w, h = x2 - x1, y2 - y1
    H, W = image.shape[:2]
    rx1, ry1 = int(max(0, x1 + frac[0] * w)), int(max(0, y1 + frac[1] * h))
    rx2, ry2 = int(min(W, x1 + frac[2] * w)), int(min(H, y1 + frac[3] * h))
    return image[ry1:ry2, rx1:rx2]


def name_lab(lab: np.ndarray, p: Palette = DEFAULT) -> np.ndarray:
    """Index into :data:`NAMES` of each row of an (n, 3) OpenCV 8-bit Lab array."""
    light = lab[:, 0].astype(np.float32) * (100.0 / 255.0)
    a = lab[:, 1].astype(np.float32) - 128.0
    b = lab[:, 2].astype(np.float32) - 128.0
    c = np.hypot(a, b)
    hue = np.degrees(np.arctan2(b, a)) % 360.0
    idx = NAMES.index
    chromatic = np.select(
        [hue < 50, hue < 75, hue < 110, hue < 170, hue < 310, hue < 345],
        [idx("red"), idx("orange"), idx("yellow"), idx("green"), idx("blue"), idx("purple")],
        idx("red"),
    )
    warm = (chromatic == idx("orange")) | (chromatic == idx("yellow"))
    chromatic = np.where(warm & (light < p.brown_l), idx("brown"), chromatic)
    beige = (chromatic == idx("orange")) | (chromatic == idx("yellow"))
    beige &= c < p.beige_chroma
    chromatic = np.where(beige, idx("beige"), chromatic)
    dark, bright = light < p.black_l, light > p.white_l
    grey = np.select([dark, bright], [idx("black"), idx("white")], idx("grey"))
    return np.where(c >= p.chroma, chromatic, grey).astype(np.int8)


def colour_shares(
    image: np.ndarray, box: np.ndarray, palette: Palette = DEFAULT
) -> dict[str, float]:
    """Weighted share of each colour name in the body band of one look (sums to 1;
    empty when the band has no pixel)."""
    px = region(image, box)
    if px.size == 0:
        return {}
    lab = cv2.cvtColor(np.ascontiguousarray(px), cv2.COLOR_BGR2LAB).reshape(-1, 3)
    if len(lab) > _MAX_PIXELS:
        lab = lab[np.linspace(0, len(lab) - 1, _MAX_PIXELS).astype(np.int64)]
    names = name_lab(lab, palette)
    light = lab[:, 0].astype(np.float32) * (100.0 / 255.0)
    weight = np.ones(len(lab), np.float32)
    chromatic = names >= NAMES.index("red")  # the names after black are colours
    weight[chromatic] = palette.chroma_weight
    weight[~chromatic & (light < palette.dark_l)] = palette.dark_weight
    sums = np.bincount(names, weights=weight, minlength=len(NAMES))
    total = float(sums.sum())
    if total <= 0:
        return {}
    return {NAMES[i]: float(s) / total for i, s in enumerate(sums) if s > 0}


def body_colour(image: np.ndarray, box: np.ndarray, palette: Palette = DEFAULT) -> str | None:
    """The colour name of one look (``None`` for an empty box)."""
    shares = colour_shares(image, box, palette)
    return max(shares, key=lambda k: shares[k]) if shares else None


class ColourVote:
    """Shares of the looks at one track added up; the name with the largest sum wins."""

    def __init__(self) -> None:
        self.sums: Counter[str] = Counter()
        self.looks = 0

    def add(self, shares: dict[str, float]) -> None:
        if shares:
            self.sums.update(shares)
            self.looks += 1

    def winner(self) -> tuple[str | None, float]:
        """(name, its share of all votes) or (None, 0.0) before any look."""
        total = sum(self.sums.values())
        if not total:
            return None, 0.0
        name, s = self.sums.most_common(1)[0]
        return name, round(s / total, 3)
