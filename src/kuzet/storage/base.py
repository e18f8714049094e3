"""What a recording volume can do, whatever holds the bytes (a disk, an S3 bucket).

Writers never stream into a volume: a segment is written to a local *staging* file
(``staging_path``), closed, flushed, and then handed over whole with :meth:`Volume.commit`
(an atomic rename on a disk; a spool plus a background upload for S3). So a reader
never sees a half-written object under a committed key.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

Location = Literal["local", "spool", "remote"]
_SAFE_PART = re.compile(r"^[A-Za-z0-9_.-]+$")


class StorageError(Exception):
    """A volume could not do what was asked (message says which volume and why)."""


class StorageUnavailable(StorageError):
    """The backend cannot be reached now (S3 down); try again later."""


class StorageFull(StorageError):
    """No space left on the device (or the spool is at its bound)."""


STAGING_SEP = "+"  # never inside a key part, so a staging name maps back to its key


def staging_name(key: str) -> str:
    return STAGING_SEP.join(check_key(key)) + ".part"


def key_from_staging(name: str) -> str:
    if not name.endswith(".part"):
        raise ValueError(f"not a staging file: {name!r}")
    key = "/".join(name[: -len(".part")].split(STAGING_SEP))
    check_key(key)
    return key


def check_key(key: str) -> tuple[str, ...]:
    """Split a key into safe parts; reject absolute, ``..``, empty or odd parts."""
    parts = tuple(key.split("/"))
    for part in parts:
        if part in ("", ".", "..") or not _SAFE_PART.match(part):
            raise ValueError(f"invalid object key {key!r}")
    return parts


@runtime_checkable
class Volume(Protocol):
    """One place segments live. ``name`` is the site's ``record.volumes`` key."""

    name: str

    def staging_path(self, key: str) -> Path:
        """Where a writer puts the file for ``key`` while it grows (a ``.part`` name)."""
        ...

    def commit(self, key: str, staged: Path) -> Location:
        """Make the closed file ``staged`` readable under ``key``; returns where it is."""
        ...

    def read(self, key: str, offset: int = 0, length: int | None = None) -> bytes:
        """Bytes of ``key`` (a range when ``length`` is given); ``KeyError`` if missing."""
        ...

    def size(self, key: str) -> int: ...

    def exists(self, key: str) -> bool: ...

    def local_path(self, key: str) -> Path | None:
        """A local file holding ``key`` (serve it directly), or None (remote only)."""
        ...

    def delete(self, key: str) -> None:
        """Remove ``key``; a missing key is not an error."""
        ...

    def list_keys(self, prefix: str) -> Iterator[str]:
        """Committed keys starting with ``prefix`` (a folder such as ``cam-1/2026/12/06/``)."""
        ...

    def staged_files(self) -> Iterator[Path]:
        """Leftover staging files (a writer was killed): for repair on start."""
        ...

    def key_of_staged(self, staged: Path) -> str:
        """The key a staging file was meant for."""
        ...
