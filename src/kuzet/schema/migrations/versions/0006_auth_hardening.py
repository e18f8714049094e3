"""Authentication hardening: refresh-token reuse detection, TOTP secrets sealed at rest.

* ``auth_sessions.prev_refresh_hash``: the refresh token a session rotated away last;
  presented again, it revokes the session (``kuzet.access.sessions``).
* ``users.totp_secret`` widened to 256 characters for the sealed form
  ``kzs1:<key id>:<base64>`` (``kuzet.access.sealing``). SQLite does not enforce
  ``VARCHAR`` lengths, and rebuilding ``users`` there would cascade-delete its sessions,
  recovery codes and API keys (``foreign_keys=ON``), so only PostgreSQL is altered.

The upgrade does not seal existing secrets (the key is not the database's business):
plain ones keep working and the service seals them at start and on their next use.
The downgrade needs the key to turn sealed secrets back into the plain ones revision
0005 reads: it takes ``KUZET_ACCESS_KEYS`` or ``KUZET_ACCESS_KEY_FILE`` and refuses,
changing nothing, when sealed secrets exist and no key opens them.

Revision ID: 0006_auth_hardening
Revises: 0005_attr_index
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_auth_hardening"
down_revision: str | None = "0005_attr_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("auth_sessions", sa.Column("prev_refresh_hash", sa.String(64), nullable=True))
    op.create_index("ix_auth_sessions_prev_refresh_hash", "auth_sessions", ["prev_refresh_hash"])
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column(
            "users", "totp_secret", type_=sa.String(256), existing_type=sa.String(64),
            existing_nullable=True,
        )  # fmt: skip


def _unseal_totp_secrets() -> None:
    from kuzet.access.sealing import PREFIX, TotpSecrets, load_keys
    from kuzet.config.access import AccessConfig
    from kuzet.crypto import KeyRingError

    bind = op.get_bind()
    users = sa.table("users", sa.column("id", sa.String), sa.column("totp_secret", sa.String))
    rows = bind.execute(
        sa.select(users.c.id, users.c.totp_secret).where(users.c.totp_secret.like(f"{PREFIX}%"))
    ).all()
    if not rows:
        return
    cfg = AccessConfig()
    hint = (
        f"{len(rows)} TOTP secrets are sealed; to downgrade below 0006_auth_hardening set "
        f"{cfg.keys_env} or {cfg.key_file_env} (the embedded mode's key file is "
        "<data_dir>/keys/access.key) so they can be turned back into plain secrets"
    )
    try:
        box = TotpSecrets(load_keys(cfg, data_dir=None, generate=False))
        plain = [(uid, box.open(stored, uid).secret) for uid, stored in rows]
    except KeyRingError as exc:
        raise RuntimeError(f"{hint}: {exc}") from None
    for uid, secret in plain:
        bind.execute(users.update().where(users.c.id == uid).values(totp_secret=secret))


def downgrade() -> None:
    _unseal_totp_secrets()
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column(
            "users", "totp_secret", type_=sa.String(64), existing_type=sa.String(256),
            existing_nullable=True,
        )  # fmt: skip
    op.drop_index("ix_auth_sessions_prev_refresh_hash", table_name="auth_sessions")
    op.drop_column("auth_sessions", "prev_refresh_hash")
