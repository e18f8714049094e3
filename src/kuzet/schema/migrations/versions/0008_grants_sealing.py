"""Separation of duties and sealed personal data.

* ``users.issued_by``: who last issued this account's credentials (created it, reset its
  password, made or rotated its key); ``NULL`` for the shell (``kuzet users``, the root
  of trust). Approvals check it (``kuzet.access.grants``).
* ``access_grants``: clearances (and API-key face permissions) an administrator asked
  for beyond their own, waiting for a second person.
* ``watchlist_persons.name`` becomes ``TEXT``: names are sealed at rest now
  (``kuzet.faces.sealed``), which makes them longer. SQLite does not enforce lengths,
  so only PostgreSQL is altered. Existing names stay readable as they are and are
  sealed when next written (``kuzet faces rekey`` seals them all). The downgrade opens
  sealed names and case data again, with ``KUZET_FACE_KEYS`` / ``KUZET_FACE_KEY_FILE``;
  without them it refuses, changing nothing, when sealed rows exist.

Revision ID: 0008_grants_sealing
Revises: 0007_audit_head
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_grants_sealing"
down_revision: str | None = "0007_audit_head"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("users", sa.Column("issued_by", sa.String(36), nullable=True))
    op.create_table(
        "access_grants",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "user_id",
            sa.String(36),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column(
            "api_key_id",
            sa.String(32),
            sa.ForeignKey("api_keys.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("clearances", sa.JSON, nullable=False),
        sa.Column("permissions", sa.JSON, nullable=False),
        sa.Column("why", sa.String(256), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("requested_by", sa.String(36), nullable=False),
        sa.Column("requested_by_name", sa.String(128), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("decided_by_name", sa.String(128), nullable=True),
        sa.Column("decided_at", _TS, nullable=True),
    )
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("watchlist_persons", "name", type_=sa.Text,
                        existing_type=sa.String(256), existing_nullable=False)  # fmt: skip


def _unseal_persons() -> None:
    from kuzet.crypto import KeyRing, KeyRingError
    from kuzet.faces.sealed import opened
    from kuzet.faces.tables import PersonRow

    bind = op.get_bind()
    persons = sa.table("watchlist_persons", sa.column("id", sa.String),
                       sa.column("name", sa.Text), sa.column("case", sa.JSON))  # fmt: skip
    rows = bind.execute(
        sa.select(persons.c.id, persons.c.name, persons.c.case)
        .where(persons.c.name.like("kzs1:%"))
    ).all()  # fmt: skip
    if not rows:
        return
    try:
        keys = KeyRing.from_env()
        plain = [opened(keys, PersonRow(id=i, name=n, case=c)) for i, n, c in rows]
    except KeyRingError as exc:
        raise RuntimeError(
            f"{len(rows)} watchlist names are sealed; to downgrade below 0008_grants_sealing "
            f"set KUZET_FACE_KEYS or KUZET_FACE_KEY_FILE so they can be opened: {exc}"
        ) from None
    for p in plain:
        bind.execute(persons.update().where(persons.c.id == p.id)
                     .values(name=p.name, case=p.case))  # fmt: skip


def downgrade() -> None:
    _unseal_persons()
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("watchlist_persons", "name", type_=sa.String(256),
                        existing_type=sa.Text, existing_nullable=False)  # fmt: skip
    op.drop_table("access_grants")
    # SQLite >= 3.35 drops a column in place: no rebuild of users (which would cascade
    # into its sessions, recovery codes and keys)
    op.drop_column("users", "issued_by")
