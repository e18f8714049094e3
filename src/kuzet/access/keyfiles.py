"""Where the audit key and the access key come from, and the embedded mode's key files.

Production sets ``KUZET_AUDIT_KEY`` (the audit chain's HMAC key) and
``KUZET_ACCESS_KEYS`` / ``KUZET_ACCESS_KEY_FILE`` (seals TOTP secrets, camera passwords,
cursors), kept out of the database and its backups. ``kuzet serve`` refuses to start
without them unless the site opts into the embedded mode (``access.embedded_keys:
true``, which ``kuzet demo`` does): keys are then made once under
``<data_dir>/keys/`` (0600) and every start warns loudly that they sit beside the data.
A key file made earlier is always read, so ``kuzet audit verify`` on the demo's data
directory checks with the demo's key.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

from kuzet.config.access import AccessConfig

log = logging.getLogger(__name__)

AUDIT_KEY_FILE = Path("keys") / "audit.key"
ACCESS_KEY_FILE = Path("keys") / "access.key"


class KeyMissing(RuntimeError):
    """A key production must set is not set (the message says which and how)."""


def make_key_file(path: Path, body: str) -> bool:
    """Write ``body`` to ``path`` (0600, parents 0700) unless it exists; True if made
    now. Two processes racing: the first one's file wins, the other reads it."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(body)
    try:
        os.link(tmp, path)  # fails if another process made the file first: use theirs
        return True
    except FileExistsError:
        return False
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _key_line(path: Path) -> str:
    lines = [ln.strip() for ln in path.read_text().splitlines()]
    key = next((ln for ln in lines if ln and not ln.startswith("#")), "")
    if not key:
        raise KeyMissing(f"{path}: no key in the file")
    return key


def audit_key(cfg: AccessConfig, data_dir: Path | None) -> bytes:
    """``$KUZET_AUDIT_KEY``; else the embedded key file (made when the site opts in,
    read when it exists); else empty, with a warning (tests, tools)."""
    if env := os.environ.get(cfg.audit_key_env):
        return env.encode()
    path = None if data_dir is None else (data_dir / AUDIT_KEY_FILE).absolute()
    if path is not None and (cfg.embedded_keys or path.exists()):
        made = make_key_file(
            path,
            f"# Kuzet audit key: the HMAC of the audit chain. Made {datetime.now(UTC):%Y-%m-%d}"
            f"\n# by the embedded mode; production sets {cfg.audit_key_env} instead.\n"
            f"{secrets.token_urlsafe(32)}\n",
        )
        if path.stat().st_mode & 0o077:
            log.warning("audit key file %s is readable by other users: chmod 600 it", path)
        log.warning(
            "EMBEDDED AUDIT KEY: the audit chain is signed with the key in %s (%s), inside "
            "the data directory: whoever can read the data directory or its backups can "
            "rewrite the audit history. In production set %s to a key kept elsewhere.",
            path, "made now" if made else "made earlier", cfg.audit_key_env,
        )  # fmt: skip
        return _key_line(path).encode()
    log.warning(
        "%s is not set: the audit chain is plain SHA-256, which anyone with database "
        "access can rewrite and re-hash (kuzet serve refuses to run like this)",
        cfg.audit_key_env,
    )
    return b""


def require_keys(cfg: AccessConfig) -> None:
    """What ``kuzet serve`` checks before it starts anything."""
    if cfg.embedded_keys:
        return
    missing = []
    if not os.environ.get(cfg.audit_key_env):
        missing.append(f"{cfg.audit_key_env} (the audit chain's HMAC key: any long random "
                       "string, e.g. `openssl rand -base64 32`)")  # fmt: skip
    if not (os.environ.get(cfg.keys_env) or os.environ.get(cfg.key_file_env)):
        missing.append(f"{cfg.keys_env} or {cfg.key_file_env} (seals TOTP secrets and camera "
                       "passwords: `kuzet faces keygen --key-id a1` prints one)")  # fmt: skip
    if missing:
        raise KeyMissing(
            "refusing to start without keys kept outside the database: set "
            + "; and ".join(missing)
            + ". For a demo or a single test machine only, set `access: {embedded_keys: true}`"
            " in the site file to keep generated keys under <data_dir>/keys (a warning at"
            " every start)."
        )
