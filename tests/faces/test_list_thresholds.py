"""Per-watchlist thresholds from a target false-alert rate and the list's size, read
from the measured impostor scores (src/kuzet/faces/data/impostors.json, written by
bench/face_embedders.py from the tuning identities)."""

from __future__ import annotations

import numpy as np
import pytest

from kuzet.faces.calibration import CalibrationError, fmr_at, impostor_scores, list_threshold
from kuzet.faces.records import PersonRecord
from kuzet.faces.watchlists import WatchlistError, Watchlists


def test_threshold_keeps_expected_false_alerts_under_target() -> None:
    s = impostor_scores("dlib")
    assert len(s) > 5000  # pairs of real tuning faces and their augmented copies
    for size in (1, 10, 100):
        lt = list_threshold("dlib", size, 0.5)
        assert lt.measured
        # counted directly on the measured scores: size x share at or above <= target
        share = float(np.mean(s >= lt.threshold))
        assert size * share <= 0.5 and share == pytest.approx(lt.fmr)
        # and the threshold is the loosest such: a hair lower lets too many through
        assert size * float(np.mean(s >= lt.threshold - 2e-4)) > 0.5 or lt.threshold <= s[0]


def test_bigger_list_needs_a_stricter_threshold() -> None:
    small = list_threshold("dlib", 10, 0.01)
    big = list_threshold("dlib", 10_000, 0.01)
    assert big.threshold > small.threshold
    assert not big.measured  # 1e-6 per comparison is far beyond the measured pairs
    assert "extrapolated" in big.explain()
    # dlib's impostor tail is too heavy for 10,000 people at 0.01: said, not hidden
    assert not big.reachable and big.threshold == 0.9999
    assert big.expected_false_alerts > 0.01 and "not reachable" in big.explain()
    mid = list_threshold("dlib", 1_000, 0.5)
    assert mid.reachable and mid.expected_false_alerts <= 0.5
    fmr, measured = fmr_at("dlib", float(impostor_scores("dlib")[-1]) + 0.01)
    assert not measured and 0 < fmr < 1 / len(impostor_scores("dlib"))


def test_unknown_embedder_or_bad_target_is_a_clear_error() -> None:
    with pytest.raises(CalibrationError, match="no measured impostor scores"):
        list_threshold("nosuch", 10, 0.01)
    with pytest.raises(CalibrationError, match="per search"):
        list_threshold("dlib", 10, 0.0)


def test_list_threshold_follows_its_size(synthetic_lists: Watchlists) -> None:
    wl = synthetic_lists.create("police", "Wanted", false_alert_target=0.01)
    assert wl.false_alert_target == 0.01
    assert wl.threshold == list_threshold("dlib", 1, 0.01).threshold
    synthetic_lists.sync(wl.id, [PersonRecord(f"p{i}", "x", [b"ph%d" % i]) for i in range(50)])
    grown = synthetic_lists.get(wl.id)
    assert grown.threshold == list_threshold("dlib", 50, 0.01).threshold > wl.threshold
    assert synthetic_lists.gallery._lists[wl.id][0] == grown.threshold  # live at once
    info = synthetic_lists.threshold_info(wl.id)
    assert info is not None and info.list_size == 50 and info.expected_false_alerts <= 0.01
    synthetic_lists.remove(wl.id, "p0")
    assert synthetic_lists.get(wl.id).threshold == list_threshold("dlib", 49, 0.01).threshold
    # a fixed threshold replaces the target
    fixed = synthetic_lists.update(wl.id, threshold=0.95)
    assert fixed.false_alert_target is None and synthetic_lists.threshold_info(wl.id) is None
    with pytest.raises(WatchlistError, match="not both"):
        synthetic_lists.update(wl.id, threshold=0.9, false_alert_target=0.01)
    with pytest.raises(WatchlistError, match="not reachable"):  # asked for: refused
        synthetic_lists.update(wl.id, false_alert_target=1e-9)
