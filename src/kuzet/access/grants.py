"""Separation of duties: nobody hands out more data access than they hold themselves.

Administrators run accounts and keys but hold no data clearance. So:

1. **Ceiling.** A person creating or changing an account or API key gives it at most
   their own clearances (video, biometrics, plates, city_audit) and, on keys, the face
   permissions (watchlists.*, faces.search) they hold. Whatever was asked beyond that is
   not applied: it becomes a **grant request**.
2. **Issued credentials.** Whoever issues credentials (creates an account, resets its
   password, makes or rotates a key) could use them. So the account then keeps only the
   clearances its issuer holds; the rest are suspended into a grant request, and older
   requests for it are cancelled.
3. **Second person.** A supervisor (``grants.approve``) of the account's agency (or of
   the platform) approves or rejects a request. The approver must not be the asker or
   the account itself, and neither of the two may have issued the other's credentials,
   directly or down a chain (an administrator's own sock puppet cannot approve). The
   approver must also not have issued the account's credentials.

The shell (``kuzet users``, actor ``None``) holds the database and the keys: it is the
root of trust and is not capped (its changes are audited as ``cli``). Every request,
approval and rejection is audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from kuzet.access.audit import AuditLog
from kuzet.access.errors import Forbidden, Invalid, NotFound
from kuzet.access.model import DataClass, Perm, Principal
from kuzet.access.tables import ApiKeyRow, GrantRow, UserRow

# Key permissions that reach faces: given beyond the asker's own only by a second person
FACE_PERMISSIONS = frozenset({Perm.WATCHLISTS_READ, Perm.WATCHLISTS_WRITE, Perm.FACES_SEARCH})
_CHAIN_MAX = 32
_REISSUED = "(credentials issued anew)"


def _now() -> datetime:
    return datetime.now(UTC)


def grant_view(g: GrantRow, username: str | None = None) -> dict[str, Any]:
    return {
        "id": g.id, "user_id": g.user_id, "username": username, "api_key_id": g.api_key_id,
        "clearances": sorted(g.clearances), "permissions": sorted(g.permissions), "why": g.why,
        "reason": g.reason, "requested_by": g.requested_by_name, "created_at": g.created_at,
        "status": g.status, "decided_by": g.decided_by_name, "decided_at": g.decided_at,
    }  # fmt: skip


def capped(actor: Principal | None, wanted: Iterable[DataClass]) -> tuple[set[str], set[str]]:
    """``(given now, asked beyond the actor)`` as clearance values."""
    want = {DataClass(c).value for c in wanted}
    if actor is None:
        return want, set()
    own = {c.value for c in actor.clearances}
    return want & own, want - own


def capped_perms(actor: Principal | None, wanted: Iterable[Perm]) -> tuple[set[str], set[str]]:
    """Key permissions: the face ones beyond the actor's own wait for a second person."""
    want = {Perm(p).value for p in wanted}
    if actor is None:
        return want, set()
    beyond = {p.value for p in FACE_PERMISSIONS - actor.permissions} & want
    return want - beyond, beyond


