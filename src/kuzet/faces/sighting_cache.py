"""Opened sighting templates kept in memory, one column block per UTC hour.

A retrospective search over a day of a city touches millions of sealed rows; opening
them again for every search costs seconds. A block holds one hour's opened templates
as a float32 matrix plus parallel arrays (id, camera code, time in microseconds), so a
search is a mask and one matrix-vector product per hour. Plaintext lives only in this
process's memory; the database keeps the sealed rows alone.

float32, not float16: on the 2-core test VM numpy's float16 product (or a float16 ->
float32 conversion per chunk) made a scan 10x slower than the float32 product
(docs/faces.md, "Retrospective search").

Blocks are immutable except for appends past ``n`` (a search reads ``[:n]`` of the
buffers it took), so a search works on a snapshot outside the lock.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

HOUR_US = 3_600_000_000
ID_DTYPE = np.dtype("S36")  # SightingRow.id is a String(36) uuid
# |float32 dot - exact| <= 128 * 2**-24 * |x| for a unit query (any summation order, FMA or
# not); two computations (cache and re-check) differ by at most twice that. Rounded up.
REL_ERR = 2e-5


@dataclass(frozen=True)
class Rows:
    """Opened sightings in columns; ``cams`` are codes of :meth:`SightingCache.codes`."""

    ids: np.ndarray  # (m,) S36
    cams: np.ndarray  # (m,) int32
    ts: np.ndarray  # (m,) int64 microseconds since the epoch, UTC
    vecs: np.ndarray  # (m, dim) float32

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, keep: np.ndarray) -> Rows:
        return Rows(self.ids[keep], self.cams[keep], self.ts[keep], self.vecs[keep])


@dataclass(frozen=True)
class Block:
    """One hour. Buffers have spare capacity; rows ``[0, n)`` are valid. Only the block
    the cache holds is appended to (under its lock), so writes past ``n`` never touch
    rows a snapshot reads."""

    hour: int
    buf: Rows
    n: int
    norm: float  # largest finite template norm: bounds the rounding of a product
    checked: float  # time.monotonic() of the last comparison with the database

    @staticmethod
    def of(hour: int, rows: Rows, checked: float) -> Block:
        """A block over ``rows`` as loaded (no spare capacity: old hours rarely grow)."""
        return Block(hour, rows, len(rows), _max_norm(rows.vecs), checked)

    @property
    def rows(self) -> Rows:
        n = self.n
        b = self.buf
        return Rows(b.ids[:n], b.cams[:n], b.ts[:n], b.vecs[:n])

    @property
    def nbytes(self) -> int:
        b = self.buf
        return int(b.ids.nbytes + b.cams.nbytes + b.ts.nbytes + b.vecs.nbytes)

    @property
    def delta(self) -> float:
        """Largest difference between a score read here and one computed row by row."""
        return REL_ERR * self.norm + 1e-30

    def appended(self, rows: Rows) -> Block:
        """This block plus ``rows`` (ids already here are skipped). Writes into spare
        capacity when it fits, so snapshots taken before (``[:n]``) stay valid."""
        if len(rows) and self.n:
            held = self.rows.ids
            if len(rows) <= 8:  # one record: compare, do not sort the hour
                new = np.array([not (held == i).any() for i in rows.ids], bool)
            else:
                new = ~np.isin(rows.ids, held)
            rows = rows.take(new)
        if not len(rows):
            return self
        dim = rows.vecs.shape[1]
        b, n, m = self.buf, self.n, len(rows)
        if n and b.vecs.shape[1] != dim:
            raise ValueError(f"template of {dim} values in a block of {b.vecs.shape[1]}")
        if n + m > len(b.ids):
            cap = max(n + m, (n + m) * 5 // 4 + 64)
            nb = Rows(
                np.empty(cap, ID_DTYPE),
                np.empty(cap, np.int32),
                np.empty(cap, np.int64),
                np.empty((cap, dim), np.float32),
            )
            for dst, src in zip(_cols(nb), _cols(self.rows), strict=True):
                dst[:n] = src
            b = nb
        for dst, src in zip(_cols(b), _cols(rows), strict=True):
            dst[n : n + m] = src
        return replace(self, buf=b, n=n + m, norm=max(self.norm, _max_norm(rows.vecs)))

    def without(self, ids: np.ndarray) -> Block:
        """A compacted copy without ``ids`` (deleted in the database)."""
        keep = ~np.isin(self.rows.ids, ids)
        if keep.all():
            return self
        return replace(self, buf=self.rows.take(keep), n=int(keep.sum()))


def _max_norm(vecs: np.ndarray) -> float:
    if not vecs.size:
        return 0.0
    norms = np.linalg.norm(vecs, axis=1)
    finite = norms[np.isfinite(norms)]
    return float(finite.max()) if finite.size else 0.0


def _cols(r: Rows) -> tuple[np.ndarray, ...]:
    return (r.ids, r.cams, r.ts, r.vecs)


class SightingCache:
    """Blocks by hour, least recently used evicted past ``max_bytes``, and any not
    searched for ``max_idle_s`` (opened biometric data is not kept in memory for
    nothing); thread-safe.

    A block being loaded collects the rows recorded meanwhile, so a record that
    commits after the load's query is not lost. ``epoch`` counts invalidations: a
    load that began before one is used for its own search but not kept.
    """

    def __init__(self, max_bytes: int = 2 << 30, max_idle_s: float = 3600.0) -> None:
        self.max_bytes = max_bytes
        self.max_idle_s = max_idle_s
        self._used: dict[int, float] = {}  # hour -> time.monotonic() of its last search
        self._lock = threading.Lock()
        self._blocks: OrderedDict[int, Block] = OrderedDict()
        self._loading: dict[int, tuple[threading.Event, list[Rows]]] = {}
        self._cams: dict[str, int] = {}
        self._epoch = 0
        self.bytes = 0

    def __len__(self) -> int:
        return sum(b.n for b in list(self._blocks.values()))

    def hours(self) -> list[int]:
        with self._lock:
            return sorted(self._blocks)

    def codes(self, camera_ids: list[str]) -> np.ndarray:
        """Stable small integer per camera id (new ids get the next code)."""
        with self._lock:
            get = self._cams.setdefault
            return np.fromiter(
                (get(c, len(self._cams)) for c in camera_ids), np.int32, len(camera_ids)
            )

    def camera_table(self, camera_ids: list[str]) -> np.ndarray:
        """Boolean lookup ``table[code]``: is that camera one of ``camera_ids``?"""
        with self._lock:
            table = np.zeros(len(self._cams) + 1, bool)
            table[[self._cams[c] for c in set(camera_ids) if c in self._cams]] = True
            return table

    def get(self, hour: int) -> Block | None:
        with self._lock:
            b = self._blocks.get(hour)
            if b is not None:
                self._touch(hour)
            return b

    def expire(self) -> None:
        """Drop the blocks no search has used for ``max_idle_s``."""
        old = time.monotonic() - self.max_idle_s
        with self._lock:
            for hour in [h for h, t in self._used.items() if t < old]:
                self._drop(hour)

    def claim(self, hour: int) -> tuple[Block | None, int | None]:
        """The cached block, or the right to load it (an epoch to pass to :meth:`put`).
        Waits while another thread loads the same hour."""
        while True:
            with self._lock:
                if (b := self._blocks.get(hour)) is not None:
                    self._touch(hour)
                    return b, None
                pending = self._loading.get(hour)
                if pending is None:
                    self._loading[hour] = (threading.Event(), [])
                    return None, self._epoch
            pending[0].wait()

    def put(self, block: Block, epoch: int | None) -> Block:
        """Install a loaded block (with rows recorded during the load); ``epoch`` from
        :meth:`claim`. Always ends the load, also when the block is not kept."""
        with self._lock:
            event, recorded = self._loading.pop(block.hour, (None, []))
            for rows in recorded:
                block = block.appended(rows)
            if epoch == self._epoch:
                self._set(block)
                self._evict(keep=block.hour)
        if event is not None:
            event.set()
        return block

    def abandon(self, hour: int) -> None:
        """A load failed: let the next search try again."""
        with self._lock:
            event, _ = self._loading.pop(hour, (None, []))
        if event is not None:
            event.set()

    def add(self, hour: int, rows: Rows) -> None:
        """Rows just committed (``record``): appended where that hour is held."""
        with self._lock:
            if (b := self._blocks.get(hour)) is not None:
                try:
                    self._set(b.appended(rows), touch=False)  # a record is not a use
                except ValueError:  # another template size: let the hour reload
                    self._drop(hour)
            elif hour in self._loading:
                self._loading[hour][1].append(rows)
            self._evict()

    @property
    def epoch(self) -> int:
        return self._epoch

    def update(self, hour: int, fn: Callable[[Block], Block], epoch: int) -> None:
        """Replace the held block of ``hour`` by ``fn(block)`` (a refresh whose reads
        began at ``epoch``; after an invalidation since, it is not applied)."""
        with self._lock:
            if epoch == self._epoch and (b := self._blocks.get(hour)) is not None:
                self._set(fn(b))
                self._evict(keep=hour)

    def forget(self, ids: list[str]) -> None:
        """Sightings deleted in the database (erasure): out of every held block."""
        if not ids:
            return
        arr = np.array(ids, ID_DTYPE)
        with self._lock:
            self._epoch += 1
            for b in list(self._blocks.values()):
                self._set(b.without(arr), touch=False)

    def drop_before(self, us: int) -> None:
        """Every block that starts before ``us`` (retention purge): reloaded when needed."""
        with self._lock:
            self._epoch += 1
            for hour in [h for h in self._blocks if h * HOUR_US < us]:
                self._drop(hour)

    def clear(self) -> None:
        with self._lock:
            self._epoch += 1
            self._blocks.clear()
            self._used.clear()
            self.bytes = 0

    # lock held below
    def _set(self, b: Block, touch: bool = True) -> None:
        old = self._blocks.get(b.hour)
        self.bytes += b.nbytes - (old.nbytes if old is not None else 0)
        self._blocks[b.hour] = b
        if touch or old is None:
            self._touch(b.hour)

    def _touch(self, hour: int) -> None:
        self._blocks.move_to_end(hour)
        self._used[hour] = time.monotonic()

    def _drop(self, hour: int) -> None:
        self._used.pop(hour, None)
        if (old := self._blocks.pop(hour, None)) is not None:
            self.bytes -= old.nbytes

    def _evict(self, keep: int | None = None) -> None:
        while self.bytes > self.max_bytes and self._blocks:
            hour = next(iter(self._blocks))
            if hour == keep:
                if len(self._blocks) == 1:
                    return
                self._blocks.move_to_end(hour)
                continue
            self._drop(hour)
