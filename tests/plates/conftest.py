"""One PP-OCR reader for the plate tests (model load ~0.6 s)."""

from __future__ import annotations

import pytest

from kuzet.config.plates import PlatesConfig
from kuzet.plates.plugin import build_reader
from kuzet.plates.reader import PlateReader


@pytest.fixture(scope="session")
def reader() -> PlateReader:
    return build_reader(PlatesConfig(enabled=True))
