"""The access facade the API, the CLI and the service share: one object per database."""

from __future__ import annotations

import os

from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from kuzet.access.accounts import Accounts
from kuzet.access.audit import AuditLog
from kuzet.access.errors import Conflict
from kuzet.access.keys import ApiKeys
from kuzet.access.model import Principal, Role, Scope
from kuzet.access.passwords import Passwords
from kuzet.access.seed import AGENCIES, PLATFORM_AGENCY
from kuzet.access.sessions import Sessions
from kuzet.access.tables import AgencyRow, UserRow
from kuzet.config.access import AccessConfig


class AccessService:
    """Accounts, sessions, API keys and the audit log over the store's engine.

    The schema comes from the store's migrations (``0002_access``); build the
    ``Store`` (which upgrades) before this, or call ``kuzet.store.migrate.upgrade``.
    """

    def __init__(self, engine: Engine, cfg: AccessConfig | None = None) -> None:
        self.cfg = cfg or AccessConfig()
        self.engine = engine
        maker = sessionmaker(engine, expire_on_commit=False)
        key = os.environ.get(self.cfg.audit_key_env, "").encode()
        self.audit = AuditLog(engine, key)
        self.passwords = Passwords(self.cfg.passwords)
        self.sessions = Sessions(maker, self.cfg, self.passwords, self.audit)
        self.accounts = Accounts(maker, self.cfg, self.passwords, self.audit, self.sessions)
        self.keys = ApiKeys(maker, self.audit)
        self._maker = maker

    def authenticate(self, token: str, ip: str | None = None) -> Principal | None:
        """A bearer access token or an API key -> who it is; ``None`` when invalid."""
        if not token or len(token) > 512:
            return None
        if token.startswith("kzk_"):
            return self.keys.principal(token, ip)
        return self.sessions.principal(token, ip)

    def seed_agencies(self) -> int:
        """Create the demo city's agencies that are missing; returns how many were added."""
        with self._maker() as s:
            have = set(s.scalars(select(AgencyRow.id)))
        added = 0
        for agency_id, name, scope in AGENCIES:
            if agency_id not in have:
                self.accounts.upsert_agency(
                    agency_id, name, scope, platform=agency_id == PLATFORM_AGENCY
                )
                added += 1
        return added

    def create_first_admin(self, username: str, agency_id: str = PLATFORM_AGENCY) -> str:
        """The bootstrap administrator; refused once any administrator exists.

        Returns the one-time password: printed once, replaced at the first login.
        """
        self.seed_agencies()
        with self._maker() as s:
            if s.scalar(select(UserRow.id).where(UserRow.role == Role.ADMINISTRATOR.value)):
                raise Conflict("an administrator exists already; use the API to add users")
        _, secret = self.accounts.create_user(
            None, username, agency_id, Role.ADMINISTRATOR, scope=Scope(),
            reason="first administrator (kuzet admin create-first)",
        )  # fmt: skip
        assert secret is not None
        return secret
