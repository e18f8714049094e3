"""Rows for index tests: scripted, so every search has one exact answer."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from kuzet.archive.schema import TrackRow

DAY = datetime(2026, 12, 6, tzinfo=UTC)


def row(
    cam: str,
    tid: int,
    start_s: float,
    *,
    dur: float = 10.0,
    path: list[tuple[float, float]] | None = None,
    cls: str = "person",
    part: int = 0,
    day: datetime = DAY,
    **attrs: str,
) -> TrackRow:
    """A track ``start_s`` seconds into ``day``; by default it walks left to right at y=300."""
    pts = np.array(path or [(100, 300), (500, 300)], np.float64)
    t_ms = np.linspace(0, dur * 1000, len(pts)).round().astype(np.int32)
    start_us = round((day.timestamp() + start_s) * 1e6)
    return TrackRow(
        camera_id=cam,
        track_id=tid,
        part=part,
        start_us=start_us,
        end_us=start_us + int(dur * 1e6),
        class_name=cls,
        score=0.8,
        frames=int(dur * 5),
        frame_w=768,
        frame_h=576,
        xs=pts[:, 0].astype(np.int16),
        ys=pts[:, 1].astype(np.int16),
        ts_ms=t_ms,
        attributes=dict(attrs),
    )
