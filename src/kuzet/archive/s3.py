"""The track index in an S3 bucket, through pyarrow's own S3 filesystem (no DuckDB httpfs).

DuckDB reads S3 only through its ``httpfs`` extension, which it downloads at run time;
Kuzet runs offline. pyarrow ships S3 support in its wheel, so it lists, writes, reads and
deletes the objects, and DuckDB scans them as a ``pyarrow.dataset`` (projection and
filters pushed into pyarrow's Parquet reader, which fetches only the row groups and
columns they need, by range request).

An object PUT is atomic (there is no rename): a writer's file appears whole or not at
all. Writes go to a local **spool** first (the local layout: snapshots, then
``p-<seq>.parquet``) and are uploaded from there, snapshots before the file that names
them; while S3 is unreachable the spool keeps them and the next pass uploads them. A
camera-day is compacted only once its spool is empty, so a compaction never covers a
``seq`` that is still waiting to go up. Searches read the bucket only; when it cannot
be reached they raise :class:`~kuzet.archive.layout.ArchiveUnavailable`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import uuid
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from kuzet.archive import files as F
from kuzet.archive.layout import ArchiveUnavailable, LocalLayout
from kuzet.archive.schema import CAMERA_RE as _CAMERA_ID
from kuzet.archive.schema import SCHEMA, day_name, partition

log = logging.getLogger(__name__)
_LIST_THREADS = 8  # LIST requests in flight for one search (one per camera-day)


class S3Layout:
    """Index files as objects ``<bucket>/<prefix>/day=.../camera=.../...``."""

    pre_buffer = True  # coalesce a row group's column ranges into few GETs (measured)
    hole_size_limit = 8 << 10  # pyarrow's default gap between ranges merged into one GET

    def __init__(
        self,
        *,
        bucket: str,
        spool: Path,
        endpoint: str | None = None,
        prefix: str = "",
        region: str = "us-east-1",
        access_key: str | None = None,
        secret_key: str | None = None,
        create_bucket: bool = True,
        timeout_s: float = 10.0,
        spool_max_bytes: int = 20 << 30,
    ) -> None:
        scheme, host = None, None
        if endpoint is not None:
            scheme, _, host = endpoint.partition("://")
        self.fs = pafs.S3FileSystem(
            access_key=access_key, secret_key=secret_key, region=region,
            endpoint_override=host, scheme=scheme, connect_timeout=timeout_s,
            request_timeout=timeout_s, allow_bucket_creation=create_bucket,
            retry_strategy=pafs.AwsStandardS3RetryStrategy(max_attempts=2),
        )  # fmt: skip
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.base = f"{bucket}/{self.prefix}" if self.prefix else bucket
        self.where = f"s3://{self.base} at {endpoint or 'AWS'}"
        self.create_bucket = create_bucket
        self.spool = LocalLayout(Path(spool))
        self.spool_max_bytes = spool_max_bytes
        self._sizes: dict[str, int] = {}  # object -> bytes, from the last listings
        self._bucket_ready = False
        self._upload_lock = threading.Lock()
        self.uploaded = 0
        self.upload_failures = 0
        self.last_error: str | None = None

    def prepare(self) -> S3Layout:
        self.spool.prepare()
        return self

    # ------------------------------------------------------------ listing
    def _down(self, what: str, exc: Exception) -> ArchiveUnavailable:
        reason = " ".join(str(exc).split())[:300]
        return ArchiveUnavailable(f"track index storage {self.where}: cannot {what}: {reason}")

    def _entries(self, prefix: str) -> list[pafs.FileInfo]:
        sel = pafs.FileSelector(prefix, allow_not_found=True, recursive=False)
        try:
            return list(self.fs.get_file_info(sel))
        except OSError as exc:
            raise self._down(f"list {prefix}", exc) from None

    def list_days(self) -> list[date]:
        out = []
        for info in self._entries(self.base):
            if info.type == pafs.FileType.Directory and (m := F._DAY.match(info.base_name)):
                out.append(date.fromisoformat(m.group(1)))
        return sorted(out)

    def _cameras(self, day: date) -> list[str]:
        out = []
        for info in self._entries(f"{self.base}/{day_name(day)}"):
            if info.type == pafs.FileType.Directory and (m := F._CAMERA.match(info.base_name)):
                out.append(m.group(1))
        return sorted(out)

    def _dir(self, day: date, cam: str) -> str:
        if not _CAMERA_ID.match(cam):
            raise ValueError(f"invalid camera id {cam!r}")
        return f"{self.base}/{day_name(day)}/camera={cam}"

    def _scan(self, day: date, cam: str) -> tuple[list[F.NamedFile], list[F.NamedFile]]:
        named = []
        for info in self._entries(self._dir(day, cam)):
            if info.type == pafs.FileType.File:
                f = F.parse_name(info.base_name, info.size or 0)
                if f is not None:
                    named.append(f)
        return F.classify(named)

    def files_for(self, days: list[date], cameras: AbstractSet[str] | None) -> list[str]:
        pairs = [(d, c) for d in days for c in (sorted(cameras) if cameras is not None
                                                else self._cameras(d))]  # fmt: skip

        def live(pair: tuple[date, str]) -> list[str]:
            folder = self._dir(*pair)
            out = []
            for f in self._scan(*pair)[0]:
                path = f"{folder}/{f.name}"
                self._sizes[path] = f.size
                out.append(path)
            return out

        if len(self._sizes) > 200_000:
            self._sizes.clear()
        if len(pairs) <= 1:
            return [p for pair in pairs for p in live(pair)]
        with ThreadPoolExecutor(min(_LIST_THREADS, len(pairs))) as pool:
            return [p for got in pool.map(live, pairs) for p in got]

    # ------------------------------------------------------------ reading
    def dataset(self, files: list[str]) -> ds.FileSystemDataset:
        """The files as one dataset, sizes known (no HEAD request per file)."""
        fmt = ds.ParquetFileFormat(
            default_fragment_scan_options=ds.ParquetFragmentScanOptions(
                pre_buffer=self.pre_buffer,
                cache_options=pa.CacheOptions(hole_size_limit=self.hole_size_limit),
            )
        )
        frags = [fmt.make_fragment(p, self.fs, file_size=self._sizes.get(p)) for p in files]
        return ds.FileSystemDataset(frags, SCHEMA, fmt, self.fs)

    def source(
        self, cur: duckdb.DuckDBPyConnection, files: list[str]
    ) -> tuple[str, dict[str, Any]]:
        name = f"idx_{uuid.uuid4().hex}"
        cur.register(name, self.dataset(files))
        return name, {}

    def snapshot(self, cam: str, start_us: int, track_id: int, part: int) -> bytes | None:
        local = self.spool.snapshot(cam, start_us, track_id, part)
        if local is not None:
            return local
        rel = self.spool.snapshot_key(cam, start_us, track_id, part)
        try:
            with self.fs.open_input_stream(f"{self.base}/{rel}") as f:
                return bytes(f.read())
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self._down("read a snapshot", exc) from None

    # ------------------------------------------------------------ writing
    def write(self, day: date, cam: str, table: pa.Table, snaps: list[tuple[int, int, int, bytes]],
              seq: int) -> None:  # fmt: skip
        if self._spool_bytes() > self.spool_max_bytes:
            raise ArchiveUnavailable(
                f"track index spool {self.spool.root} is over its bound "
                f"({self.spool_max_bytes} bytes): is {self.where} down?"
            )
        self.spool.write(day, cam, table, snaps, seq)  # durable locally first
        try:
            self.upload()
        except ArchiveUnavailable as exc:
            log.warning("track index upload failed; files stay in the spool",
                        extra={"error": str(exc), "spooled": self.spooled()})  # fmt: skip

    def _spool_files(self) -> Iterator[Path]:
        for dirpath, _, names in os.walk(self.spool.root):
            for n in names:
                if not n.startswith("."):  # dot names are being written
                    yield Path(dirpath) / n

    def _spool_bytes(self) -> int:
        return sum(p.stat().st_size for p in self._spool_files())

    def spooled(self) -> int:
        return sum(1 for _ in self._spool_files())

    def _ensure_bucket(self) -> None:
        if self._bucket_ready:
            return
        try:
            info = self.fs.get_file_info(self.bucket)
            if info.type == pafs.FileType.NotFound:
                if not self.create_bucket:
                    raise ArchiveUnavailable(f"track index storage {self.where}: no such bucket")
                self.fs.create_dir(self.bucket)
        except OSError as exc:
            raise self._down("open the bucket", exc) from None
        self._bucket_ready = True

    def upload(self) -> int:
        """Snapshots first, then Parquet files in ``seq`` order; stops at the first
        failure (the rest wait for the next pass). Raises ArchiveUnavailable then."""
        with self._upload_lock:
            files = sorted(self._spool_files(), key=lambda p: (p.suffix == ".parquet", p.name))
            if not files:
                return 0
            try:
                self._ensure_bucket()
            except ArchiveUnavailable as exc:
                self.upload_failures += 1
                self.last_error = str(exc)
                raise
            done = 0
            for path in files:
                rel = "/".join(path.relative_to(self.spool.root).parts)
                try:
                    data = path.read_bytes()
                    with self.fs.open_output_stream(f"{self.base}/{rel}") as out:
                        out.write(data)
                except FileNotFoundError:
                    continue  # purged meanwhile
                except OSError as exc:
                    self.upload_failures += 1
                    self.last_error = str(exc)[:300]
                    raise self._down(f"upload {rel}", exc) from None
                path.unlink(missing_ok=True)
                done += 1
            self.uploaded += done
            self.last_error = None
            _remove_empty_dirs(self.spool.root)
            return done

    def live_count(self, day: date, cam: str) -> int:
        return len(self._scan(day, cam)[0])

    def compact(self, day: date, cam: str) -> int:
        if any(partition(self.spool.root, day, cam).rglob("*")):
            return 0  # files of this camera-day still wait to go up: merge after them
        live, stale = self._scan(day, cam)
        folder = self._dir(day, cam)
        try:
            for f in stale:  # left by a compaction interrupted between PUT and deletes
                self._delete(f"{folder}/{f.name}")
            if len(live) < 2:
                return 0
            tables = [pq.read_table(f"{folder}/{f.name}", filesystem=self.fs, schema=SCHEMA)
                      for f in live]  # fmt: skip
            merged = F.dedupe_sorted(pa.concat_tables(tables))
            sink = pa.BufferOutputStream()
            F.write_parquet(merged, sink)
            lo, hi = min(f.lo for f in live), max(f.hi for f in live)
            with self.fs.open_output_stream(f"{folder}/c-{lo}-{hi}.parquet") as out:
                out.write(sink.getvalue())  # one PUT: appears whole
            for f in live:
                self._delete(f"{folder}/{f.name}")
        except OSError as exc:
            raise self._down(f"compact {folder}", exc) from None
        log.info("track index compacted", extra={"partition": folder, "files": len(live)})
        return len(live)

    def _delete(self, path: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.fs.delete_file(path)

    def purge_before(self, oldest: date) -> int:
        self.spool.purge_before(oldest)
        gone = 0
        for day in self.list_days():
            if day < oldest:
                try:
                    self.fs.delete_dir(f"{self.base}/{day_name(day)}")
                except FileNotFoundError:
                    pass
                except OSError as exc:
                    raise self._down(f"delete {day_name(day)}", exc) from None
                gone += 1
        return gone


def _remove_empty_dirs(root: Path) -> None:
    for dirpath, _, _ in sorted(os.walk(root), key=lambda w: -len(w[0])):
        if Path(dirpath) != root:
            with contextlib.suppress(OSError):
                os.rmdir(dirpath)
