"""The access tests' small city (real SQLite store, accounts per role) plus violations."""

from __future__ import annotations

from tests.access.conftest import City, city  # noqa: F401  (the fixture, reused)