class Grants:
    def __init__(self, maker: sessionmaker[Session], audit: AuditLog) -> None:
        self._s = maker
        self.audit = audit

    # ------------------------------------------------------------ made by other changes
    def request(
        self, s: Session, actor: Principal, user: UserRow, why: str, *,
        clearances: Iterable[str] = (), permissions: Iterable[str] = (),
        api_key_id: str | None = None, reason: str | None = None,
    ) -> dict[str, Any] | None:  # fmt: skip
        """A pending request in the caller's transaction; ``None`` when nothing is asked."""
        cl, perms = sorted(set(clearances)), sorted(set(permissions))
        if not cl and not perms:
            return None
        row = GrantRow(
            id=str(uuid.uuid4()), user_id=user.id, api_key_id=api_key_id, clearances=cl,
            permissions=perms, why=why, reason=reason, requested_by=actor.user_id,
            requested_by_name=actor.username, created_at=_now(), status="pending",
            decided_by_name=None, decided_at=None,
        )  # fmt: skip
        s.add(row)
        return grant_view(row, user.username)

    def issued(self, s: Session, actor: Principal | None, user: UserRow, why: str,
               reason: str | None = None) -> dict[str, Any] | None:  # fmt: skip
        """``actor`` issued ``user`` new credentials: requests others made for it are
        cancelled (the account is in other hands now), and clearances beyond the actor's
        are suspended into a new request."""
        user.issued_by = None if actor is None else actor.user_id
        if actor is None:
            return None
        s.execute(
            update(GrantRow)
            .where(GrantRow.user_id == user.id, GrantRow.status == "pending",
                   GrantRow.requested_by != actor.user_id)
            .values(status="cancelled", decided_at=_now(), decided_by_name=_REISSUED)
        )  # fmt: skip
        keep, suspended = capped(actor, (DataClass(c) for c in user.clearances))
        user.clearances = sorted(keep)
        return self.request(s, actor, user, why, clearances=suspended, reason=reason)

    # ------------------------------------------------------------ the second person
    def list(self, actor: Principal | None, status: str | None = "pending") -> list[dict[str, Any]]:
        """Requests of the accounts ``actor`` may manage (``None``: the shell, all)."""
        stmt = select(GrantRow, UserRow).join(UserRow, UserRow.id == GrantRow.user_id)
        if status:
            stmt = stmt.where(GrantRow.status == status)
        if actor is not None and not actor.platform:
            stmt = stmt.where(UserRow.agency_id == actor.agency_id)
        with self._s() as s:
            rows = s.execute(stmt.order_by(GrantRow.created_at))
            return [grant_view(g, u.username) for g, u in rows]

    def _chain(self, s: Session, user_id: str | None) -> set[str]:
        """The accounts whose holders could act as ``user_id``: who issued its
        credentials, who issued theirs, and so on."""
        out: set[str] = set()
        while user_id is not None and user_id not in out and len(out) < _CHAIN_MAX:
            out.add(user_id)
            user_id = s.scalar(select(UserRow.issued_by).where(UserRow.id == user_id))
        return out

    def decide(
        self, actor: Principal, grant_id: str, approve: bool, reason: str | None = None
    ) -> dict[str, Any]:
        with self._s.begin() as s:
            g = s.get(GrantRow, grant_id)
            user = None if g is None else s.get(UserRow, g.user_id)
            if g is None or user is None or not actor.may_manage_agency(user.agency_id):
                raise NotFound(f"grant {grant_id!r} not found")
            if g.status != "pending":
                raise Invalid(f"grant is {g.status} already")
            mine, theirs = self._chain(s, actor.user_id), self._chain(s, g.requested_by)
            if (
                actor.user_id in (g.requested_by, user.id)
                or mine & theirs
                or (actor.user_id in self._chain(s, user.id))
            ):
                raise Forbidden(
                    "a second, independent person must decide: not the asker, not the "
                    "account, nobody whose credentials one of them issued",
                    code="approver_not_independent",
                )
            if approve:
                user.clearances = sorted(set(user.clearances) | set(g.clearances))
                if g.api_key_id is not None and g.permissions:
                    key = s.get(ApiKeyRow, g.api_key_id)
                    if key is None or key.revoked_at is not None:
                        raise Invalid("the API key was revoked meanwhile")
                    key.permissions = sorted(set(key.permissions) | set(g.permissions))
            g.status = "approved" if approve else "rejected"
            g.decided_by_name, g.decided_at = actor.username, _now()
            view = grant_view(g, user.username)
        self.audit.record(
            actor.username, "grant.approve" if approve else "grant.reject",
            target=f"user:{view['username']}", agency_id=actor.agency_id, ip=actor.ip,
            reason=reason, detail={"grant": grant_id, "clearances": view["clearances"],
                    "permissions": view["permissions"], "api_key_id": view["api_key_id"],
                    "requested_by": view["requested_by"]},
        )  # fmt: skip
        return view
