"""Agencies and users: create, change, reset; TOTP enrolment; password change.

Every change is written to the audit log by the caller-facing method that made it.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from kuzet.access import totp
from kuzet.access.audit import AuditLog
from kuzet.access.errors import Busy, Conflict, Forbidden, Invalid, NotFound
from kuzet.access.grants import Grants, capped
from kuzet.access.model import DataClass, Principal, Role, Scope
from kuzet.access.passwords import Passwords, WeakPassword, one_time_password
from kuzet.access.policy import DEFAULT_CLEARANCES
from kuzet.access.sealing import TotpSecrets
from kuzet.access.sessions import Sessions
from kuzet.access.tables import AgencyRow, RecoveryCodeRow, UserRow
from kuzet.config.access import AccessConfig
from kuzet.crypto import KeyRingError

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
AGENCY_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{1,63}$")


@dataclass(frozen=True, slots=True)
class Enrolment:
    secret: str
    otpauth_uri: str
    qr_svg: str


def _now() -> datetime:
    return datetime.now(UTC)


def user_view(u: UserRow) -> dict[str, Any]:
    """What may be shown of an account (never hashes or the TOTP secret)."""
    return {
        "id": u.id,
        "username": u.username,
        "agency_id": u.agency_id,
        "role": u.role,
        "active": u.active,
        "totp_enabled": u.totp_enabled,
        "scope": Scope.from_json(u.scope).to_json(),
        "clearances": sorted(u.clearances),
        "locked_until": u.locked_until,  # replaced by the throttle's view where shown
        "created_at": u.created_at,
    }


class Accounts:
    def __init__(
        self,
        maker: sessionmaker[Session],
        cfg: AccessConfig,
        pw: Passwords,
        audit: AuditLog,
        sessions: Sessions,
        totp_secrets: TotpSecrets,
        grants: Grants,
    ) -> None:
        self._s = maker
        self.grants = grants
        self.cfg = cfg
        self.pw = pw
        self.audit = audit
        self.sessions = sessions
        self.totp_secrets = totp_secrets

    # ------------------------------------------------------------ agencies
    def upsert_agency(
        self, agency_id: str, name: str, scope: Scope, *, platform: bool = False,
        actor: Principal | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        if not AGENCY_ID.match(agency_id):
            raise Invalid(f"agency id {agency_id!r} must be lower-case letters, digits, - or _")
        with self._s.begin() as s:
            row = s.get(AgencyRow, agency_id)
            if row is None:
                row = AgencyRow(id=agency_id, created_at=_now())
                s.add(row)
            row.name, row.scope, row.platform = name, scope.to_json(), platform
        self.audit.record(
            "system" if actor is None else actor.username, "agency.upsert", target=agency_id,
            agency_id=None if actor is None else actor.agency_id,
            ip=None if actor is None else actor.ip,
            detail={"scope": scope.to_json(), "platform": platform},
        )  # fmt: skip
        return {"id": agency_id, "name": name, "platform": platform, "scope": scope.to_json()}

    def agencies(self) -> list[dict[str, Any]]:
        with self._s() as s:
            rows = s.scalars(select(AgencyRow).order_by(AgencyRow.id))
            return [
                {"id": a.id, "name": a.name, "platform": a.platform,
                 "scope": Scope.from_json(a.scope).to_json()}
                for a in rows
            ]  # fmt: skip

    # ------------------------------------------------------------ users
    def create_user(
        self,
        actor: Principal | None,
        username: str,
        agency_id: str,
        role: Role,
        *,
        scope: Scope | None = None,
        clearances: frozenset[DataClass] | None = None,
        reason: str | None = None,
    ) -> tuple[dict[str, Any], str | None]:
        """Returns the account and its one-time password (``None`` for integration).

        Clearances beyond the actor's own are not given: the view's ``pending_grant``
        holds them for a second person (:mod:`kuzet.access.grants`)."""
        if not USERNAME.match(username):
            raise Invalid("username: 3-64 of a-z 0-9 . _ -, starting with a letter or digit")
        if actor is not None and not actor.may_manage_agency(agency_id):
            raise Forbidden("you may manage accounts of your own agency only")
        secret = None if role == Role.INTEGRATION else one_time_password()
        wanted = DEFAULT_CLEARANCES[role] if clearances is None else clearances
        given, beyond = capped(actor, wanted)
        password_hash = None if secret is None else self.pw.hash(secret)
        with self._s.begin() as s:
            if s.get(AgencyRow, agency_id) is None:
                raise NotFound(f"agency {agency_id!r} not found")
            if s.scalar(select(UserRow.id).where(UserRow.username == username)) is not None:
                raise Conflict(f"user {username!r} already exists")
            row = UserRow(
                id=str(uuid.uuid4()), username=username, agency_id=agency_id, role=role.value,
                password_hash=password_hash, must_change_password=secret is not None,
                totp_secret=None, totp_enabled=False, totp_last_step=0,
                scope=(scope or Scope()).to_json(), clearances=sorted(given), active=True,
                locked_until=None, created_at=_now(),
                issued_by=None if actor is None else actor.user_id,
            )  # fmt: skip
            s.add(row)
            s.flush()
            grant = None
            if actor is not None:
                grant = self.grants.request(s, actor, row, "user.create", clearances=beyond,
                                            reason=reason)  # fmt: skip
            view = {**user_view(row), "pending_grant": grant}
        self._audit(actor, "user.create", username, reason, {
            **{k: view[k] for k in ("agency_id", "role", "scope", "clearances")},
            "pending": sorted(beyond)})  # fmt: skip
        return view, secret

    def _row(self, s: Session, actor: Principal | None, user_id: str) -> UserRow:
        row = s.get(UserRow, user_id)
        if row is None or (actor is not None and not actor.may_manage_agency(row.agency_id)):
            raise NotFound(f"user {user_id!r} not found")
        return row

    def get_user(self, actor: Principal, user_id: str) -> dict[str, Any]:
        with self._s() as s:
            row = self._row(s, actor, user_id)
            return self._with_throttle([user_view(row)])[0]

    def find(self, username: str) -> str:
        """The id of a user name (the shell's commands take names)."""
        with self._s() as s:
            user_id = s.scalar(select(UserRow.id).where(UserRow.username == username))
        if user_id is None:
            raise NotFound(f"user {username!r} not found")
        return user_id

    def list_users(self, actor: Principal | None) -> list[dict[str, Any]]:
        stmt = select(UserRow).order_by(UserRow.username)
        if actor is not None and not actor.platform:
            stmt = stmt.where(UserRow.agency_id == actor.agency_id)
        with self._s() as s:
            return self._with_throttle([user_view(u) for u in s.scalars(stmt)])

    def _with_throttle(self, views: list[dict[str, Any]]) -> list[dict[str, Any]]:
        status = self.sessions.throttle.status([v["username"] for v in views])
        for v in views:
            failures, until = status.get(v["username"], (0, None))
            v["failed_logins"], v["locked_until"] = failures, until
        return views

    def update_user(
        self, actor: Principal | None, user_id: str, changes: dict[str, Any],
        reason: str | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """Role, agency, active, scope, clearances: the changes the audit must show.
        Clearances added beyond the actor's own wait in ``pending_grant``."""
        grant = None
        with self._s.begin() as s:
            row = self._row(s, actor, user_id)
            if (
                actor is not None
                and row.id == actor.user_id
                and ("role" in changes or "agency_id" in changes or changes.get("active") is False)
            ):
                raise Forbidden("you cannot change your own role or agency or deactivate yourself")
            before = user_view(row)
            if "role" in changes:
                row.role = Role(changes["role"]).value
            if "agency_id" in changes and changes["agency_id"] != row.agency_id:
                new = str(changes["agency_id"])
                if s.get(AgencyRow, new) is None or (actor and not actor.may_manage_agency(new)):
                    raise NotFound(f"agency {new!r} not found")
                row.agency_id = new
            if "active" in changes:
                row.active = bool(changes["active"])
            if "scope" in changes:
                row.scope = Scope.from_json(changes["scope"]).to_json()
            if "clearances" in changes:
                wanted = {DataClass(c).value for c in changes["clearances"]}
                added = wanted - set(row.clearances)
                given, beyond = capped(actor, (DataClass(c) for c in added))
                row.clearances = sorted((wanted - added) | given)
                if actor is not None:
                    grant = self.grants.request(s, actor, row, "user.update", clearances=beyond,
                                                reason=reason)  # fmt: skip
            if not row.active or {"role", "agency_id"} & changes.keys():
                self.sessions.revoke_user(s, row.id)
            after = user_view(row)
        diff = {k: {"from": before[k], "to": after[k]} for k in changes
                if k in before and before[k] != after[k]}  # fmt: skip
        if grant is not None:
            diff["pending"] = grant["clearances"]
        self._audit(actor, "user.update", before["username"], reason, diff)
        return {**after, "pending_grant": grant}

    def reset_user(
        self, actor: Principal | None, user_id: str, reason: str | None = None
    ) -> tuple[str, dict[str, Any] | None]:
        """New one-time password, TOTP and recovery codes cleared, sessions revoked. The
        actor now knows a password of the account: its clearances beyond the actor's are
        suspended into a grant request (returned) until a second person approves."""
        secret = one_time_password()
        password_hash = self.pw.hash(secret)
        with self._s.begin() as s:
            row = self._row(s, actor, user_id)
            if row.role == Role.INTEGRATION:
                raise Invalid("integration accounts use API keys, not passwords")
            row.password_hash = password_hash
            row.must_change_password, row.totp_enabled, row.totp_secret = True, False, None
            row.totp_last_step, row.locked_until = 0, None
            s.execute(delete(RecoveryCodeRow).where(RecoveryCodeRow.user_id == row.id))
            self.sessions.revoke_user(s, row.id)
            grant = self.grants.issued(s, actor, row, "user.reset", reason)
            name = row.username
        self._audit(actor, "user.reset", name, reason,
                    {"suspended": [] if grant is None else grant["clearances"]})  # fmt: skip
        return secret, grant

    def reset_totp(self, actor: Principal | None, user_id: str, reason: str | None = None) -> None:
        """A lost phone: TOTP and recovery codes cleared, sessions revoked; the password
        stays, and the next login sets up TOTP again. (The actor learns no credential,
        so clearances stay.)"""
        with self._s.begin() as s:
            row = self._row(s, actor, user_id)
            if row.role == Role.INTEGRATION:
                raise Invalid("integration accounts have no TOTP")
            row.totp_enabled, row.totp_secret, row.totp_last_step = False, None, 0
            s.execute(delete(RecoveryCodeRow).where(RecoveryCodeRow.user_id == row.id))
            self.sessions.revoke_user(s, row.id)
            name = row.username
        self._audit(actor, "user.totp_reset", name, reason, {})

    def unlock(self, actor: Principal | None, user_id: str, reason: str | None = None) -> int:
        """Forget the account's failed logins from every address; returns how many."""
        with self._s.begin() as s:
            row = self._row(s, actor, user_id)
            row.locked_until = None
            name = row.username
        cleared = self.sessions.throttle.clear(name)
        self._audit(actor, "user.unlock", name, reason, {"failures_cleared": cleared})
        return cleared

    # ------------------------------------------------------------ own account
    def enrol_totp(self, me: Principal) -> Enrolment:
        if me.stage != "enrol":
            raise Forbidden("TOTP is already set up; an administrator can reset it")
        secret = totp.new_secret()
        sealed = self.totp_secrets.seal(secret, me.user_id)
        with self._s.begin() as s:
            s.execute(update(UserRow).where(UserRow.id == me.user_id).values(totp_secret=sealed))
        uri = totp.provisioning_uri(secret, me.username, self.cfg.tokens.totp_issuer)
        return Enrolment(secret, uri, totp.qr_svg(uri))

    def confirm_totp(self, me: Principal, code: str, new_password: str | None) -> list[str]:
        """Turn TOTP on (and replace the one-time password); returns recovery codes once."""
        codes = totp.recovery_codes()
        with self._s.begin() as s:
            row = s.get(UserRow, me.user_id)
            if row is None or me.stage != "enrol" or not row.totp_secret:
                raise Forbidden("start enrolment first")
            if row.must_change_password:
                if not new_password:
                    raise Invalid("new_password: the one-time password must be replaced")
                self._check(new_password, row.username)
                row.password_hash = self.pw.hash(new_password)
                row.must_change_password = False
            try:
                opened = self.totp_secrets.open(row.totp_secret, row.id)
            except KeyRingError:
                raise Invalid("code: the enrolment cannot be read; start it again") from None
            step = totp.matching_step(opened.secret, code, row.totp_last_step)
            if step is None:
                raise Invalid("code: wrong TOTP code; check the device clock")
            row.totp_enabled, row.totp_last_step = True, step
            if opened.stale:
                row.totp_secret = self.totp_secrets.seal(opened.secret, row.id)
            s.execute(delete(RecoveryCodeRow).where(RecoveryCodeRow.user_id == row.id))
            s.add_all(
                RecoveryCodeRow(user_id=row.id, code_hash=totp.code_hash(c), used_at=None)
                for c in codes
            )
            self.sessions.revoke_user(s, row.id)  # log in again, now with the second factor
        self._audit(me, "user.totp_enrolled", me.username, None, {})
        return codes

    def change_password(self, me: Principal, old: str, new: str) -> None:
        """Wrong old passwords count like failed logins (same throttle, per account and
        address) and are audited; the account's sessions end on success."""
        throttle = self.sessions.throttle
        attempt = throttle.begin(me.username, me.ip)
        try:
            with self._s() as s:
                row = s.get(UserRow, me.user_id)
                stored = None if row is None else row.password_hash
            ok = row is not None and self.pw.verify(stored, old)
        except Busy:
            throttle.release(attempt)
            raise
        if not ok:
            self.audit.record(me.username, "user.password_changed", target=f"user:{me.username}",
                              agency_id=me.agency_id, ip=me.ip, outcome="denied",
                              detail={"why": "current password wrong"})  # fmt: skip
            raise Forbidden("current password is wrong", code="old_password_invalid")
        throttle.release(attempt)
        self._check(new, me.username)
        new_hash = self.pw.hash(new)
        with self._s.begin() as s:
            s.execute(update(UserRow).where(UserRow.id == me.user_id)
                      .values(password_hash=new_hash))  # fmt: skip
            self.sessions.revoke_user(s, me.user_id)
        self._audit(me, "user.password_changed", me.username, None, {})

    def _check(self, password: str, username: str) -> None:
        try:
            self.pw.check_strength(password, username)
        except WeakPassword as exc:
            raise Invalid(f"new_password: {exc}") from None

    def _audit(
        self, actor: Principal | None, action: str, target: str, reason: str | None,
        detail: dict[str, Any],
    ) -> None:  # fmt: skip
        self.audit.record(
            "system" if actor is None else actor.username, action, target=f"user:{target}",
            agency_id=None if actor is None else actor.agency_id,
            ip=None if actor is None else actor.ip, reason=reason, detail=detail,
        )  # fmt: skip
