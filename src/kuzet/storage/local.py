"""A volume on a local or mounted disk: one file per segment, committed by rename."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from kuzet.storage.base import (
    Location,
    StorageError,
    StorageFull,
    check_key,
    key_from_staging,
    staging_name,
)

STAGING_DIR = ".staging"


def fsync_dir(path: Path) -> None:
    """Make a rename inside ``path`` durable (a no-op where directories cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class LocalVolume:
    """Segments as files under ``root``; staging files in ``root/.staging`` (same disk, so
    the commit is an atomic rename and a killed writer leaves only ``.part`` files there)."""

    def __init__(self, name: str, root: Path, *, quota_bytes: int | None = None,
                 min_free_bytes: int = 0) -> None:  # fmt: skip
        self.name = name
        self.root = Path(root).resolve()
        self.quota_bytes = quota_bytes
        self.min_free_bytes = min_free_bytes
        self.staging = self.root / STAGING_DIR
        try:
            self.staging.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"volume {name!r}: cannot create {self.root}: {exc}") from None

    def path(self, key: str) -> Path:
        target = self.root.joinpath(*check_key(key))
        if not target.resolve().is_relative_to(self.root):  # a symlink pointing outside
            raise ValueError(f"key {key!r} escapes volume {self.name!r}")
        return target

    def staging_path(self, key: str) -> Path:
        return self.staging / staging_name(key)

    def commit(self, key: str, staged: Path) -> Location:
        target = self.path(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise StorageFull(f"volume {self.name!r}: no space left on device") from None
            raise StorageError(f"volume {self.name!r}: cannot commit {key}: {exc}") from None
        return "local"

    def read(self, key: str, offset: int = 0, length: int | None = None) -> bytes:
        try:
            with self.path(key).open("rb") as f:
                f.seek(offset)
                return f.read() if length is None else f.read(length)
        except FileNotFoundError:
            raise KeyError(key) from None

    def size(self, key: str) -> int:
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError:
            raise KeyError(key) from None

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def local_path(self, key: str) -> Path | None:
        path = self.path(key)
        return path if path.is_file() else None

    def delete(self, key: str) -> None:
        path = self.path(key)
        path.unlink(missing_ok=True)
        # drop emptied hour/day folders, never the root
        parent = path.parent
        while parent != self.root and parent.is_relative_to(self.root):
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent

    def list_keys(self, prefix: str) -> Iterator[str]:
        base = (
            self.root.joinpath(*check_key(prefix.rstrip("/"))) if prefix.strip("/") else self.root
        )
        if not base.is_dir():
            return
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d != STAGING_DIR)
            rel = Path(dirpath).relative_to(self.root)
            for name in sorted(filenames):
                if not name.endswith(".part"):
                    yield "/".join((*rel.parts, name))

    def staged_files(self) -> Iterator[Path]:
        yield from sorted(self.staging.glob("*.part"))

    def key_of_staged(self, staged: Path) -> str:
        return key_from_staging(staged.name)

    def free_bytes(self) -> int:
        return shutil.disk_usage(self.root).free

    def total_bytes(self) -> int:
        return shutil.disk_usage(self.root).total
