"""Tamper-evident audit log: append-only rows, each holding the HMAC of the one before.

Changing, deleting or reordering a row breaks the chain at that row, and
:func:`AuditLog.verify` names it. The HMAC key lives outside the database (an
environment variable), so someone with write access to the database alone cannot
re-compute a consistent chain. Without a key the chain is plain SHA-256.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.orm import sessionmaker

from kuzet.access.tables import AuditRow

GENESIS = "0" * 64
FIELDS = ("seq", "ts", "actor", "agency_id", "action", "target", "ip", "reason", "outcome",
          "detail", "prev_hash", "hash")  # fmt: skip


def _canonical(row: dict[str, Any]) -> bytes:
    body = {k: row[k] for k in FIELDS if k != "hash"}
    body["ts"] = row["ts"].astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


@dataclass(frozen=True, slots=True)
class ChainProblem:
    seq: int
    problem: str  # "edited", "missing", "out of order"

    def __str__(self) -> str:
        return f"audit record {self.seq}: {self.problem}"


@dataclass(frozen=True, slots=True)
class Entry:
    """One record to append: who, what, on what, for which agency, from where, why."""

    actor: str
    action: str
    target: str | None = None
    agency_id: str | None = None
    ip: str | None = None
    reason: str | None = None
    outcome: str = "ok"
    detail: dict[str, Any] = field(default_factory=dict)


class AuditLog:
    def __init__(self, engine: Engine, key: bytes = b"") -> None:
        self.engine = engine
        self._session = sessionmaker(engine, expire_on_commit=False)
        self._key = key
        self._lock = threading.Lock()  # one writer per process; PG also takes a row lock

    def _hash(self, row: dict[str, Any]) -> str:
        if self._key:
            return hmac.new(self._key, _canonical(row), hashlib.sha256).hexdigest()
        return hashlib.sha256(_canonical(row)).hexdigest()

    def record(
        self,
        actor: str,
        action: str,
        *,
        target: str | None = None,
        agency_id: str | None = None,
        ip: str | None = None,
        reason: str | None = None,
        outcome: str = "ok",
        detail: dict[str, Any] | None = None,
    ) -> int:
        """Append one record (who, what, when, from where, why); returns its ``seq``."""
        entry = Entry(actor, action, target, agency_id, ip, reason, outcome, detail or {})
        return self.record_many([entry])[0]

    def record_many(self, entries: Sequence[Entry]) -> list[int]:
        """Append several records in one transaction, each chained to the one before;
        returns their ``seq`` in order. A system writing many at once (the incident
        engine) pays one lock and one commit instead of one per record."""
        if not entries:
            return []
        with self._lock, self._session.begin() as s:
            if self.engine.dialect.name == "postgresql":
                s.execute(text("LOCK TABLE audit_log IN EXCLUSIVE MODE"))
            last = s.execute(
                select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1)
            ).first()
            seq, prev = (0, GENESIS) if last is None else (int(last[0]), str(last[1]))
            rows: list[dict[str, Any]] = []
            for e in entries:
                seq += 1
                row: dict[str, Any] = {
                    "seq": seq,
                    "ts": datetime.now(UTC),
                    "actor": e.actor[:128],
                    "agency_id": e.agency_id,
                    "action": e.action,
                    "target": None if e.target is None else e.target[:512],
                    "ip": e.ip,
                    "reason": e.reason,
                    "outcome": e.outcome,
                    "detail": e.detail,
                    "prev_hash": prev,
                }
                row["hash"] = prev = self._hash(row)
                rows.append(row)
            s.execute(insert(AuditRow), rows)
            return [int(r["seq"]) for r in rows]

    def rows(
        self,
        *,
        actor: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        after_seq: int = 0,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        stmt = select(AuditRow).where(AuditRow.seq > after_seq).order_by(AuditRow.seq)
        if actor:
            stmt = stmt.where(AuditRow.actor == actor)
        if action:
            stmt = stmt.where(AuditRow.action == action)
        if since is not None:
            stmt = stmt.where(AuditRow.ts >= since)
        if until is not None:
            stmt = stmt.where(AuditRow.ts < until)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._session() as s:
            return [{k: getattr(r, k) for k in FIELDS} for r in s.scalars(stmt)]

    def count(self) -> int:
        with self._session() as s:
            return int(s.scalar(select(func.count()).select_from(AuditRow)) or 0)

    def verify(self) -> list[ChainProblem]:
        """Walk the chain in ``seq`` order; empty when intact.

        A row whose own hash is wrong was edited; a gap in ``seq`` is a deleted row; a
        row whose hash is right but whose ``prev_hash`` is not its predecessor's hash was
        moved (reordered) or follows a deletion.
        """
        problems: list[ChainProblem] = []
        prev_seq, prev_hash = 0, GENESIS
        for row in self._iter_all():
            seq = int(row["seq"])
            if seq > prev_seq + 1:
                last = "" if seq == prev_seq + 2 else f" (and every record up to {seq - 1})"
                problems.append(ChainProblem(prev_seq + 1, f"missing (deleted){last}"))
            if not hmac.compare_digest(self._hash(row), row["hash"]):
                problems.append(ChainProblem(seq, "edited (hash does not match its content)"))
            elif row["prev_hash"] != prev_hash and seq == prev_seq + 1:
                problems.append(ChainProblem(seq, "out of order (does not follow its predecessor)"))
            prev_seq, prev_hash = seq, row["hash"]
        return problems

    def _iter_all(self, batch: int = 5000) -> Iterator[dict[str, Any]]:
        after = 0
        while True:
            rows = self.rows(after_seq=after, limit=batch)
            if not rows:
                return
            yield from rows
            after = rows[-1]["seq"]

    # ------------------------------------------------------------ export
    @staticmethod
    def to_jsonl(rows: list[dict[str, Any]]) -> str:
        return "".join(json.dumps(r, default=_json_default, sort_keys=True) + "\n" for r in rows)

    @staticmethod
    def to_csv(rows: list[dict[str, Any]]) -> str:
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(FIELDS)
        for r in rows:
            w.writerow([_csv_cell(r[k]) for k in FIELDS])
        return buf.getvalue()


def _json_default(v: object) -> str:
    return v.isoformat() if isinstance(v, datetime) else str(v)


def _csv_cell(v: object) -> str:
    if isinstance(v, dict):
        v = json.dumps(v, sort_keys=True)
    s = _json_default(v) if isinstance(v, datetime) else ("" if v is None else str(v))
    # A cell starting with = + - @ runs as a formula in spreadsheets: defuse it.
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s
