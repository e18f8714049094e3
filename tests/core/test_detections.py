import numpy as np
import pytest

from kuzet.core import Detections, event_id


def _dets() -> Detections:
    return Detections(
        xyxy=[[0, 0, 10, 20], [5, 5, 15, 15], [100, 100, 110, 140]],
        confidence=[0.9, 0.4, 0.7],
        class_id=[0, 2, 0],
        data={"name": np.array(["a", "b", "c"])},
    )


def test_mask_and_index_keep_columns_aligned() -> None:
    d = _dets()
    sub = d[d.class_id == 0]
    assert len(sub) == 2
    assert sub.data["name"].tolist() == ["a", "c"]
    assert sub.confidence.tolist() == pytest.approx([0.9, 0.7])
    assert len(d[1]) == 1 and d[1].class_id.tolist() == [2]


def test_mismatched_columns_are_rejected() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        Detections(xyxy=[[0, 0, 1, 1]], confidence=[0.5, 0.6], class_id=[0])


def test_anchor_area_scale_merge() -> None:
    d = _dets()
    assert d.anchor()[0].tolist() == [5, 20]
    assert d.anchor("center")[0].tolist() == [5, 10]
    assert d.area.tolist() == [200, 100, 400]
    s = d.scaled(2, 3, 1, 1)
    assert s.xyxy[0].tolist() == [1, 1, 21, 61]
    m = Detections.merge([d, Detections.empty()])
    assert len(m) == 3 and "name" not in m.data  # empty part has no 'name' column


def test_event_id_is_deterministic_and_distinct() -> None:
    assert event_id("cam", "r", 1, 2.0) == event_id("cam", "r", 1, 2.0)
    assert event_id("cam", "r", 1, 2.0) != event_id("cam", "r", 2, 2.0)
