"""Where the track index's files live: a local folder (the default) or an S3 bucket.

Both keep the same layout (``day=/camera=/p-|c-*.parquet`` and ``snap/``) and the same
skip-covered rule (:func:`kuzet.archive.files.classify`); they differ in how a file is
made visible (a rename here, one PUT on S3), in how DuckDB scans them (``read_parquet``
over paths here, a ``pyarrow.dataset`` there) and in what an outage means (none here; a
local spool on S3). The writer and :class:`~kuzet.archive.query.TrackIndex` only see
this protocol.
"""

from __future__ import annotations

import shutil
from collections.abc import Set as AbstractSet
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pyarrow as pa

from kuzet.archive import files as F
from kuzet.archive.schema import SCHEMA, day_name, partition, snapshot_path


class ArchiveUnavailable(Exception):
    """The index storage cannot be reached or read now; the message names the storage."""


class Layout(Protocol):
    """One index root, wherever it is."""

    where: str  # "local folder /data/archive", "s3://bucket/prefix at http://host:port"

    def list_days(self) -> list[date]: ...

    def files_for(self, days: list[date], cameras: AbstractSet[str] | None) -> list[str]:
        """Every live data file of these days and cameras (``None``: every camera)."""
        ...

    def source(
        self, cur: duckdb.DuckDBPyConnection, files: list[str]
    ) -> tuple[str, dict[str, Any]]:
        """A FROM clause over ``files`` for ``cur`` and the parameters it needs."""
        ...

    def write(self, day: date, cam: str, table: pa.Table, snaps: list[tuple[int, int, int, bytes]],
              seq: int) -> None:  # fmt: skip
        """Snapshots ``(start_us, track, part, jpeg)`` first, then ``p-<seq>.parquet``."""
        ...

    def live_count(self, day: date, cam: str) -> int: ...

    def compact(self, day: date, cam: str) -> int:
        """Merge a camera-day's files into one; how many it replaced."""
        ...

    def purge_before(self, oldest: date) -> int:
        """Delete days before ``oldest``; how many went."""
        ...

    def snapshot(self, cam: str, start_us: int, track_id: int, part: int) -> bytes | None: ...

    def upload(self) -> int:
        """Push spooled files to the storage (S3); how many went. 0 where nothing spools."""
        ...

    def spooled(self) -> int:
        """Files written locally and not yet in the storage."""
        ...


def _typed_nulls() -> str:
    """A row of every index column as a typed NULL (DuckDB SQL), for UNION BY NAME."""
    types = {"string": "VARCHAR", "int16": "SMALLINT", "int32": "INTEGER", "int64": "BIGINT",
             "float": "FLOAT", "bool": "BOOLEAN", "timestamp[us, tz=UTC]": "TIMESTAMPTZ",
             "list<item: int16>": "SMALLINT[]", "list<item: int32>": "INTEGER[]"}  # fmt: skip
    return ", ".join(f'NULL::{types[str(f.type)]} AS "{f.name}"' for f in SCHEMA)


# Files written before a column was added (e.g. the vehicle attributes) lack it: they
# are read by column name and the empty typed row gives every column, null where absent.
# Measured 1.3-2x slower than the plain scan (union_by_name reads every footer first), so
# only a search that failed on such files uses it; a compaction rewrites them with every
# column (it reads them with the full schema).
_LEGACY_SOURCE = (
    "(SELECT * FROM read_parquet($files, union_by_name = true)"
    f" UNION ALL BY NAME SELECT {_typed_nulls()} WHERE false)"
)


class LocalLayout:
    """The index under a local (or mounted) folder: files renamed into place."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.where = f"local folder {self.root}"

    def prepare(self) -> LocalLayout:
        self.root.mkdir(parents=True, exist_ok=True)
        return self

    def list_days(self) -> list[date]:
        return F.list_days(self.root)

    def files_for(self, days: list[date], cameras: AbstractSet[str] | None) -> list[str]:
        return [str(p) for p in F.files_for(self.root, days, cameras)]

    def source(
        self, cur: duckdb.DuckDBPyConnection, files: list[str]
    ) -> tuple[str, dict[str, Any]]:
        return "read_parquet($files)", {"files": files}

    def legacy_source(
        self, cur: duckdb.DuckDBPyConnection, files: list[str]
    ) -> tuple[str, dict[str, Any]]:
        """The same files read by column name, columns they lack as nulls: for a search
        that failed on files written before a column existed (slower: only then)."""
        return _LEGACY_SOURCE, {"files": files}

    def write(self, day: date, cam: str, table: pa.Table, snaps: list[tuple[int, int, int, bytes]],
              seq: int) -> None:  # fmt: skip
        for start_us, tid, part, jpeg in snaps:  # pictures first: no row points at a missing one
            path = snapshot_path(self.root, cam, start_us, tid, part)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_bytes(jpeg)
            tmp.replace(path)
        F.write_atomic(table, partition(self.root, day, cam) / f"p-{seq}.parquet")

    def live_count(self, day: date, cam: str) -> int:
        return len(F.scan(partition(self.root, day, cam))[0])

    def compact(self, day: date, cam: str) -> int:
        return F.compact(partition(self.root, day, cam))

    def purge_before(self, oldest: date) -> int:
        gone = 0
        for day in self.list_days():
            if day < oldest:
                shutil.rmtree(self.root / day_name(day), ignore_errors=True)
                gone += 1
        return gone

    def snapshot(self, cam: str, start_us: int, track_id: int, part: int) -> bytes | None:
        try:
            return snapshot_path(self.root, cam, start_us, track_id, part).read_bytes()
        except (FileNotFoundError, IsADirectoryError, PermissionError):
            return None

    @staticmethod
    def snapshot_key(cam: str, start_us: int, track_id: int, part: int) -> str:
        """``day=.../camera=.../snap/<start_us>-<track>-<part>.jpg`` (relative)."""
        return "/".join(snapshot_path(Path(), cam, start_us, track_id, part).parts)

    def upload(self) -> int:
        return 0

    def spooled(self) -> int:
        return 0
