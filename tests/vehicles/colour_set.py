"""The labelled real vehicles of tests/vehicles/data/colours.json, loaded (shared by the
tests and bench/vehicle_attributes.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import av
import cv2
import numpy as np

from kuzet.assets import ensure

DATA = Path(__file__).parent / "data" / "colours.json"


@dataclass(frozen=True)
class Vehicle:
    asset: str
    box: np.ndarray
    colour: str
    part: str
    note: str
    frame: int | None = None


@cache
def picture(asset: str, frame: int | None = None) -> np.ndarray:
    path = ensure(asset, quiet=True)
    if frame is None:
        img = cv2.imread(str(path))
        assert img is not None, path
        return img
    with av.open(str(path)) as c:
        for i, f in enumerate(c.decode(video=0)):
            if i == frame:
                return np.asarray(f.to_ndarray(format="bgr24"))
    raise ValueError(f"{asset} has no frame {frame}")


def vehicles() -> list[Vehicle]:
    raw = json.loads(DATA.read_text())["vehicles"]
    return [
        Vehicle(
            v["asset"],
            np.array(v["box"], np.float32),
            v["colour"],
            v["part"],
            v["note"],
            v.get("frame"),
        )
        for v in raw
    ]
