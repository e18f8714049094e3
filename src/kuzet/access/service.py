"""The access facade the API, the CLI and the service share: one object per database."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from kuzet.access.accounts import Accounts
from kuzet.access.audit import AuditLog
from kuzet.access.audit_anchor import head_file
from kuzet.access.camera_secrets import CameraSecrets
from kuzet.access.cursors import CursorSeal
from kuzet.access.errors import Conflict
from kuzet.access.grants import Grants
from kuzet.access.keyfiles import audit_key
from kuzet.access.keys import ApiKeys
from kuzet.access.model import Principal, Role, Scope
from kuzet.access.passwords import Passwords
from kuzet.access.sealing import PREFIX, TotpSecrets, load_keys
from kuzet.access.seed import AGENCIES, PLATFORM_AGENCY
from kuzet.access.sessions import Sessions
from kuzet.access.tables import AgencyRow, UserRow
from kuzet.config.access import AccessConfig
from kuzet.crypto import KeyRing, KeyRingError

log = logging.getLogger(__name__)


def private_files(data_dir: Path, engine: Engine) -> None:
    """The data directory 0700 and a SQLite database (with its journal files) 0600:
    they hold watchlists, case data and the audit log. SQLite gives the journals it
    makes later the database file's mode."""
    paths = [data_dir] if data_dir.is_dir() else []
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        db = Path(str(engine.url.database))
        paths += [p for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm"), Path(f"{db}-journal"))
                  if p.exists()]  # fmt: skip
    for path in paths:
        try:
            path.chmod(0o700 if path.is_dir() else 0o600)
        except OSError as exc:  # not ours (a shared mount): say so, do not stop
            log.warning("cannot make %s private: %s", path, exc)


class AccessService:
    """Accounts, sessions, API keys and the audit log over the store's engine.

    The schema comes from the migrations (``0002_access``): open the store with
    :func:`kuzet.schema.open_store` (or call :func:`kuzet.schema.upgrade`) first.

    ``keys`` seals TOTP secrets; without it the ring comes, on first use, from the
    environment (``cfg.keys_env`` / ``cfg.key_file_env``), else from a key file made
    once under ``data_dir`` (the embedded mode), else from a per-process key (tests);
    see :mod:`kuzet.access.sealing`.
    """

    def __init__(
        self,
        engine: Engine,
        cfg: AccessConfig | None = None,
        *,
        keys: KeyRing | None = None,
        data_dir: Path | None = None,
    ) -> None:
        self.cfg = cfg or AccessConfig()
        self.engine = engine
        maker = sessionmaker(engine, expire_on_commit=False)
        url = engine.url.render_as_string(hide_password=True)
        head = None if data_dir is None else head_file(data_dir, url)
        self.audit = AuditLog(engine, audit_key(self.cfg, data_dir), head_file=head)
        self.passwords = Passwords(self.cfg.passwords)
        self.totp_secrets = TotpSecrets(
            keys if keys is not None else lambda: load_keys(self.cfg, data_dir)
        )
        self.sessions = Sessions(maker, self.cfg, self.passwords, self.audit, self.totp_secrets)
        self.grants = Grants(maker, self.audit)
        self.accounts = Accounts(
            maker, self.cfg, self.passwords, self.audit, self.sessions, self.totp_secrets,
            self.grants,
        )  # fmt: skip
        self.keys = ApiKeys(maker, self.audit, self.grants)
        self.cursors = CursorSeal(lambda: self.totp_secrets.ring)  # the access key ring
        self.cameras = CameraSecrets(lambda: self.totp_secrets.ring)
        if data_dir is not None:
            private_files(data_dir, engine)
        self._maker = maker

    def authenticate(self, token: str, ip: str | None = None) -> Principal | None:
        """A bearer access token or an API key -> who it is; ``None`` when invalid."""
        if not token or len(token) > 512:
            return None
        if token.startswith("kzk_"):
            return self.keys.principal(token, ip)
        return self.sessions.principal(token, ip)

    def reseal_totp_secrets(self) -> int:
        """Seal plain-text TOTP secrets (rows from before sealing) and re-seal those under
        a key that is no longer first; returns how many. The service runs this at start,
        which also loads the key ring, so a bad key setting fails there and then."""
        ring = self.totp_secrets.ring
        current = f"{PREFIX}{ring.active}:"
        with self._maker() as s:
            rows = s.execute(
                select(UserRow.id, UserRow.totp_secret).where(
                    UserRow.totp_secret.is_not(None),
                    ~UserRow.totp_secret.startswith(current, autoescape=True),
                )
            ).all()
        done, unreadable = 0, 0
        for user_id, stored in rows:
            if stored is None:
                continue
            try:
                opened = self.totp_secrets.open(stored, user_id)
            except KeyRingError:
                unreadable += 1
                continue
            with self._maker.begin() as s:  # compare-and-set: a login may re-seal it first
                res = s.execute(
                    update(UserRow)
                    .where(UserRow.id == user_id, UserRow.totp_secret == stored)
                    .values(totp_secret=self.totp_secrets.seal(opened.secret, user_id))
                )
                done += int(getattr(res, "rowcount", 0) or 0)
        if unreadable:
            log.error(
                "%d TOTP secrets do not open with the access key ring (a key removed too "
                "early?); those users cannot log in until an administrator resets them",
                unreadable,
            )
        if done:
            log.info("TOTP secrets sealed with access key %s: %d", ring.active, done)
            self.audit.record("system", "access.totp_resealed", detail={"count": done,
                              "key_id": ring.active, "unreadable": unreadable})  # fmt: skip
        return done

    def seed_agencies(self) -> int:
        """Create the demo city's agencies that are missing; returns how many were added."""
        with self._maker() as s:
            have = set(s.scalars(select(AgencyRow.id)))
        added = 0
        for agency_id, name, scope in AGENCIES:
            if agency_id not in have:
                try:
                    self.accounts.upsert_agency(
                        agency_id, name, scope, platform=agency_id == PLATFORM_AGENCY
                    )
                except IntegrityError:  # another process starting beside this one made it
                    continue
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
