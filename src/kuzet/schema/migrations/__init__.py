"""Alembic migrations of every table; run programmatically by :func:`kuzet.schema.upgrade`."""
