"""Retention: delete what is older than its data type may be kept.

:func:`purge` is one pass; ``kuzet purge`` runs it by hand and the service can call
it on a timer. The audit log is never purged; each pass is itself audited.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, select, update

from kuzet.access.audit import AuditLog
from kuzet.access.tables import AuthFailureRow, SessionRow
from kuzet.config.access import RetentionConfig
from kuzet.store.tables import EventRow

log = logging.getLogger(__name__)
_BATCH = 1000


@dataclass(slots=True)
class PurgeStats:
    events: int = 0
    snapshots: int = 0
    sessions: int = 0
    login_failures: int = 0


def purge(
    engine: Engine,
    cfg: RetentionConfig,
    delete_blob: Callable[[str], object],
    audit: AuditLog | None = None,
    now: datetime | None = None,
) -> PurgeStats:
    """Delete expired events (with their snapshots), snapshots, sessions, login failures."""
    now = now or datetime.now(UTC)
    st = PurgeStats()
    if cfg.events_days is not None:
        cutoff = now - timedelta(days=cfg.events_days)
        while True:
            with engine.begin() as c:
                rows = c.execute(
                    select(EventRow.id, EventRow.snapshot).where(EventRow.ts < cutoff).limit(_BATCH)
                ).all()
                if not rows:
                    break
                c.execute(delete(EventRow).where(EventRow.id.in_([r[0] for r in rows])))
            st.events += len(rows)
            st.snapshots += _drop_blobs([r[1] for r in rows if r[1]], delete_blob)
    if cfg.snapshots_days is not None:
        cutoff = now - timedelta(days=cfg.snapshots_days)
        while True:
            with engine.begin() as c:
                rows = c.execute(
                    select(EventRow.id, EventRow.snapshot)
                    .where(EventRow.ts < cutoff, EventRow.snapshot.is_not(None))
                    .limit(_BATCH)
                ).all()
                if not rows:
                    break
                ids = [r[0] for r in rows]
                c.execute(update(EventRow).where(EventRow.id.in_(ids)).values(snapshot=None))
            st.snapshots += _drop_blobs([r[1] for r in rows if r[1]], delete_blob)
    cutoff = now - timedelta(days=cfg.sessions_days)
    with engine.begin() as c:
        st.sessions = _count(
            c.execute(delete(SessionRow).where(SessionRow.refresh_expires_at < cutoff))
        )
        st.login_failures = _count(
            c.execute(delete(AuthFailureRow).where(AuthFailureRow.ts < cutoff))
        )
    if audit is not None:
        audit.record("system", "retention.purge", detail=asdict(st) | {"policy": cfg.model_dump()})
    log.info("retention purge done", extra=asdict(st))
    return st


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _drop_blobs(keys: list[str], delete_blob: Callable[[str], object]) -> int:
    n = 0
    for key in keys:
        try:
            delete_blob(key)
            n += 1
        except Exception as exc:  # a bad key or S3 down must not stop the purge (the day
            # folder pass of kuzet.store.blobs.purge_days removes what is left later)
            log.warning("could not delete snapshot %s: %s", key, exc)
    return n
