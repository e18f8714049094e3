"""Snapshot storage behind a two-method interface, so S3 can replace the local disk later."""

from __future__ import annotations

import logging
import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

log = logging.getLogger(__name__)

_SAFE_PART = re.compile(r"^[A-Za-z0-9_.-]+$")


@runtime_checkable
class BlobStore(Protocol):
    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes | None: ...


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
