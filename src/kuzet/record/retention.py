"""Retention: days per camera, a quota and a free-space floor per volume, oldest first.

Every deletion skips segments overlapping an active evidence hold. Rows go first, in one
transaction with the hold check, and their keys go to ``rec_trash`` in the same
transaction; then the objects are deleted and their trash rows removed. So a hold placed
meanwhile cannot lose a segment, a crash leaves no row pointing at a deleted file, and an
object that could not be deleted (S3 down) is retried on the next pass.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Engine, delete, insert, select

from kuzet.record.holds import Auditor, segment_is_held
from kuzet.record.index import SegmentIndex
from kuzet.record.metrics import RecordMetrics
from kuzet.record.tables import GapRow, SegmentRow, TrashRow
from kuzet.storage.base import StorageError, Volume
from kuzet.storage.s3 import S3Volume

log = logging.getLogger(__name__)
_BATCH = 200
URGENT_FREE = 0.02  # share of the disk freed at once after a write failed for space


@dataclass(slots=True)
class RetentionReport:
    deleted: dict[str, int] = field(default_factory=dict)  # reason -> segments
    bytes: int = 0
    trash_left: int = 0
    blocked: list[str] = field(default_factory=list)  # volumes held over their bound

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


class Retention:
    """One :meth:`run` is a full pass; the recording service calls it on a timer and at
    once when a writer reports a full disk."""

    def __init__(
        self,
        engine: Engine,
        index: SegmentIndex,
        volumes: dict[str, Volume],
        camera_days: dict[str, float | None],
        default_days: float | None,
        *,
        metrics: RecordMetrics | None = None,
        audit: Auditor | None = None,
        own_cameras_only: bool = False,
    ) -> None:
        """``own_cameras_only``: one of several recorders sharing the index (a city's
        shards, whose volumes may share a name): every policy touches only the segments
        and trash of ``camera_days``' cameras, never another recorder's, and cameras no
        longer in the site file are left alone."""
        self.engine = engine
        self.index = index
        self.volumes = volumes
        self.camera_days = camera_days
        self.default_days = default_days
        self.metrics = metrics
        self.audit = audit
        self.own: ColumnElement[bool] | None = (
            SegmentRow.camera_id.in_(list(camera_days)) if own_cameras_only else None
        )

    def run(
        self, now: datetime | None = None, volume: str | None = None, *, urgent: bool = False
    ) -> RetentionReport:
        """One pass over every policy (or only ``volume``'s bounds). ``urgent``: a writer
        hit a full disk, so free at least :data:`URGENT_FREE` of the disk beyond the floor."""
        now = now or datetime.now(UTC)
        rep = RetentionReport()
        self._empty_trash(rep)
        if volume is None:
            self._by_days(now, rep)
        for name, vol in self.volumes.items():
            if volume is None or name == volume:
                self._by_quota(name, vol, now, rep)
                self._by_disk(name, vol, now, rep, urgent=urgent)
                if isinstance(vol, S3Volume):
                    self._by_spool(name, vol, now, rep)
        if self.metrics is not None:
            for name, vol in self.volumes.items():
                self.metrics.volume_bytes.labels(name).set(self.index.usage(name)[1])
                self.metrics.quota_bytes.labels(name).set(getattr(vol, "quota_bytes", 0) or 0)
                self.metrics.held_blocking.labels(name).set(1 if name in rep.blocked else 0)
        if rep.total:
            log.info("recording retention", extra={"deleted": rep.deleted, "bytes": rep.bytes})
            if self.audit is not None:
                self.audit.record("system", "record.retention", detail=asdict(rep))
        return rep

    # ------------------------------------------------------------ policies
    def _by_days(self, now: datetime, rep: RetentionReport) -> None:
        groups: dict[float | None, list[str]] = {}
        for cam, days in self.camera_days.items():
            groups.setdefault(days, []).append(cam)
        for days, cams in groups.items():
            if days is not None:
                cutoff = now - timedelta(days=days)
                for cam in cams:  # one camera at a time: its (camera_id, start_ts) index
                    # walks its oldest segments and stops at the cutoff, where a list of
                    # cameras made PostgreSQL scan and sort the whole table for each batch
                    expired = (SegmentRow.camera_id == cam) & (SegmentRow.start_ts < cutoff)
                    self._delete_while(expired & (SegmentRow.end_ts < cutoff), now, "days", rep)
        self._old_gaps(groups, now)
        if self.default_days is not None and self.own is None:  # cameras no longer in the site
            cutoff = now - timedelta(days=self.default_days)
            cond = SegmentRow.end_ts < cutoff
            if self.camera_days:
                cond = cond & SegmentRow.camera_id.not_in(list(self.camera_days))
            self._delete_while(cond, now, "days", rep)

    def _old_gaps(self, groups: dict[float | None, list[str]], now: datetime) -> None:
        """Gap rows older than their camera's recordings go with them."""
        with self.engine.begin() as c:
            for days, cams in groups.items():
                if days is not None:
                    cutoff = now - timedelta(days=days)
                    c.execute(
                        delete(GapRow).where(GapRow.camera_id.in_(cams), GapRow.end_ts < cutoff)
                    )

    def _by_quota(self, name: str, vol: Volume, now: datetime, rep: RetentionReport) -> None:
        quota = getattr(vol, "quota_bytes", None)
        if quota is None:
            return
        used = self.index.usage(name, None if self.own is None else list(self.camera_days))[1]

        def over() -> int:
            return used - quota

        while over() > 0:
            freed = self._delete_oldest(name, now, "quota", rep, need=over())
            if freed == 0:
                self._blocked(name, "quota", rep)
                return
            used -= freed

    def _by_disk(
        self, name: str, vol: Volume, now: datetime, rep: RetentionReport, *, urgent: bool
    ) -> None:
        floor = getattr(vol, "min_free_bytes", 0)
        free_bytes: Callable[[], int] | None = getattr(vol, "free_bytes", None)
        if free_bytes is None:
            return
        if urgent:  # room for a few more segments at least, or a share of the disk
            total: Callable[[], int] | None = getattr(vol, "total_bytes", None)
            room = 3 * self.index.recent_max_bytes(name)
            floor = max(floor, room, int(URGENT_FREE * total()) if total else 0)
        if not floor:
            return
        local = SegmentRow.location.in_(["local", "spool"])
        while (free := free_bytes()) < floor:
            if self._delete_oldest(name, now, "disk", rep, need=floor - free, extra=local) == 0:
                self._blocked(name, "disk space", rep)
                return

    def _by_spool(self, name: str, vol: S3Volume, now: datetime, rep: RetentionReport) -> None:
        target = int(vol.spool_max_bytes * 0.9)
        while vol.spool_bytes() > target:
            need = vol.spool_bytes() - target
            spooled = SegmentRow.location == "spool"
            if self._delete_oldest(name, now, "spool_full", rep, need=need, extra=spooled) == 0:
                self._blocked(name, "spool", rep)
                return

    def _blocked(self, name: str, what: str, rep: RetentionReport) -> None:
        if name not in rep.blocked:
            rep.blocked.append(name)
        log.error(
            "volume %r is over its %s bound and every remaining segment is under an evidence "
            "hold (or none is left); new segments may fail until holds are released or the "
            "bound is raised", name, what, extra={"volume": name},
        )  # fmt: skip

    # ------------------------------------------------------------ deletion
    def _delete_oldest(self, volume: str, now: datetime, reason: str, rep: RetentionReport,
                       *, need: int, extra: ColumnElement[bool] | None = None) -> int:  # fmt: skip
        """Delete the oldest unheld segments of ``volume`` until ``need`` bytes are freed."""
        cond = SegmentRow.volume == volume
        if extra is not None:
            cond = cond & extra
        if self.own is not None:
            cond = cond & self.own
        freed = 0
        while freed < need:
            n = self._delete_batch(cond, now, reason, rep, budget=need - freed)
            if n == 0:
                break
            freed += n
        return freed

    def _delete_while(self, cond: ColumnElement[bool], now: datetime, reason: str,
                      rep: RetentionReport) -> None:  # fmt: skip
        while self._delete_batch(cond, now, reason, rep, budget=None):
            pass

    def _delete_batch(self, cond: ColumnElement[bool], now: datetime, reason: str,
                      rep: RetentionReport, *, budget: int | None) -> int:  # fmt: skip
        """One transaction: pick the oldest unheld rows, delete them, trash their keys.
        Returns the bytes freed (0 = nothing left to delete)."""
        with self.engine.begin() as c:
            rows = c.execute(
                select(
                    SegmentRow.id,
                    SegmentRow.volume,
                    SegmentRow.key,
                    SegmentRow.bytes,
                    SegmentRow.camera_id,
                )
                .where(cond, ~segment_is_held(now))
                .order_by(SegmentRow.start_ts)
                .limit(_BATCH)
            ).all()
            if budget is not None:  # only as many as needed
                keep, total = [], 0
                for r in rows:
                    keep.append(r)
                    total += r.bytes
                    if total >= budget:
                        break
                rows = keep
            if not rows:
                return 0
            c.execute(delete(SegmentRow).where(SegmentRow.id.in_([r.id for r in rows])))
            c.execute(insert(TrashRow), [{"volume": r.volume, "key": r.key, "since": now,
                                          "camera_id": r.camera_id} for r in rows])  # fmt: skip
        size = sum(r.bytes for r in rows)
        rep.deleted[reason] = rep.deleted.get(reason, 0) + len(rows)
        rep.bytes += size
        by_volume: dict[str, tuple[int, int]] = {}
        for r in rows:
            n, b = by_volume.get(r.volume, (0, 0))
            by_volume[r.volume] = (n + 1, b + r.bytes)
        if self.metrics is not None:
            for vol, (n, b) in by_volume.items():
                self.metrics.deletion(vol, reason, n, b)
        self._empty_trash(rep)
        return max(size, 1)

    def _empty_trash(self, rep: RetentionReport) -> None:
        mine = select(TrashRow.id, TrashRow.volume, TrashRow.key)
        if self.own is not None:  # another recorder's key may name its own disk or prefix
            mine = mine.where(TrashRow.camera_id.in_(list(self.camera_days)))
        with self.engine.connect() as c:
            rows = c.execute(mine).all()
        done: list[int] = []
        down: set[str] = set()  # one failure per volume and pass: S3 down is slow to find
        for tid, vol_name, key in rows:
            vol = self.volumes.get(vol_name)
            if vol is None:
                done.append(tid)  # the volume left the site file: nothing to delete
                continue
            if vol_name in down:
                continue
            try:
                vol.delete(key)
            except (StorageError, OSError) as exc:
                log.warning("segment object not deleted yet: %s", exc, extra={"key": key})
                down.add(vol_name)
                continue
            done.append(tid)
        if done:
            with self.engine.begin() as c:
                c.execute(delete(TrashRow).where(TrashRow.id.in_(done)))
        with self.engine.connect() as c, contextlib.suppress(Exception):
            rep.trash_left = len(c.execute(select(TrashRow.id)).all())
