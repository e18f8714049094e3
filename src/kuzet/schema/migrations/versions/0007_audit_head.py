"""The audit log's head anchor: a signed (seq, hash) of the newest record, outside the log.

Deleting the newest rows of ``audit_log`` leaves a chain that is consistent in itself;
``audit_head`` (one row, updated in the same transaction as every append and signed with
the audit key, ``kuzet.access.audit``) still names the newest ``seq``, so ``verify``
reports the truncation and the next record takes the next ``seq`` after the head (a
deleted ``seq`` is never reused). Triggers refuse deleting the head or moving it back.

An existing log is anchored here at its newest row, signed when ``KUZET_AUDIT_KEY`` is
set, else unsigned: the next append signs it and records ``audit.head_signed``.

Revision ID: 0007_audit_head
Revises: 0006_auth_hardening
Create Date: 2026-12-06
"""

import os
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0007_audit_head"
down_revision: str | None = "0006_auth_hardening"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_TRIGGERS = [
    "CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head "
    "BEGIN SELECT RAISE(ABORT, 'audit_head cannot be deleted'); END",
    "CREATE TRIGGER audit_head_no_rewind BEFORE UPDATE ON audit_head WHEN NEW.seq < OLD.seq "
    "BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward'); END",
]
_PG_TRIGGERS = [
    "CREATE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP = 'DELETE' OR NEW.seq < OLD.seq THEN "
    "RAISE EXCEPTION 'audit_head only moves forward'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_head "
    "FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only()",
]


def upgrade() -> None:
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("sig", sa.String(64), nullable=False),
        sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
    )
    bind = op.get_bind()
    log = sa.table("audit_log", sa.column("seq", sa.Integer), sa.column("hash", sa.String))
    last = bind.execute(sa.select(log.c.seq, log.c.hash).order_by(log.c.seq.desc()).limit(1))
    row = last.first()
    if row is not None:
        from kuzet.access.audit_anchor import head_signature

        key = os.environ.get("KUZET_AUDIT_KEY", "").encode()
        sig = head_signature(key, int(row[0]), str(row[1])) if key else ""
        op.bulk_insert(
            head, [{"id": 1, "seq": row[0], "hash": row[1], "sig": sig, "ts": datetime.now(UTC)}]
        )
    for stmt in {"sqlite": _SQLITE_TRIGGERS, "postgresql": _PG_TRIGGERS}.get(bind.dialect.name, []):
        op.execute(stmt)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_head_forward_only ON audit_head")
        op.execute("DROP FUNCTION IF EXISTS audit_head_forward_only()")
    op.drop_table("audit_head")
