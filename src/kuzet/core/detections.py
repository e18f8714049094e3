"""Columnar detections: one numpy array per field, never one Python object per box."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(slots=True)
class Detections:
    """Boxes of one frame, as parallel arrays (the shape of supervision's ``Detections``).

    ``xyxy`` is in pixels of the frame the detector saw. ``tracker_id`` is filled by
    the tracking stage; ``data`` carries extra per-box columns (e.g. ``class_name``).
    """

    xyxy: np.ndarray
    confidence: np.ndarray
    class_id: np.ndarray
    tracker_id: np.ndarray | None = None
    data: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.xyxy = np.asarray(self.xyxy, dtype=np.float32).reshape(-1, 4)
        self.confidence = np.asarray(self.confidence, dtype=np.float32).reshape(-1)
        self.class_id = np.asarray(self.class_id, dtype=np.int32).reshape(-1)
        n = len(self.xyxy)
        if len(self.confidence) != n or len(self.class_id) != n:
            raise ValueError(
                f"Detections columns differ in length: xyxy={n}, "
                f"confidence={len(self.confidence)}, class_id={len(self.class_id)}"
            )
        if self.tracker_id is not None:
            self.tracker_id = np.asarray(self.tracker_id, dtype=np.int64).reshape(-1)
            if len(self.tracker_id) != n:
                raise ValueError("tracker_id length differs from xyxy")
        for key, col in self.data.items():
            if len(col) != n:
                raise ValueError(f"data column {key!r} length differs from xyxy")

    @classmethod
    def empty(cls) -> Detections:
        return cls(
            xyxy=np.empty((0, 4), np.float32),
            confidence=np.empty(0, np.float32),
            class_id=np.empty(0, np.int32),
        )

    def __len__(self) -> int:
        return int(self.xyxy.shape[0])

    def __getitem__(self, index: Any) -> Detections:
        """Boolean mask, index array or slice; always returns ``Detections``."""
        if isinstance(index, int | np.integer):
            index = [int(index)]
        return Detections(
            xyxy=self.xyxy[index],
            confidence=self.confidence[index],
            class_id=self.class_id[index],
            tracker_id=None if self.tracker_id is None else self.tracker_id[index],
            data={k: v[index] for k, v in self.data.items()},
        )

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self)))

    @property
    def area(self) -> np.ndarray:
        wh = np.clip(self.xyxy[:, 2:] - self.xyxy[:, :2], 0, None)
        return wh[:, 0] * wh[:, 1]

    def anchor(self, where: str = "bottom_center") -> np.ndarray:
        """Reference point per box; feet (``bottom_center``) is what zones reason about."""
        x = (self.xyxy[:, 0] + self.xyxy[:, 2]) / 2
        if where == "bottom_center":
            y = self.xyxy[:, 3]
        elif where == "center":
            y = (self.xyxy[:, 1] + self.xyxy[:, 3]) / 2
        else:
            raise ValueError(f"unknown anchor {where!r}")
        return np.stack([x, y], axis=1)

    def scaled(self, sx: float, sy: float, dx: float = 0.0, dy: float = 0.0) -> Detections:
        """Map boxes from detector input space back to frame space."""
        xyxy = self.xyxy * np.array([sx, sy, sx, sy], np.float32) + np.array(
            [dx, dy, dx, dy], np.float32
        )
        return Detections(xyxy, self.confidence, self.class_id, self.tracker_id, dict(self.data))

    @staticmethod
    def merge(parts: list[Detections]) -> Detections:
        if not parts:
            return Detections.empty()
        keys = set(parts[0].data).intersection(*(p.data for p in parts[1:]))
        tids = [p.tracker_id for p in parts]
        return Detections(
            xyxy=np.concatenate([p.xyxy for p in parts]),
            confidence=np.concatenate([p.confidence for p in parts]),
            class_id=np.concatenate([p.class_id for p in parts]),
            tracker_id=None if any(t is None for t in tids) else np.concatenate(tids),  # type: ignore[arg-type]
            data={k: np.concatenate([p.data[k] for p in parts]) for k in keys},
        )
