"""Start-up repair: what a killed process left behind is made whole or dropped.

* Staging files (``.part``: a writer was killed mid-segment) are cut back to their last
  complete fragment, checked by demuxing every packet and decoding the first keyframe,
  then committed and indexed like any segment; a file with no whole fragment, or one
  that does not decode, is deleted. A corrupt file is never committed, so never served.
* Committed files without an index row (killed between the rename and the insert) are
  probed and indexed. Only the hours since each camera's newest indexed segment are
  listed, so a big archive costs a few directory listings.
"""

from __future__ import annotations

import contextlib
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from kuzet.record.fmp4 import complete_length, init_size
from kuzet.record.index import NewSegment, SegmentIndex
from kuzet.record.metrics import RecordMetrics
from kuzet.record.probe import probe
from kuzet.record.tables import TrashRow
from kuzet.storage.base import StorageError, Volume
from kuzet.storage.s3 import S3Volume

log = logging.getLogger(__name__)
_NAME = re.compile(r"^(?P<cam>[A-Za-z0-9_.-]+)_(?P<ts>\d{8}T\d{6}\.\d{6})Z\.mp4$")


@dataclass(slots=True)
class RepairReport:
    repaired: int = 0
    dropped: int = 0
    reindexed: int = 0


def start_of(key: str) -> tuple[str, datetime] | None:
    """Camera and start instant encoded in a segment key's file name."""
    m = _NAME.match(key.rsplit("/", 1)[-1])
    if m is None:
        return None
    ts = datetime.strptime(m["ts"], "%Y%m%dT%H%M%S.%f").replace(tzinfo=UTC)
    return m["cam"], ts


def _index_file(index: SegmentIndex, volume: Volume, key: str, path: Path,
                location: str) -> bool:  # fmt: skip
    parsed = start_of(key)
    if parsed is None:
        return False
    camera_id, start = parsed
    info = probe(path)
    index.add(NewSegment(
        camera_id=camera_id, start=start, end=start + timedelta(seconds=info.duration_s),
        bytes=path.stat().st_size, volume=volume.name, key=key,
        location=location,  # type: ignore[arg-type]
        init_size=init_size(path), codec=info.codec, width=info.width, height=info.height,
    ))  # fmt: skip
    return True


def repair_staging(volume: Volume, index: SegmentIndex,
                   metrics: RecordMetrics | None = None) -> RepairReport:  # fmt: skip
    report = RepairReport()
    for staged in list(volume.staged_files()):
        outcome = "dropped"
        try:
            key = volume.key_of_staged(staged)
            keep = complete_length(staged)
            if keep > 0:
                with staged.open("r+b") as f:
                    f.truncate(keep)
                probe(staged)  # raises when not readable
                location = volume.commit(key, staged)
                path = volume.local_path(key) or staged
                if index.find_key(volume.name, key) is None:
                    _index_file(index, volume, key, path, location)
                outcome = "repaired"
        except (ValueError, OSError, StorageError) as exc:
            log.warning("leftover segment dropped: %s", exc, extra={"file": str(staged)})
        if outcome == "dropped":
            with contextlib.suppress(OSError):
                staged.unlink()
            report.dropped += 1
        else:
            report.repaired += 1
            log.info("leftover segment repaired", extra={"file": staged.name})
        if metrics is not None:
            metrics.repaired.labels(outcome).inc()
    return report


def _hours(since: datetime, until: datetime) -> list[str]:
    t = since.replace(minute=0, second=0, microsecond=0)
    out: list[str] = []
    while t <= until and len(out) < 24 * 31:
        out.append(f"{t:%Y/%m/%d/%H}/")
        t += timedelta(hours=1)
    return out


def _trashed(index: SegmentIndex, volume: str, keys: list[str]) -> set[str]:
    """Keys retention already deleted (their file may outlive a crash): never re-indexed."""
    out: set[str] = set()
    with index.engine.connect() as c:
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            q = select(TrashRow.key).where(TrashRow.volume == volume, TrashRow.key.in_(chunk))
            out |= set(c.scalars(q).all())
    return out


def reindex_orphans(volume: Volume, index: SegmentIndex, cameras: list[str]) -> int:
    """Index committed files that have no row (killed between commit and insert)."""
    found = 0
    known: set[str] = set()
    candidates: list[tuple[str, Path]] = []
    if isinstance(volume, S3Volume):
        candidates = [(k, volume.spool_path(k)) for k in volume.spooled()]
        known = {k for k, _ in candidates if index.find_key(volume.name, k) is not None}
        location = "spool"
    else:
        now = datetime.now(UTC)
        for cam in cameras:
            latest = index.latest(cam)
            if latest is None:
                prefixes = [f"{cam}/"]
            else:
                since = latest.start.replace(minute=0, second=0, microsecond=0)
                known |= index.keys(volume.name, cam, since)
                until = max(now, latest.end) + timedelta(hours=1)  # a clock set ahead too
                prefixes = [f"{cam}/{h}" for h in _hours(latest.start, until)]
            for prefix in prefixes:
                for key in volume.list_keys(prefix):
                    path = volume.local_path(key)
                    if path is not None and key not in known:
                        candidates.append((key, path))
        location = "local"
    candidates = [(k, p) for k, p in candidates if k not in known]
    trashed = _trashed(index, volume.name, [k for k, _ in candidates])
    for key, path in candidates:
        if key in trashed:
            continue
        try:
            if _index_file(index, volume, key, path, location):
                found += 1
                log.info("unindexed segment indexed", extra={"key": key})
        except (ValueError, OSError) as exc:
            log.warning("unindexed file is not a readable segment: %s", exc, extra={"key": key})
    return found
