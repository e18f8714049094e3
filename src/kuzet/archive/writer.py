"""Buffers finished-track rows and writes them as small Parquet files per camera-day.

The detector thread only appends to a buffer; one background thread writes every
``flush_s`` (or once ``flush_rows`` wait), merges camera-days that collected
``compact_files`` files (and finished days into one file each: small files make DuckDB
scans slow), and deletes days past the retention. Rows buffered when the process dies
are lost (at most ``flush_s`` of tracks); a failed write keeps them for the next try.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from kuzet.archive.files import Sequence
from kuzet.archive.layout import ArchiveUnavailable, Layout, LocalLayout
from kuzet.archive.schema import TrackRow, to_table
from kuzet.config.archive import ArchiveConfig

log = logging.getLogger(__name__)
_KEEP_FAILED = 20  # a failing disk keeps at most this many flushes' worth of rows


class TrackIndexWriter:
    """Writes to ``root``: a folder, or any :class:`~kuzet.archive.layout.Layout` (S3)."""

    def __init__(self, root: Path | Layout, cfg: ArchiveConfig | None = None) -> None:
        self.layout: Layout = LocalLayout(root) if isinstance(root, Path | str) else root
        self.cfg = cfg or ArchiveConfig()
        prepare = getattr(self.layout, "prepare", None)
        if prepare is not None:
            prepare()
        self._buf: dict[tuple[date, str], list[tuple[TrackRow, bytes | None]]] = defaultdict(list)
        self._waiting = 0
        self._lock = threading.Lock()
        self._io = threading.Lock()  # one flush or compaction at a time
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._seq = Sequence()
        self._touched: set[tuple[date, str]] = set()
        self._thread: threading.Thread | None = None
        self._last_purge = 0.0
        self.rows_written = 0
        self.rows_lost = 0

    # ------------------------------------------------------------ producers
    def add(self, row: TrackRow, jpeg: bytes | None = None) -> None:
        """Thread-safe; never blocks on disk."""
        with self._lock:
            self._buf[(row.day, row.camera_id)].append((row, jpeg))
            self._waiting += 1
            full = self._waiting >= self.cfg.flush_rows
        if full:
            self._wake.set()

    @property
    def waiting(self) -> int:
        return self._waiting

    # ------------------------------------------------------------ disk
    def flush(self) -> int:
        """Write every buffered row now; returns how many were written."""
        with self._lock:
            buf, self._buf = self._buf, defaultdict(list)
            self._waiting = 0
        written = 0
        with self._io:
            for (day, cam), items in buf.items():
                try:
                    self._write(day, cam, items)
                except ArchiveUnavailable as exc:  # the S3 spool is full: one line, no trace
                    log.error("track index write waits; rows kept for the next flush",
                              extra={"error": str(exc)[:300]})  # fmt: skip
                    self._keep(day, cam, items)
                    continue
                except Exception:
                    log.exception("track index write failed; rows kept for the next flush")
                    self._keep(day, cam, items)
                    continue
                written += len(items)
                self._touched.add((day, cam))
        self.rows_written += written
        return written

    def _write(self, day: date, cam: str, items: list[tuple[TrackRow, bytes | None]]) -> None:
        snaps = []
        for row, jpeg in items:  # the layout writes pictures first
            row.snapshot = jpeg is not None
            if jpeg is not None:
                snaps.append((row.start_us, row.track_id, row.part, jpeg))
        table = to_table([row for row, _ in items])
        self.layout.write(day, cam, table, snaps, self._seq.next())

    def _keep(self, day: date, cam: str, items: list[tuple[TrackRow, bytes | None]]) -> None:
        with self._lock:
            if self._waiting + len(items) > _KEEP_FAILED * self.cfg.flush_rows:
                self.rows_lost += len(items)
                log.error(
                    "track index rows dropped: disk keeps failing", extra={"rows": len(items)}
                )
                return
            self._buf[(day, cam)][:0] = items
            self._waiting += len(items)

    def compact_due(self, *, today: date | None = None, force: bool = False) -> int:
        """Merge camera-days written since the last call that have ``compact_files``
        files, and finished days (before ``today``, UTC) into one file; ``force``: all
        touched ones. Returns the number of camera-days merged."""
        today = today or datetime.now(UTC).date()
        done = 0
        with self._io:
            for day, cam in sorted(self._touched):
                try:
                    live = self.layout.live_count(day, cam)
                    finished = day < today
                    if force or (finished and live > 1) or live >= self.cfg.compact_files:
                        done += self.layout.compact(day, cam) > 0
                    if self.layout.spooled():  # not merged yet: waits for the upload
                        continue
                except ArchiveUnavailable as exc:  # S3 down: one line, the next pass retries
                    log.warning("track index compaction waits", extra={"error": str(exc)[:300]})
                    return done
                except Exception:
                    log.exception("track index compaction failed",
                                  extra={"day": day.isoformat(), "camera": cam})  # fmt: skip
                    continue
                if finished or force:
                    self._touched.discard((day, cam))
        return done

    def purge(self, *, today: date | None = None) -> int:
        """Delete days older than the retention (rows and snapshots); returns days removed."""
        if self.cfg.retention_days is None:
            return 0
        today = today or datetime.now(UTC).date()
        oldest = today - timedelta(days=self.cfg.retention_days)
        gone = self.layout.purge_before(oldest)
        if gone:
            log.info("track index retention", extra={"days_removed": gone})
        return gone

    def upload(self) -> int:
        """Push what waits in the spool (S3 layouts); files stay there on failure."""
        with self._io:
            try:
                return self.layout.upload()
            except Exception as exc:
                log.warning("track index upload failed; files stay in the spool",
                            extra={"error": str(exc)[:300]})  # fmt: skip
                return 0

    # ------------------------------------------------------------ lifecycle
    def start(self) -> TrackIndexWriter:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="track-index", daemon=True)
            self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.cfg.flush_s)
            self._wake.clear()
            try:
                self.flush()
                self.upload()
                self.compact_due()
                if time.monotonic() - self._last_purge > 3600:
                    self._last_purge = time.monotonic()
                    self.purge()
            except Exception:  # keep the thread alive whatever one pass hit
                log.exception("track index pass failed")

    def close(self) -> None:
        """Write what is buffered and stop the thread (idempotent)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(30)
            self._thread = None
        self.flush()
        self.upload()
        self.compact_due()
