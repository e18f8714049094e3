"""Alembic migrations of the store; run programmatically by :func:`kuzet.store.migrate.upgrade`."""
