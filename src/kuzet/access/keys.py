"""Scoped, rotatable API keys for integration accounts (machines, not people)."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from kuzet.access import tokens
from kuzet.access.audit import AuditLog
from kuzet.access.errors import Invalid, NotFound
from kuzet.access.grants import Grants, capped_perms
from kuzet.access.model import Perm, Principal, Role
from kuzet.access.policy import grants as role_grants
from kuzet.access.principals import principal_for
from kuzet.access.tables import AgencyRow, ApiKeyRow, UserRow


def _now() -> datetime:
    return datetime.now(UTC)


def key_view(k: ApiKeyRow) -> dict[str, Any]:
    return {
        "id": k.id, "user_id": k.user_id, "permissions": sorted(k.permissions),
        "created_at": k.created_at, "expires_at": k.expires_at, "revoked_at": k.revoked_at,
        "last_used_at": k.last_used_at,
    }  # fmt: skip


class ApiKeys:
    def __init__(self, maker: sessionmaker[Session], audit: AuditLog, grants: Grants) -> None:
        self._s = maker
        self.audit = audit
        self.grants = grants

    def create(
        self,
        actor: Principal | None,
        user_id: str,
        permissions: list[str],
        ttl_days: int | None = None,
        *,
        _rotated_from: str | None = None,
    ) -> tuple[dict[str, Any], str]:
        """Returns the key's record and the key itself, shown this once only.

        Whoever makes a key holds it: face permissions beyond the actor's own, and the
        account's clearances beyond the actor's, wait in ``pending_grant`` for a second
        person (:mod:`kuzet.access.grants`)."""
        ceiling = role_grants(Role.INTEGRATION)
        try:
            perms = frozenset(Perm(p) for p in permissions)
        except ValueError:
            raise Invalid(f"permissions: known are {sorted(p.value for p in ceiling)}") from None
        if not perms or not perms <= ceiling:
            raise Invalid(f"permissions: a non-empty subset of {sorted(p.value for p in ceiling)}")
        given, beyond = capped_perms(actor, perms)
        key_id, key = tokens.new_api_key()
        now = _now()
        why = "apikey.rotate" if _rotated_from else "apikey.create"
        with self._s.begin() as s:
            user = s.get(UserRow, user_id)
            if user is None or (actor is not None and not actor.may_manage_agency(user.agency_id)):
                raise NotFound(f"user {user_id!r} not found")
            if user.role != Role.INTEGRATION:
                raise Invalid("API keys are for integration accounts; people log in with TOTP")
            row = ApiKeyRow(
                id=key_id, user_id=user_id, key_hash=tokens.digest(key),
                permissions=sorted(given), created_at=now,
                expires_at=None if ttl_days is None else now + timedelta(days=ttl_days),
                revoked_at=None, last_used_at=None,
            )  # fmt: skip
            s.add(row)
            s.flush()
            suspended = self.grants.issued(s, actor, user, why)
            asked = None
            if actor is not None:
                asked = self.grants.request(s, actor, user, why, permissions=beyond,
                                            api_key_id=key_id)  # fmt: skip
            view = {**key_view(row), "pending_grant": asked, "suspended_grant": suspended}
        self.audit.record(
            "system" if actor is None else actor.username, why,
            target=f"apikey:{key_id}", agency_id=None if actor is None else actor.agency_id,
            ip=None if actor is None else actor.ip,
            detail={"user_id": user_id, "permissions": view["permissions"],
                    "pending": sorted(beyond), "rotated_from": _rotated_from,
                    "suspended": [] if suspended is None else suspended["clearances"]},
        )  # fmt: skip
        return view, key

    def _row(self, s: Session, actor: Principal | None, key_id: str) -> ApiKeyRow:
        row = s.get(ApiKeyRow, key_id)
        user = None if row is None else s.get(UserRow, row.user_id)
        if (
            row is None
            or user is None
            or (actor is not None and not actor.may_manage_agency(user.agency_id))
        ):
            raise NotFound(f"API key {key_id!r} not found")
        return row

    def revoke(self, actor: Principal | None, key_id: str) -> None:
        with self._s.begin() as s:
            self._row(s, actor, key_id).revoked_at = _now()
        self.audit.record(
            "system" if actor is None else actor.username, "apikey.revoke",
            target=f"apikey:{key_id}", ip=None if actor is None else actor.ip,
        )  # fmt: skip

    def rotate(self, actor: Principal | None, key_id: str) -> tuple[dict[str, Any], str]:
        """A new key with the same permissions; the old one stops working now."""
        with self._s() as s:
            old = self._row(s, actor, key_id)
            user_id, perms = old.user_id, list(old.permissions)
            ttl = None
            if old.expires_at is not None:
                ttl = max(1, (old.expires_at - old.created_at).days)
        self.revoke(actor, key_id)
        return self.create(actor, user_id, perms, ttl, _rotated_from=key_id)

    def list(self, actor: Principal | None, user_id: str) -> list[dict[str, Any]]:
        with self._s() as s:
            user = s.get(UserRow, user_id)
            if user is None or (actor is not None and not actor.may_manage_agency(user.agency_id)):
                raise NotFound(f"user {user_id!r} not found")
            rows = s.scalars(select(ApiKeyRow).where(ApiKeyRow.user_id == user_id))
            return [key_view(k) for k in rows]

    def principal(self, key: str, ip: str | None = None) -> Principal | None:
        key_id = tokens.api_key_id(key)
        if key_id is None:
            return None
        now = _now()
        with self._s.begin() as s:
            row = s.get(ApiKeyRow, key_id)
            if row is None or not hmac.compare_digest(row.key_hash, tokens.digest(key)):
                return None
            if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
                return None
            user = s.get(UserRow, row.user_id)
            agency = None if user is None else s.get(AgencyRow, user.agency_id)
            if user is None or agency is None or not user.active:
                return None
            if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
                s.execute(update(ApiKeyRow).where(ApiKeyRow.id == key_id).values(last_used_at=now))
            return principal_for(
                user, agency, api_key_id=key_id, key_permissions=row.permissions, ip=ip
            )
