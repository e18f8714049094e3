"""Login (password + TOTP, throttled), sessions with refresh and revocation, token lookup.

Refresh tokens rotate on use, with reuse detection (OAuth 2.0 Security BCP, RFC 6819
5.2.2.3): each session keeps the hash of the refresh token it last rotated away, and a
second use of that token means two parties hold it, so the session is revoked for both
and the event audited (``session.refresh_reuse``).
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from kuzet.access import tokens, totp
from kuzet.access.audit import AuditLog
from kuzet.access.errors import AuthFailed, Busy
from kuzet.access.model import Principal
from kuzet.access.passwords import Passwords
from kuzet.access.principals import principal_for
from kuzet.access.sealing import TotpSecrets
from kuzet.access.tables import AgencyRow, RecoveryCodeRow, SessionRow, UserRow
from kuzet.access.throttle import Attempt, Throttle
from kuzet.config.access import AccessConfig
from kuzet.crypto import KeyRingError

log = logging.getLogger(__name__)

BAD_LOGIN = "wrong user name, password or code"  # no hint which part failed
_MESSAGES = {
    "totp_required": "a TOTP code (or a recovery code) is required",
    "totp_invalid": "wrong code: check the authenticator app and the phone's clock",
    "totp_reused": "this code was used already: wait for the next one",
    "recovery_code_invalid": "the recovery code is wrong or was used already",
}
BAD_REFRESH = "refresh token invalid, expired or revoked"  # reuse detected reads the same


@dataclass(frozen=True, slots=True)
class Tokens:
    access_token: str
    access_expires_at: datetime
    refresh_token: str | None
    refresh_expires_at: datetime | None
    stage: str  # "full", or "enrol" when TOTP must be set up first


def _now() -> datetime:
    return datetime.now(UTC)


class Sessions:
    def __init__(
        self,
        maker: sessionmaker[Session],
        cfg: AccessConfig,
        pw: Passwords,
        audit: AuditLog,
        totp_secrets: TotpSecrets,
    ) -> None:
        self._s = maker
        self.cfg = cfg
        self.pw = pw
        self.audit = audit
        self.totp_secrets = totp_secrets
        self.throttle = Throttle(maker, cfg.throttle)

    # ------------------------------------------------------------ login
    def _fail(self, attempt: Attempt, user: UserRow | None, why: str, code: str) -> AuthFailed:
        """Audit a failed attempt (its throttle rows stay: they are the failure) and say
        why, unless the account is on guard: then every failure reads the same."""
        self.audit.record(
            attempt.username, "login", ip=attempt.ip, outcome="denied",
            detail={"why": why, "on_guard": attempt.guarded},
            agency_id=None if user is None else user.agency_id,
        )  # fmt: skip
        if attempt.guarded or code == "invalid_credentials":
            return AuthFailed(BAD_LOGIN, code="invalid_credentials")
        return AuthFailed(_MESSAGES[code], code=code)

    def login(
        self,
        username: str,
        password: str,
        *,
        totp_code: str | None = None,
        recovery_code: str | None = None,
        ip: str | None = None,
    ) -> Tokens:
        """Password and second factor. Failures say why with a code the UI translates
        (``invalid_credentials``, ``totp_required``, ``totp_invalid``, ``totp_reused``,
        ``recovery_code_invalid``; 429 ``locked`` with ``until``, 429
        ``too_many_attempts``, 503 ``busy``), never whether the user exists."""
        attempt = self.throttle.begin(username, ip)  # Locked / Throttled
        try:
            with self._s() as s:
                user = s.scalar(select(UserRow).where(UserRow.username == username))
            ok = self.pw.verify(None if user is None else user.password_hash, password)
        except Busy:
            self.throttle.release(attempt)
            raise
        if user is None or not ok:
            raise self._fail(attempt, user, "password", "invalid_credentials")
        if not user.active:
            raise self._fail(attempt, user, "inactive account", "invalid_credentials")
        if not user.totp_enabled:
            self.throttle.succeeded(attempt)
            toks = self._open(user, "enrol", ip)
            self.audit.record(username, "login", agency_id=user.agency_id, ip=ip,
                              detail={"stage": "enrol"})  # fmt: skip
            return toks
        if totp_code:
            result = self._use_totp(user, totp_code)
            if result != totp.Check.OK:
                raise self._fail(attempt, user, f"totp code {result.value}", f"totp_{result.value}")
        elif recovery_code:
            if not self._use_recovery(user, recovery_code):
                raise self._fail(attempt, user, "recovery code wrong or used",
                                 "recovery_code_invalid")  # fmt: skip
        elif attempt.guarded:  # no hint that the password was right
            raise self._fail(attempt, user, "no second factor while on guard", "totp_required")
        else:
            self.throttle.release(attempt)  # the first half of a login: not a failure
            raise AuthFailed(_MESSAGES["totp_required"], code="totp_required")
        if self.pw.needs_rehash(user.password_hash or ""):
            with contextlib.suppress(Busy):  # upgraded at a quieter login
                rehashed = self.pw.hash(password)
                with self._s.begin() as s:
                    stmt = update(UserRow).where(UserRow.id == user.id)
                    s.execute(stmt.values(password_hash=rehashed))
        self.throttle.succeeded(attempt)
        toks = self._open(user, "full", ip)
        detail = {"stage": "full", "second_factor": "totp" if totp_code else "recovery_code"}
        self.audit.record(username, "login", agency_id=user.agency_id, ip=ip, detail=detail)
        return toks

    def _use_totp(self, user: UserRow, code: str) -> totp.Check:
        stored = user.totp_secret
        if not stored:
            return totp.Check.INVALID
        try:
            opened = self.totp_secrets.open(stored, user.id)
        except KeyRingError as exc:  # never the secret itself in the log
            log.error("TOTP secret of user %r does not open: %s", user.username, exc)
            return totp.Check.INVALID
        result, step = totp.check(opened.secret, code, user.totp_last_step)
        if step is None:
            return result
        with self._s.begin() as s:  # compare-and-set: two racing logins cannot both use it
            res = s.execute(
                update(UserRow)
                .where(UserRow.id == user.id, UserRow.totp_last_step < step)
                .values(totp_last_step=step)
            )
            if not getattr(res, "rowcount", 0):
                return totp.Check.REUSED
            if opened.stale:  # plain text from before sealing, or an old key: seal anew
                s.execute(
                    update(UserRow)
                    .where(UserRow.id == user.id, UserRow.totp_secret == stored)
                    .values(totp_secret=self.totp_secrets.seal(opened.secret, user.id))
                )
            return totp.Check.OK

    def _use_recovery(self, user: UserRow, code: str) -> bool:
        with self._s.begin() as s:
            res = s.execute(
                update(RecoveryCodeRow)
                .where(
                    RecoveryCodeRow.user_id == user.id,
                    RecoveryCodeRow.code_hash == totp.code_hash(code),
                    RecoveryCodeRow.used_at.is_(None),
                )
                .values(used_at=_now())
            )
            return bool(getattr(res, "rowcount", 0))

    def _open(self, user: UserRow, stage: str, ip: str | None) -> Tokens:
        now = _now()
        t = self.cfg.tokens
        access = tokens.new_access()
        refresh = tokens.new_refresh() if stage == "full" else None
        ttl = t.access_ttl_s if stage == "full" else t.enrol_ttl_s
        access_exp = now + timedelta(seconds=ttl)
        refresh_exp = now + timedelta(seconds=t.refresh_ttl_s if refresh else ttl)
        with self._s.begin() as s:
            s.add(
                SessionRow(
                    id=str(uuid.uuid4()), user_id=user.id, stage=stage,
                    access_hash=tokens.digest(access), access_expires_at=access_exp,
                    refresh_hash=None if refresh is None else tokens.digest(refresh),
                    refresh_expires_at=refresh_exp, ip=ip, created_at=now, revoked_at=None,
                )
            )  # fmt: skip
        return Tokens(access, access_exp, refresh, refresh_exp if refresh else None, stage)

    # ------------------------------------------------------------ refresh / logout
    def refresh(self, refresh_token: str, ip: str | None = None) -> Tokens:
        """Rotate: a refresh token works once; the old access token dies with it.

        Presenting the token this session rotated away last (a second use: stolen, or
        replayed) revokes the session, so neither holder keeps access; the answer is the
        same 401 as for any invalid token.
        """
        now = _now()
        presented = tokens.digest(refresh_token)
        access, refresh = tokens.new_access(), tokens.new_refresh()
        access_exp = now + timedelta(seconds=self.cfg.tokens.access_ttl_s)
        rotated, exp = False, now
        with self._s.begin() as s:
            row = s.scalar(select(SessionRow).where(SessionRow.refresh_hash == presented))
            user = None if row is None else s.get(UserRow, row.user_id)
            if (
                row is not None and user is not None and user.active and row.revoked_at is None
                and row.refresh_expires_at > now and row.stage == "full"
            ):  # fmt: skip
                # compare-and-set: of two racing uses of one token, the second is a reuse
                res = s.execute(
                    update(SessionRow)
                    .where(
                        SessionRow.id == row.id,
                        SessionRow.refresh_hash == presented,
                        SessionRow.revoked_at.is_(None),
                    )
                    .values(
                        access_hash=tokens.digest(access), access_expires_at=access_exp,
                        refresh_hash=tokens.digest(refresh), prev_refresh_hash=presented,
                    )
                )  # fmt: skip
                rotated = bool(getattr(res, "rowcount", 0))
                exp = row.refresh_expires_at
        if not rotated:
            self._revoke_on_reuse(presented, ip)
            raise AuthFailed(BAD_REFRESH)
        return Tokens(access, access_exp, refresh, exp, "full")

    def _revoke_on_reuse(self, presented: str, ip: str | None) -> None:
        """``presented`` is not a live refresh token; if it is the one a live session
        rotated away last, revoke that session and audit it. Revoked or expired
        sessions are left alone (their tokens fail anyway)."""
        now = _now()
        with self._s.begin() as s:
            row = s.scalar(select(SessionRow).where(SessionRow.prev_refresh_hash == presented))
            if row is None or row.revoked_at is not None or row.refresh_expires_at <= now:
                return
            res = s.execute(
                update(SessionRow)
                .where(SessionRow.id == row.id, SessionRow.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            if not getattr(res, "rowcount", 0):
                return  # revoked meanwhile: by logout, or by a racing reuse (audited there)
            user = s.get(UserRow, row.user_id)
            session_id, session_ip = row.id, row.ip
        name = "unknown" if user is None else user.username
        log.warning(
            "refresh token reused: session %s of user %r revoked", session_id, name,
            extra={"session_id": session_id, "client_ip": ip},
        )  # fmt: skip
        self.audit.record(
            name, "session.refresh_reuse", target=f"session:{session_id}",
            agency_id=None if user is None else user.agency_id, ip=ip, outcome="denied",
            detail={"why": "a rotated refresh token was used again; session revoked",
                    "session_ip": session_ip},
        )  # fmt: skip

    def revoke(self, session_id: str) -> None:
        with self._s.begin() as s:
            s.execute(
                update(SessionRow)
                .where(SessionRow.id == session_id, SessionRow.revoked_at.is_(None))
                .values(revoked_at=_now())
            )

    def revoke_user(self, s: Session, user_id: str) -> None:
        s.execute(
            update(SessionRow)
            .where(SessionRow.user_id == user_id, SessionRow.revoked_at.is_(None))
            .values(revoked_at=_now())
        )

    # ------------------------------------------------------------ lookup
    def principal(self, access_token: str, ip: str | None = None) -> Principal | None:
        now = _now()
        with self._s() as s:
            row = s.scalar(
                select(SessionRow).where(SessionRow.access_hash == tokens.digest(access_token))
            )
            if row is None or row.revoked_at is not None or row.access_expires_at <= now:
                return None
            user = s.get(UserRow, row.user_id)
            if user is None or not user.active:
                return None
            agency = s.get(AgencyRow, user.agency_id)
            if agency is None:
                return None
            return principal_for(user, agency, session_id=row.id, stage=row.stage, ip=ip)
