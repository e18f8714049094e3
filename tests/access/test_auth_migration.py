"""Revision 0006_auth_hardening on SQLite and PostgreSQL: up from 0005 with accounts in
place (nothing lost, plain TOTP secrets still work), down again (sealed secrets turned
back into plain ones with the key, refused without it)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from alembic import command
from sqlalchemy import Engine, func, inspect, select, text

from kuzet.access.model import Role
from kuzet.access.passwords import Passwords
from kuzet.access.sealing import is_sealed
from kuzet.access.service import AccessService
from kuzet.access.tables import RecoveryCodeRow, UserRow
from kuzet.crypto import KeyRing
from kuzet.schema import alembic_config, current_revision, upgrade
from kuzet.store.engine import make_engine

from .conftest import PASSWORD, cheap_config

REV, PREV = "0006_auth_hardening", "0005_attr_index"
KEY = KeyRing.generate("a1")


def _downgrade(engine: Engine, rev: str) -> None:
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), rev)


def _columns(engine: Engine, table: str) -> dict[str, object]:
    return {c["name"]: c["type"] for c in inspect(engine).get_columns(table)}


def _old_account(engine: Engine, name: str) -> tuple[str, str]:
    """What revision 0005 holds: a person with a plain TOTP secret, a live session and
    recovery codes. Returns (user id, secret). Written in SQL: today's code writes
    today's schema (the audit head of 0007, for one)."""
    secret, user_id, now = pyotp.random_base32(), str(uuid.uuid4()), datetime.now(UTC)
    pw = Passwords(cheap_config().passwords)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO agencies (id, name, platform, scope, created_at) "
                 "VALUES ('city-police', 'City police', false, '{}', :now)"), {"now": now}
        )  # fmt: skip
        conn.execute(
            text("INSERT INTO users (id, username, agency_id, role, password_hash, "
                 "must_change_password, totp_secret, totp_enabled, totp_last_step, scope, "
                 "clearances, active, locked_until, created_at) VALUES (:id, :name, "
                 "'city-police', :role, :pw, false, :secret, true, 0, '{}', '[\"video\"]', "
                 "true, NULL, :now)"),
            {"id": user_id, "name": name, "role": Role.OPERATOR.value, "pw": pw.hash(PASSWORD),
             "secret": secret, "now": now},
        )  # fmt: skip
        conn.execute(RecoveryCodeRow.__table__.insert().values(user_id=user_id, code_hash="c" * 64))
        conn.execute(  # the 0005 columns only: the ORM model already has the new one
            text(
                "INSERT INTO auth_sessions (id, user_id, stage, access_hash, access_expires_at,"
                " refresh_hash, refresh_expires_at, ip, created_at) VALUES (:id, :u, 'full',"
                " :a, :ae, :r, :re, NULL, :now)"
            ),
            {"id": str(uuid.uuid4()), "u": user_id, "a": "a" * 64, "ae": now,
             "r": "r" * 64, "re": now + timedelta(hours=8), "now": now},
        )  # fmt: skip
    return user_id, secret


def _count(engine: Engine, table: type) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def _secret(engine: Engine, user_id: str) -> str:
    with engine.connect() as conn:
        return str(conn.scalar(select(UserRow.totp_secret).where(UserRow.id == user_id)))


def test_upgrade_from_0005_and_back(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUZET_ACCESS_KEYS", KEY)
    engine = make_engine(db_url)
    try:
        upgrade(engine, PREV)
        user_id, secret = _old_account(engine, "op.legacy")
        assert "prev_refresh_hash" not in _columns(engine, "auth_sessions")

        upgrade(engine, REV)
        assert current_revision(engine) == REV
        cols = _columns(engine, "auth_sessions")
        assert "prev_refresh_hash" in cols
        indexes = {ix["name"] for ix in inspect(engine).get_indexes("auth_sessions")}
        assert "ix_auth_sessions_prev_refresh_hash" in indexes
        if engine.dialect.name == "postgresql":
            assert getattr(_columns(engine, "users")["totp_secret"], "length", None) == 256
        # nothing lost (a SQLite table rebuild would have cascaded into these)
        assert _count(engine, RecoveryCodeRow) == 1
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM auth_sessions")) == 1
        assert _secret(engine, user_id) == secret  # the upgrade does not need the key

        # the plain secret still logs in (today's code, so today's schema); the login seals it
        upgrade(engine)
        svc = AccessService(engine, cheap_config(), keys=KeyRing.parse(KEY))
        toks = svc.sessions.login("op.legacy", PASSWORD, totp_code=pyotp.TOTP(secret).now())
        assert toks.stage == "full" and is_sealed(_secret(engine, user_id))
        assert svc.sessions.refresh(toks.refresh_token or "").stage == "full"

        # down: without the key it refuses and changes nothing
        _downgrade(engine, REV)
        monkeypatch.delenv("KUZET_ACCESS_KEYS")
        with pytest.raises(RuntimeError, match="KUZET_ACCESS_KEYS"):
            _downgrade(engine, PREV)
        assert current_revision(engine) == REV and is_sealed(_secret(engine, user_id))
        # with it, the secret is plain again, as 0005 reads it
        monkeypatch.setenv("KUZET_ACCESS_KEYS", KEY)
        _downgrade(engine, PREV)
        assert current_revision(engine) == PREV
        assert _secret(engine, user_id) == secret
        assert "prev_refresh_hash" not in _columns(engine, "auth_sessions")
        if engine.dialect.name == "postgresql":
            assert getattr(_columns(engine, "users")["totp_secret"], "length", None) == 64
        assert _count(engine, RecoveryCodeRow) == 1

        upgrade(engine, REV)  # and up again
        assert current_revision(engine) == REV
        upgrade(engine)
        assert AccessService(engine, cheap_config(), keys=KeyRing.parse(KEY)).sessions.login(
            "op.legacy", PASSWORD, totp_code=pyotp.TOTP(secret).at(time.time() + 30)
        ).stage == "full"  # fmt: skip
    finally:
        engine.dispose()


def test_downgrade_of_an_empty_database(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KUZET_ACCESS_KEYS", raising=False)
    monkeypatch.delenv("KUZET_ACCESS_KEY_FILE", raising=False)
    engine = make_engine(db_url)
    try:
        upgrade(engine, REV)
        assert current_revision(engine) == REV
        _downgrade(engine, PREV)  # no sealed secrets: no key needed
        assert current_revision(engine) == PREV
        with engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(UserRow)) == 0
        upgrade(engine, REV)
        assert current_revision(engine) == REV
    finally:
        engine.dispose()
