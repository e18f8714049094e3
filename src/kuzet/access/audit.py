"""Tamper-evident audit log: append-only rows, each holding the HMAC of the one before.

Changing, deleting or reordering a row breaks the chain at that row, and
:func:`AuditLog.verify` names it; deleting the newest rows is named through the signed
head anchors (:mod:`kuzet.access.audit_anchor`), and their ``seq`` is never reused. The
HMAC key lives outside the database (``KUZET_AUDIT_KEY``, or the embedded mode's key
file), so someone with write access to the database alone cannot re-compute a
consistent chain. Without a key the chain is plain SHA-256 and proves little:
``kuzet serve`` refuses to start without one (:mod:`kuzet.access.keyfiles`).
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
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from kuzet.access.audit_anchor import Anchor, HeadFile, anchor_problems, head_signature
from kuzet.access.tables import AuditHeadRow, AuditRow

GENESIS = "0" * 64
_HEAD_LOST = (
    "the head anchor was missing or forged before this record: newer records may have been deleted"
)
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
    """``key``: the HMAC key of chain and anchors. ``head_file``: a copy of the head kept
    outside the database (the site's data dir), checked by :meth:`verify` too."""

    def __init__(self, engine: Engine, key: bytes = b"", *, head_file: Path | None = None) -> None:
        self.engine = engine
        self._session = sessionmaker(engine, expire_on_commit=False)
        self._key = key
        self._lock = threading.Lock()  # one writer per process; PG also takes a row lock
        self._head_file = None if head_file is None else HeadFile(head_file)

    @property
    def keyed(self) -> bool:
        return bool(self._key)

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
        engine) pays one lock and one commit instead of one per record.

        The head anchor moves in the same transaction. Where it names a newer record
        than the log holds (rows deleted), numbering goes on after the head and the
        chain links to the head's hash, so the gap stays visible and no ``seq`` is
        reused. A missing, unsigned or forged head is recorded before the entries."""
        if not entries:
            return []
        with self._lock, self._session.begin() as s:
            if self.engine.dialect.name == "postgresql":
                s.execute(text("LOCK TABLE audit_log IN EXCLUSIVE MODE"))
            last = s.execute(
                select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1)
            ).first()
            seq, prev = (0, GENESIS) if last is None else (int(last[0]), str(last[1]))
            head = s.get(AuditHeadRow, 1)
            notes = self._head_notes(head, seq)
            if head is not None and head.seq > seq:
                seq, prev = head.seq, head.hash
            rows: list[dict[str, Any]] = []
            for e in [*notes, *entries]:
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
            anchor = Anchor(seq, prev, head_signature(self._key, seq, prev))
            if head is None:
                s.add(AuditHeadRow(id=1, seq=seq, hash=prev, sig=anchor.sig, ts=rows[-1]["ts"]))
            else:
                head.seq, head.hash, head.sig, head.ts = seq, prev, anchor.sig, rows[-1]["ts"]
        if self._head_file is not None:
            self._head_file.write(anchor)
        return [int(r["seq"]) for r in rows[len(notes) :]]

    def _head_notes(self, head: AuditHeadRow | None, last_seq: int) -> list[Entry]:
        """Records that say what was wrong with the head before this append fixed it."""
        if head is None:
            if last_seq == 0:
                return []  # a new log
            return [Entry("system", "audit.head_missing", outcome="alert",
                          detail={"newest_seq": last_seq})]  # fmt: skip
        if not head.sig:
            return [Entry("system", "audit.head_signed", detail={"seq": head.seq})]
        if not Anchor(head.seq, head.hash, head.sig).signed_by(self._key):
            return [Entry("system", "audit.head_invalid", outcome="alert",
                          detail={"seq": head.seq})]  # fmt: skip
        return []

    def rows(
        self,
        *,
        actor: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        after_seq: int = 0,
        limit: int | None = None,
        agency_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """Records in ``seq`` order; ``agency_id`` keeps one agency's only (what an
        auditor without city-wide clearance reads)."""
        stmt = select(AuditRow).where(AuditRow.seq > after_seq).order_by(AuditRow.seq)
        if agency_id is not None:
            stmt = stmt.where(AuditRow.agency_id == agency_id)
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
        """Walk the chain in ``seq`` order, then check the head anchors; empty when intact.

        A row whose own hash is wrong was edited; a gap in ``seq`` is a deleted row; a
        row whose hash is right but whose ``prev_hash`` is not its predecessor's hash was
        moved (reordered) or follows a deletion. Records the head anchors vouch for that
        are gone were truncated; a record saying the head was missing or forged is kept
        as a problem for good.
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
            if row["action"] in ("audit.head_missing", "audit.head_invalid"):
                problems.append(ChainProblem(seq, _HEAD_LOST))
            prev_seq, prev_hash = seq, row["hash"]
        for p in self._anchor_problems(prev_seq):
            if p not in problems:
                problems.append(p)
        return problems

    def _anchor_problems(self, last_seq: int) -> list[ChainProblem]:
        found: list[tuple[int, str]] = []
        try:
            with self._session() as s:
                row = s.get(AuditHeadRow, 1)
                head = None if row is None else Anchor(row.seq, row.hash, row.sig)
        except SQLAlchemyError:  # the table itself is gone (dropped)
            return [ChainProblem(last_seq, "the head anchor table audit_head is missing: "
                                           "newer records may have been deleted")]  # fmt: skip
        with self._session() as s:

            def hash_at(seq: int) -> str | None:
                return s.scalar(select(AuditRow.hash).where(AuditRow.seq == seq))

            if head is None:
                if last_seq:
                    found.append((last_seq, "the head anchor is missing: newer records may "
                                            "have been deleted"))  # fmt: skip
            else:
                found += anchor_problems(
                    "head anchor", head, self._key, last_seq, hash_at, is_head=True
                )
            if self._head_file is not None and (copy := self._head_file.read()) is not None:
                found += anchor_problems(
                    f"head file {self._head_file.path}", copy, self._key, last_seq, hash_at,
                    is_head=False,
                )  # fmt: skip
        return [ChainProblem(seq, text) for seq, text in found]

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
