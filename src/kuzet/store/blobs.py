"""Snapshots, clips and pictures behind one small interface: files under ``data_dir``
(:class:`LocalBlobStore`) or an S3-compatible bucket (:mod:`kuzet.store.s3blobs`), chosen by
the site's ``blobs:`` section (:func:`open_blobs`)."""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from kuzet.config.blobs import BlobsConfig, LocalBlobsConfig

log = logging.getLogger(__name__)

_SAFE_PART = re.compile(r"^[A-Za-z0-9_.-]+$")


@runtime_checkable
class BlobStore(Protocol):
    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes | None: ...


@runtime_checkable
class BlobBackend(BlobStore, Protocol):
    """What the service, the shards and retention need beyond put/get."""

    def delete(self, key: str) -> bool: ...

    def purge_days(self, folder: str, days: int, now: datetime | None = None) -> int: ...

    def stats(self) -> dict[str, Any]: ...

    def close(self) -> None: ...


def open_blobs(cfg: BlobsConfig, data_dir: Path) -> BlobBackend:
    """The blob store of ``cfg``; relative paths are under ``data_dir``. An S3 store has
    its uploader started (the caller closes it)."""
    if isinstance(cfg, LocalBlobsConfig):
        return LocalBlobStore(cfg.path if cfg.path.is_absolute() else data_dir / cfg.path)
    from kuzet.store.s3blobs import S3BlobStore  # boto3 only where S3 is configured

    return S3BlobStore.from_config(cfg, data_dir).start()


def cutoff_day(days: int, now: datetime | None = None) -> str:
    """``YYYY/MM/DD`` of the first day kept by a ``days`` retention."""
    return ((now or datetime.now(UTC)) - timedelta(days=days)).strftime("%Y/%m/%d")


def snapshot_key(camera_id: str, event_id: str, ts: datetime, ext: str = "jpg") -> str:
    """``snapshots/YYYY/MM/DD/<camera>/<event-id>.jpg``: day folders keep directories small."""
    day = ts.astimezone(UTC)
    return f"snapshots/{day:%Y/%m/%d}/{camera_id}/{event_id}.{ext}"


def check_key(key: str) -> tuple[str, ...]:
    """Split a key into safe parts; reject absolute, ``..``, ``.``, empty or odd parts."""
    parts = tuple(key.split("/"))
    for part in parts:
        if part in ("", ".", "..") or not _SAFE_PART.match(part):
            raise ValueError(f"invalid blob key {key!r}")
    return parts


class LocalBlobStore:
    """Blobs as files under ``root``; writes are atomic (temp file + rename)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        """Filesystem path of ``key`` (for serving files directly)."""
        target = self.root.joinpath(*check_key(key))
        if not target.resolve().is_relative_to(self.root):  # a symlink pointing outside
            raise ValueError(f"blob key {key!r} escapes the store")
        return target

    def put(self, key: str, data: bytes) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes | None:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> bool:
        try:
            self.path(key).unlink()
            return True
        except FileNotFoundError:
            return False

    def purge_days(self, folder: str, days: int, now: datetime | None = None) -> int:
        """Retention: remove the day folders ``<folder>/YYYY/MM/DD`` older than ``days``.
        Returns how many days went."""
        cutoff, gone = cutoff_day(days, now), 0
        for day in sorted(self.path(folder).glob("[0-9]*/[0-9]*/[0-9]*")):
            if day.is_dir() and "/".join(day.parts[-3:]) < cutoff:
                shutil.rmtree(day, ignore_errors=True)
                gone += 1
        return gone

    def stats(self) -> dict[str, Any]:
        return {"type": "local", "root": str(self.root)}

    def close(self) -> None:
        """Nothing buffered: every put is on disk when it returns."""
