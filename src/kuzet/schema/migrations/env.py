"""Alembic environment: uses the connection the caller hands over, never an .ini URL."""

from __future__ import annotations

from alembic import context

import kuzet.access.tables
import kuzet.devices.respond_tables
import kuzet.evidence.tables
import kuzet.faces.tables
import kuzet.incidents.tables
import kuzet.integrations.tables
import kuzet.platedata.tables
import kuzet.record.tables
import kuzet.traffic.tables
import kuzet.violations.tables  # noqa: F401  (registers the feature tables on Base)
from kuzet.store.tables import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    raise RuntimeError(
        "kuzet migrations run through kuzet.schema.upgrade(engine), "
        "which passes the connection in config.attributes['connection']"
    )

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
