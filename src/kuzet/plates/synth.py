"""SYNTHETIC plates for tests and evaluation: drawn, then pasted onto real photos.

Nothing here reads a plate; it makes pictures of known plates (with OpenCV's Hershey
font, not the real plate typeface) so reading can be measured where no labelled real
plate photo exists offline. Every figure made with it is labelled synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from kuzet.plates.grammar import FORMATS, PlateFormat, fit

_FONT = cv2.FONT_HERSHEY_DUPLEX


@dataclass(frozen=True, slots=True)
class Style:
    flag: str | None  # country tag printed on the left strip
    region_box: bool  # region code boxed off on the right (KZ 2012, RU)


STYLES = {
    "kz_2012_private": Style("KZ", True),
    "kz_2012_org": Style("KZ", True),
    "kz_1993": Style(None, False),
    "ru": Style("RUS", True),
    "kg_2016": Style("KG", False),
    "uz_private": Style("UZ", False),
    "uz_org": Style("UZ", False),
}


def format_named(name: str, length: int | None = None) -> PlateFormat:
    return next(f for f in FORMATS if f.name == name and (length in (None, len(f.slots))))


def random_plate(fmt: PlateFormat, rng: np.random.Generator) -> str:
    """A grammar-valid plate text of ``fmt``."""
    while True:
        text = "".join(
            str(rng.integers(10)) if s == "D" else fmt.letters[rng.integers(len(fmt.letters))]
            for s in fmt.slots
        )
        if fmt.name.startswith("kz_2012"):
            text = text[:-2] + f"{rng.integers(1, 21):02d}"
        elif fmt.name == "kg_2016":
            text = f"{rng.integers(1, 10):02d}" + text[2:]
        elif fmt.name.startswith("uz"):
            text = ("01", "10", "30", "40", "50")[rng.integers(5)] + text[2:]
        if fit(text, fmt) is not None:
            return text


def render_plate(text: str, fmt: PlateFormat, height: int = 112) -> np.ndarray:
    """A white plate with black characters, border, flag strip and region box."""
    style = STYLES[fmt.name]
    groups = fmt.display(text).split(" ")
    main = " ".join(groups[:-1]) if style.region_box else " ".join(groups)
    region = groups[-1] if style.region_box else None
    scale = height / 36.0
    thick = max(2, round(height / 14))
    (mw, mh), _ = cv2.getTextSize(main, _FONT, scale, thick)
    flag_w = round(height * 0.55) if style.flag else round(height * 0.15)
    reg_w = 0
    if region is not None:
        (rw, _), _ = cv2.getTextSize(region, _FONT, scale * 0.8, thick)
        reg_w = rw + round(height * 0.3)
    width = flag_w + mw + reg_w + round(height * 0.3)
    img = np.full((height, width, 3), 250, np.uint8)
    cv2.rectangle(img, (2, 2), (width - 3, height - 3), (20, 20, 20), max(2, height // 28))
    if style.flag:
        cv2.rectangle(img, (6, 6), (flag_w - 4, height // 2), (200, 160, 40), -1)
        fs = height / 90.0
        (tw, _), _ = cv2.getTextSize(style.flag, _FONT, fs, max(1, thick // 3))
        cv2.putText(img, style.flag, ((flag_w - tw) // 2, round(height * 0.85)), _FONT, fs,
                    (20, 20, 20), max(1, thick // 3), cv2.LINE_AA)  # fmt: skip
    y = (height + mh) // 2
    cv2.putText(img, main, (flag_w + round(height * 0.1), y), _FONT, scale, (15, 15, 15), thick,
                cv2.LINE_AA)  # fmt: skip
    if region is not None:
        x0 = width - reg_w - round(height * 0.05)
        cv2.line(img, (x0, 4), (x0, height - 5), (20, 20, 20), max(2, height // 28))
        cv2.putText(img, region, (x0 + round(height * 0.12), y), _FONT, scale * 0.8,
                    (15, 15, 15), thick, cv2.LINE_AA)  # fmt: skip
    return img


def paste(image: np.ndarray, plate: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """``plate`` warped onto ``quad`` (tl, tr, br, bl in ``image`` pixels); a new image."""
    h, w = plate.shape[:2]
    src = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
    m = cv2.getPerspectiveTransform(src, np.asarray(quad, np.float32))
    H, W = image.shape[:2]
    warped = cv2.warpPerspective(plate, m, (W, H), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), m, (W, H))
    out = image.copy()
    out[mask > 127] = warped[mask > 127]
    return out


def plate_quad(
    box: tuple[float, float, float, float],
    *,
    width_frac: float,
    aspect: float,
    centre: tuple[float, float] = (0.5, 0.85),
    tilt_deg: float = 0.0,
    skew: float = 0.0,
) -> np.ndarray:
    """Where a plate ``width_frac`` of the vehicle box wide sits, rotated ``tilt_deg`` and
    seen ``skew`` off-axis (one side shorter), as tl, tr, br, bl."""
    x1, y1, x2, y2 = box
    w = width_frac * (x2 - x1)
    h = w / aspect
    cx, cy = x1 + centre[0] * (x2 - x1), y1 + centre[1] * (y2 - y1)
    a, b = h / 2 * (1 - skew), h / 2 * (1 + skew)
    q = np.array([[-w / 2, -a], [w / 2, -b], [w / 2, b], [-w / 2, a]], np.float32)
    t = np.deg2rad(tilt_deg)
    rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]], np.float32)
    return q @ rot.T + np.array([cx, cy], np.float32)


def degrade(
    image: np.ndarray, rng: np.random.Generator, *, blur: float = 0.0, noise: float = 0.0,
    jpeg: int | None = None,
) -> np.ndarray:  # fmt: skip
    """Motion blur of ``blur`` px (horizontal), Gaussian noise of std ``noise``, JPEG."""
    out = image
    if blur >= 1:
        k = np.zeros((1, int(blur) * 2 + 1), np.float32)
        k[0, :] = 1.0 / k.size
        out = cv2.filter2D(out, -1, k)
    if noise > 0:
        n = rng.normal(0, noise, out.shape)
        out = np.clip(out.astype(np.float32) + n, 0, 255).astype(np.uint8)
    if jpeg is not None:
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, jpeg])
        if ok:
            out = np.asarray(cv2.imdecode(buf, cv2.IMREAD_COLOR))
    return out
