"""PlateReader's recognition order: best-ranked candidate first, the rest skipped once a
grammar-valid read is sure enough (a fake finder and recogniser: this is logic only)."""

from __future__ import annotations

import numpy as np
import pytest

from kuzet.config.plates import PlatesConfig
from kuzet.plates.ocr import TextBox
from kuzet.plates.plugin import build_reader
from kuzet.plates.reader import PlateReader

BOX = (0.0, 0.0, 600.0, 400.0)  # the searched region starts at y = 160 (search_top 0.4)


def _quad(x: float, y: float, w: float, h: float) -> np.ndarray:
    return np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], np.float32)


# region pixels: DARK ranks first (0.9 x 200 px wide), BRIGHT second (0.5 x 240)
DARK = TextBox(_quad(50, 20, 200, 50), 0.9)
BRIGHT = TextBox(_quad(300, 150, 240, 50), 0.5)


def _image() -> np.ndarray:
    """Stripes like characters (contrast enough to pass the finder): dark ones under DARK,
    bright ones under BRIGHT."""
    img = np.full((400, 600, 3), 128, np.uint8)
    stripes = (np.arange(600) // 8 % 2).astype(np.uint8)[None, :, None]
    img[160 + 10 : 160 + 80, 40:260] = (stripes * 110)[:, 40:260]
    img[160 + 140 : 160 + 210, 290:550] = (146 + stripes * 109)[:, 290:550]
    return img


class FakeFinder:
    def detect(self, image: np.ndarray) -> list[TextBox]:
        return [BRIGHT, DARK]


class FakeOcr:
    """Answers by the crop's brightness; records the size of every batch it was given."""

    def __init__(self, dark: tuple[str, float], bright: tuple[str, float]) -> None:
        self.answers = {"dark": dark, "bright": bright}
        self.batches: list[int] = []

    def recognise(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        self.batches.append(len(crops))
        return [self.answers["dark" if c.mean() < 128 else "bright"] for c in crops]


def _read(ocr: FakeOcr, stop: float | None) -> str | None:
    return PlateReader(FakeFinder(), ocr, stop_confidence=stop).read(_image(), BOX).text


def test_a_sure_read_of_the_first_candidate_skips_the_rest() -> None:
    ocr = FakeOcr(dark=("777 KZA 02", 0.95), bright=("123 ABD 02", 0.99))
    assert _read(ocr, 0.9) == "777KZA02"
    assert ocr.batches == [1]


def test_an_unsure_or_non_plate_first_read_goes_on_to_the_next() -> None:
    unsure = FakeOcr(dark=("777 KZA 02", 0.7), bright=("123 ABD 02", 0.95))
    assert _read(unsure, 0.9) == "123ABD02"
    assert unsure.batches == [1, 1]
    text = FakeOcr(dark=("emisiones", 0.99), bright=("123 ABD 02", 0.92))
    assert _read(text, 0.9) == "123ABD02"
    assert text.batches == [1, 1]


def test_without_stop_all_are_recognised_in_one_batch_and_the_surest_wins() -> None:
    ocr = FakeOcr(dark=("777 KZA 02", 0.95), bright=("123 ABD 02", 0.99))
    assert _read(ocr, None) == "123ABD02"
    assert ocr.batches == [2]


@pytest.mark.parametrize("stop", [0.9, None])
def test_site_setting_reaches_the_reader(stop: float | None) -> None:
    cfg = PlatesConfig(enabled=True, stop_confidence=stop)
    reader = build_reader(cfg, ocr=FakeOcr(("", 0.0), ("", 0.0)))  # type: ignore[arg-type]
    assert reader.stop_confidence == stop
