"""Searches over the track index: DuckDB over the Parquet files of the days and cameras
a query touches (the file list is built from the layout, never by globbing the index).

Filters (time, class, attributes, a trajectory bounding box for geometry, the cursor)
are pushed into the Parquet scan; lines and zones are then evaluated on the candidate
trajectories with numpy (:mod:`kuzet.archive.geometry`), one day at a time, newest
first, until the page is full.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from kuzet.archive.files import days_between
from kuzet.archive.geometry import Hits, Paths, line_crossings, zone_entries
from kuzet.archive.layout import ArchiveUnavailable, Layout, LocalLayout
from kuzet.archive.model import TrackHit, TrackPage, TrackQuery, decode_cursor, encode_cursor
from kuzet.archive.schema import ATTRIBUTES, parse_ref, track_ref

log = logging.getLogger(__name__)
_COLS = (
    'camera_id, track_id, part, start, "end", class_name, score, frames, frame_w, frame_h,'
    " snapshot, " + ", ".join(ATTRIBUTES)
)
_TRAJ = ", traj_x, traj_y, traj_t"
_ORDER = "ORDER BY start DESC, camera_id DESC, track_id DESC, part DESC"
_RETRIES = 3  # a compaction may delete a listed file before DuckDB opens it


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


def _us(t: datetime) -> datetime:
    return t.astimezone(UTC)


def _micros(t: datetime) -> int:
    return (t - _EPOCH) // _US


class TrackIndex:
    """Read side of the index under ``root`` (a folder, or a :class:`Layout` such as S3);
    thread-safe (one DuckDB cursor a search). Raises :class:`ArchiveUnavailable` when
    the storage cannot be reached."""

    def __init__(
        self,
        root: Path | Layout,
        *,
        max_range: timedelta = timedelta(days=31),
        max_cameras: int = 5000,
        threads: int = 0,
    ) -> None:
        self.layout: Layout = LocalLayout(root) if isinstance(root, Path | str) else root
        self.max_range, self.max_cameras = max_range, max_cameras
        # offline: DuckDB must never fetch an extension at run time
        config: dict[str, str | bool | int | float | list[str]] = {
            "autoinstall_known_extensions": False
        }
        if threads:
            config["threads"] = threads
        self._db = duckdb.connect(":memory:", config=config)
        self._db.execute("SET TimeZone = 'UTC'")  # results in UTC whatever the host's zone
        self._lock = threading.Lock()

    def close(self) -> None:
        self._db.close()

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:  # cursor() itself is not safe from several threads at once
            return self._db.cursor()

    # ------------------------------------------------------------ search
    def search(self, q: TrackQuery) -> TrackPage:
        """Raises :class:`~kuzet.archive.model.ArchiveQueryError` on bad input."""
        q.check(self.max_range, self.max_cameras)
        days = days_between(q.since, q.until)
        if q.cameras is not None and not q.cameras:
            return TrackPage([], None, 0)
        if not q.geometry:
            files = self.layout.files_for(days, q.cameras)
            table = self._select(q, files, days, limit=q.limit + 1) if files else None
            rows = [] if table is None else _rows(table)
            hits = [_hit(r, None) for r in rows[: q.limit]]
            if q.trajectory and table is not None:
                hits = [_with_path(h, table, i) for i, h in enumerate(hits)]
            more = len(rows) > q.limit
            return TrackPage(hits, _next(rows[q.limit - 1]) if more else None, len(files))
        return self._geometry(q, days)

    def _geometry(self, q: TrackQuery, days: list[date]) -> TrackPage:
        out: list[TrackHit] = []
        opened = 0
        last: dict[str, Any] | None = None
        more = False
        for day in reversed(days):  # newest first: stop once the page is full
            files = self.layout.files_for([day], q.cameras)
            if not files:
                continue
            opened += len(files)
            table = self._select(q, files, [day], limit=None, traj=True)
            if table is None or table.num_rows == 0:
                continue
            hits = _evaluate(q, table)
            found = sorted(hits)[: q.limit - len(out) + 1]  # rows are in page order
            page = table.take(pa.array(found, pa.int64()))
            for k, (i, r) in enumerate(zip(found, _rows(page), strict=True)):
                if len(out) == q.limit:
                    more = True
                    break
                out.append(_hit(r, hits[i]))
                if q.trajectory:
                    out[-1] = _with_path(out[-1], page, k)
                last = r
            if more:
                break
        return TrackPage(out, _next(last) if more and last is not None else None, opened)

    def _select(
        self,
        q: TrackQuery,
        files: list[str],
        days: list[date],
        *,
        limit: int | None,
        traj: bool = False,
    ) -> pa.Table | None:
        where = ["start < $until", '"end" >= $since']
        params: dict[str, Any] = {"since": _us(q.since), "until": _us(q.until)}

        def any_of(column: str, values: Iterable[str], tag: str) -> None:
            names = []
            for k, v in enumerate(values):
                params[f"{tag}{k}"] = v
                names.append(f"${tag}{k}")
            where.append(f"{column} IN ({', '.join(names)})")

        if q.classes:
            any_of("class_name", q.classes, "c")
        for j, (key, values) in enumerate(sorted(q.attributes.items())):
            any_of(key, values, f"a{j}_")  # key is one of ATTRIBUTES (checked)
        box = _bbox(q)
        if box is not None:
            params |= {"bx0": box[0], "by0": box[1], "bx1": box[2], "by1": box[3]}
            where.append("x_max >= $bx0 AND x_min <= $bx1 AND y_max >= $by0 AND y_min <= $by1")
        if q.cursor is not None:
            c_start, c_cam, c_tid, c_part = decode_cursor(q.cursor)
            params |= {"k_s": _EPOCH + c_start * _US, "k_c": c_cam}
            params |= {"k_t": c_tid, "k_p": c_part}
            where.append(
                "(start < $k_s OR (start = $k_s AND (camera_id < $k_c OR (camera_id = $k_c"
                " AND (track_id < $k_t OR (track_id = $k_t AND part < $k_p))))))"
            )
        sql = (
            f"SELECT {_COLS}{_TRAJ if traj or q.trajectory else ''}"
            f" FROM {{src}} WHERE {' AND '.join(where)} {_ORDER}"
            + (f" LIMIT {int(limit)}" if limit is not None else "")
        )
        for attempt in range(_RETRIES):
            try:
                return self._run(sql, params, files)
            except (duckdb.IOException, ArchiveUnavailable):
                if attempt == _RETRIES - 1:
                    raise
                files = self.layout.files_for(days, q.cameras)  # compacted meanwhile?
                if not files:
                    return None
        return None  # unreachable

    def _run(
        self, sql: str, params: dict[str, Any], files: list[str], probe: pa.Table | None = None
    ) -> pa.Table:
        """``sql`` (its FROM is ``{src}``) over ``files``; a remote storage's read errors
        become :class:`ArchiveUnavailable` naming it."""
        cur = self._cursor()
        try:
            if probe is not None:
                cur.register("probe", probe)
            src, extra = self.layout.source(cur, files)
            try:
                return cur.sql(sql.format(src=src), params=params | extra).to_arrow_table()
            except (duckdb.BinderException, duckdb.InvalidInputException):
                legacy = getattr(self.layout, "legacy_source", None)
                if legacy is None:
                    raise
                src, extra = legacy(cur, files)  # files from before a column existed
                return cur.sql(sql.format(src=src), params=params | extra).to_arrow_table()
        except duckdb.IOException:
            raise
        except (duckdb.Error, OSError, pa.ArrowException) as exc:
            if isinstance(self.layout, LocalLayout):
                raise
            reason = " ".join(str(exc).split())[:300]
            raise ArchiveUnavailable(
                f"track index storage {self.layout.where}: cannot read: {reason}"
            ) from None
        finally:
            cur.close()

    def frame_size(self, camera_id: str) -> tuple[int, int] | None:
        """The picture size a camera's newest stored track was analysed at (lines and
        zones are in its pixels), or ``None`` when nothing of it is stored."""
        for day in reversed(self.layout.list_days()):
            files = self.layout.files_for([day], {camera_id})
            if not files:
                continue
            sql = "SELECT frame_w, frame_h FROM {src} ORDER BY start DESC LIMIT 1"
            got = self._run(sql, {}, files)
            if got.num_rows:
                return int(got.column(0)[0].as_py()), int(got.column(1)[0].as_py())
        return None

    # ------------------------------------------------------------ single rows
    def snapshot(self, ref: str) -> bytes | None:
        """The best-look JPEG of a row (``None`` if it has none or the ref is bad)."""
        try:
            cam, start_us, tid, part = parse_ref(ref)
            return self.layout.snapshot(cam, start_us, tid, part)
        except ValueError:
            return None

    def tracks_at(
        self, found: list[tuple[str, int, datetime]], slack_s: float = 2.0
    ) -> list[TrackHit | None]:
        """The row of each track named by (camera, track id, a time inside the track),
        e.g. the sightings a face search returns; aligned with ``found`` (None: no row).
        Track ids restart with the service, so the time decides between equal ids."""
        if not found:
            return []
        slack = timedelta(seconds=slack_s)
        days = sorted({(t + d).astimezone(UTC).date() for *_, t in found for d in (-slack, slack)})
        files = self.layout.files_for(days, {c for c, *_ in found})
        if not files:
            return [None] * len(found)
        probe = pa.table(
            {
                "k": pa.array(range(len(found)), pa.int64()),
                "cam": pa.array([c for c, _, _ in found], pa.string()),
                "tid": pa.array([t for _, t, _ in found], pa.int64()),
                "ts": pa.array([_us(ts) for *_, ts in found], pa.timestamp("us", tz="UTC")),
            }
        )
        cols = ", ".join(f"t.{c.strip()}" for c in _COLS.split(","))
        sql = (
            f"SELECT p.k, {cols} FROM {{src}} t JOIN probe p"
            " ON t.camera_id = p.cam AND t.track_id = p.tid"
            f" AND p.ts BETWEEN t.start - INTERVAL {float(slack_s)} SECOND"
            f' AND t."end" + INTERVAL {float(slack_s)} SECOND'
            ' ORDER BY p.k, (p.ts < t.start OR p.ts > t."end"), t.start'  # the row holding ts
        )
        table = self._run(sql, {}, files, probe=probe)
        out: list[TrackHit | None] = [None] * len(found)
        for r in table.to_pylist():
            if out[r["k"]] is None:
                out[r["k"]] = _hit(r, None)
        return out


# ---------------------------------------------------------------- helpers
def _bbox(q: TrackQuery) -> tuple[float, float, float, float] | None:
    if q.line is not None:
        (ax, ay), (bx, by) = q.line.points
        return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)
    if q.zone is not None:
        xs = [p[0] for p in q.zone.points]
        ys = [p[1] for p in q.zone.points]
        return min(xs), min(ys), max(xs), max(ys)
    return None


def _paths(table: pa.Table) -> Paths:
    def flat(name: str) -> tuple[np.ndarray, np.ndarray]:
        col = table.column(name).combine_chunks()
        offsets = col.offsets.to_numpy().astype(np.int64)
        values = col.values.to_numpy(zero_copy_only=False).astype(np.float64)
        return offsets, values[offsets[0] : offsets[-1]]

    offsets, x = flat("traj_x")
    _, y = flat("traj_y")
    _, t = flat("traj_t")
    return Paths(offsets - offsets[0], x, y, t)


def _evaluate(q: TrackQuery, table: pa.Table) -> dict[int, tuple[float, list[tuple[float, int]]]]:
    """row index -> (ms of the first hit, every line crossing as (ms, direction))."""
    paths = _paths(table)
    hits: Hits
    if q.line is not None:
        hits = line_crossings(q.line, paths, q.direction)
    else:
        assert q.zone is not None
        hits = zone_entries(q.zone, paths, q.zone_mode)
    out: dict[int, tuple[float, list[tuple[float, int]]]] = {}
    order = np.lexsort((hits.t_ms, hits.row))
    for r, t, d in zip(hits.row[order].tolist(), hits.t_ms[order].tolist(),
                       hits.direction[order].tolist(), strict=True):  # fmt: skip
        if r not in out:
            out[r] = (t, [])
        if q.line is not None:
            out[r][1].append((t, d))
    return out


def _rows(table: pa.Table) -> list[dict[str, Any]]:
    return table.select([c for c in table.column_names if not c.startswith("traj_")]).to_pylist()


def _hit(r: dict[str, Any], found: tuple[float, list[tuple[float, int]]] | None) -> TrackHit:
    start, end = r["start"], r["end"]
    start_us = _micros(start)
    at, crossings = start, None
    if found is not None:
        at = start + timedelta(milliseconds=found[0])
        if found[1]:
            crossings = [(start + timedelta(milliseconds=t), "in" if d > 0 else "out")
                         for t, d in found[1]]  # fmt: skip
    return TrackHit(
        ref=track_ref(r["camera_id"], start_us, r["track_id"], r["part"]),
        camera_id=r["camera_id"], track_id=r["track_id"], part=r["part"], start=start, end=end,
        class_name=r["class_name"], score=round(float(r["score"]), 4), frames=r["frames"],
        frame_w=r["frame_w"], frame_h=r["frame_h"], snapshot=bool(r["snapshot"]),
        attributes={k: r[k] for k in ATTRIBUTES if r.get(k)}, at=at, crossings=crossings,
    )  # fmt: skip


def _with_path(h: TrackHit, table: pa.Table, i: int) -> TrackHit:
    xs = table.column("traj_x")[i].as_py() or []
    ys = table.column("traj_y")[i].as_py() or []
    ts = table.column("traj_t")[i].as_py() or []
    return replace(h, trajectory=[[x, y, t] for x, y, t in zip(xs, ys, ts, strict=True)])


def _next(r: dict[str, Any]) -> str:
    start_us = _micros(r["start"])
    return encode_cursor((start_us, r["camera_id"], r["track_id"], r["part"]))
