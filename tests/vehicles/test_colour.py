"""Body colour names on real vehicles (tests/vehicles/data/colours.json: 12 vehicles in
real photos and vtest.avi, labelled by eye), and the hue table on synthetic recolours."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kuzet.vehicles.colour import NAMES, ColourVote, body_colour, colour_shares

from .colour_set import picture, vehicles

KNOWN_MISS = {("scenetext05.jpg", "white")}  # box cut by the frame: bumper and wheels only


@pytest.mark.parametrize("v", vehicles(), ids=lambda v: f"{v.asset}-{v.colour}-{int(v.box[0])}")
def test_named_colour_matches_the_label(v) -> None:  # type: ignore[no-untyped-def]
    got = body_colour(picture(v.asset, v.frame), v.box)
    if (v.asset, v.colour) in KNOWN_MISS:
        assert got != v.colour  # documented miss (docs/vehicles.md): fails once it is fixed
    else:
        assert got == v.colour, v.note


def test_shares_sum_to_one_and_an_empty_box_names_nothing() -> None:
    img = picture("bus.jpg")
    shares = colour_shares(img, np.array([19, 214, 789, 750], np.float32))
    assert abs(sum(shares.values()) - 1.0) < 1e-6 and set(shares) <= set(NAMES)
    assert colour_shares(img, np.array([5000, 5000, 5100, 5100], np.float32)) == {}
    assert body_colour(img, np.array([10, 10, 10, 10], np.float32)) is None


def test_votes_over_looks_outweigh_one_bad_look() -> None:
    vote = ColourVote()
    assert vote.winner() == (None, 0.0)
    vote.add({"white": 0.8, "grey": 0.2})
    vote.add({"black": 0.9, "grey": 0.1})  # e.g. a look in a tunnel's shade
    vote.add({"white": 0.7, "grey": 0.3})
    vote.add({})  # an empty look does not count
    assert vote.winner() == ("white", round(1.5 / 3, 3)) and vote.looks == 3


# Synthetic (logic of the hue table): the silver minivan of detect_test2.jpg repainted in
# Lab, keeping its lightness texture; a target is (L shift, a*, b*) in 8-bit-free units.
PAINTS = {
    "red": (0, 55, 35), "orange": (10, 35, 60), "yellow": (25, 0, 75), "green": (0, -45, 30),
    "blue": (-5, 10, -50), "purple": (-5, 40, -30), "brown": (-25, 18, 30), "beige": (25, 4, 22),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(PAINTS))
def test_repainted_real_car_is_named_by_its_paint(name: str) -> None:
    img = picture("detect_test2.jpg").copy()
    x1, y1, x2, y2 = 924, 221, 1108, 294
    lab = cv2.cvtColor(img[y1:y2, x1:x2], cv2.COLOR_BGR2LAB).astype(np.float32)
    dl, a, b = PAINTS[name]
    lab[..., 0] = np.clip(lab[..., 0] + dl * 2.55, 0, 255)
    lab[..., 1], lab[..., 2] = 128 + a, 128 + b
    img[y1:y2, x1:x2] = cv2.cvtColor(lab.astype(np.uint8), cv2.COLOR_LAB2BGR)
    assert body_colour(img, np.array([x1, y1, x2, y2], np.float32)) == name
