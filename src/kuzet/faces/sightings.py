"""Stored best faces of past tracks: record, retrospective search, retention purge.

Templates and crops are sealed. Search decrypts only the sightings inside the asked
time window and cameras, then scores them exactly: windows are small next to the
whole history, and nothing but the sealed rows is kept on disk.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import sessionmaker

from kuzet.faces.crypto import KeyRing
from kuzet.faces.tables import SightingRow


@dataclass(frozen=True)
class Sighting:
    camera_id: str
    track_id: int
    ts: datetime
    box: tuple[float, float, float, float]
    quality: float
    template: np.ndarray
    crop_jpeg: bytes | None = None
    listed: bool = False
    attributes: dict[str, Any] | None = None


@dataclass(frozen=True)
class Found:
    sighting_id: str
    camera_id: str
    track_id: int
    ts: datetime
    score: float
    box: list[float]


class Sightings:
    def __init__(self, engine: Engine, keys: KeyRing) -> None:
        self._session = sessionmaker(engine)
        self._keys = keys

    def record(self, s: Sighting) -> str:
        sid = str(uuid.uuid4())
        t = self._keys.seal(s.template.astype(np.float32).tobytes(), f"sighting:{sid}")
        crop = None
        if s.crop_jpeg is not None:
            crop = self._keys.seal(s.crop_jpeg, f"sighting-crop:{sid}").blob
        row = SightingRow(
            id=sid,
            camera_id=s.camera_id,
            track_id=s.track_id,
            ts=s.ts,
            box=list(s.box),
            quality=s.quality,
            key_id=t.key_id,
            template_enc=t.blob,
            crop_enc=crop,
            listed=s.listed,
            attributes=s.attributes or {},
        )
        with self._session.begin() as db:
            db.add(row)
        return sid

    def mark_listed(self, sighting_id: str) -> None:
        with self._session.begin() as db:
            db.execute(update(SightingRow).where(SightingRow.id == sighting_id).values(listed=True))

    def search(
        self,
        template: np.ndarray,
        start: datetime,
        end: datetime,
        cameras: list[str] | None = None,
        *,
        threshold: float = 0.8,
        limit: int = 100,
    ) -> list[Found]:
        """Where was this face seen between ``start`` and ``end`` (in ``cameras``)?"""
        q = select(SightingRow).where(SightingRow.ts >= start, SightingRow.ts < end)
        if cameras:
            q = q.where(SightingRow.camera_id.in_(cameras))
        t = template.astype(np.float32) / max(float(np.linalg.norm(template)), 1e-9)
        out: list[Found] = []
        with self._session() as db:
            for row in db.scalars(q.execution_options(yield_per=2000)):
                raw = self._keys.open(row.key_id, row.template_enc, f"sighting:{row.id}")
                score = float(np.frombuffer(raw, np.float32) @ t)
                if score >= threshold:
                    out.append(Found(row.id, row.camera_id, row.track_id, row.ts, score, row.box))
        out.sort(key=lambda f: -f.score)
        return out[:limit]

    def crop(self, sighting_id: str) -> bytes | None:
        with self._session() as db:
            row = db.get(SightingRow, sighting_id)
        if row is None or row.crop_enc is None:
            return None
        return self._keys.open(row.key_id, row.crop_enc, f"sighting-crop:{sighting_id}")

    def purge(self, now: datetime, retention: timedelta) -> int:
        """Delete face data of people on no list older than ``retention``."""
        with self._session.begin() as db:
            res = db.execute(
                delete(SightingRow).where(SightingRow.ts < now - retention, ~SightingRow.listed)
            )
        return int(res.rowcount or 0)  # type: ignore[attr-defined]
