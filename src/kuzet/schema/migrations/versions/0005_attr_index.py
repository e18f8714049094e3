"""Expression indexes for event searches by person attribute (``attr=upper_colour:red``).

One partial index per common key over the key's text value, then ``ts`` and ``id``: a
search for one value walks the index newest first and stops at the page size, with no
sort and no scan of the events that do not carry the key (most of them). The expression
is the one :meth:`kuzet.store.Store.query_events` writes for these keys
(``INDEXED_ATTRIBUTES``), to the letter: a planner only uses an expression index whose
expression the query repeats.

Revision ID: 0005_attr_index
Revises: 0004_ops
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005_attr_index"
down_revision: str | None = "0004_ops"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYS = ("upper_colour", "lower_colour", "carried_bag", "gender", "age_band")


def _expr(dialect: str, key: str) -> str:
    if dialect == "sqlite":
        return f"CAST(json_extract(attributes, '$.\"{key}\"') AS VARCHAR)"
    return f"CAST(attributes ->> '{key}' AS VARCHAR)"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for key in KEYS:
        expr = _expr(dialect, key)
        op.execute(
            f"CREATE INDEX ix_events_attr_{key} ON events (({expr}), ts, id) "
            f"WHERE {expr} IS NOT NULL"
        )


def downgrade() -> None:
    for key in KEYS:
        op.execute(f"DROP INDEX IF EXISTS ix_events_attr_{key}")
