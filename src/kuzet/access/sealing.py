"""TOTP secrets sealed at rest: AES-256-GCM through the face-data :class:`KeyRing`.

Stored form: ``kzs1:<key id>:<base64 nonce||ciphertext||tag>``. The associated data is
the key id and ``users.totp_secret|<user id>``, so a sealed secret copied into another
user's row does not open. Rows written before sealing hold the plain base32 secret
(``A-Z2-7``, never the prefix): they still open, and are re-sealed on their next use and
at service start, as are secrets sealed with a key that is no longer first in the ring
(rotation).

Keys: ``KUZET_ACCESS_KEYS`` (``id:base64key,...``; the first seals, every one opens) or
the file named by ``KUZET_ACCESS_KEY_FILE`` (one ``id:base64key`` a line). With neither,
the embedded one-command mode makes a key file once under ``<data_dir>/keys/access.key``
(0600) and warns at every start; an access service built without a data dir (tests)
keeps one key in memory for the whole process.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kuzet.access.keyfiles import ACCESS_KEY_FILE, make_key_file
from kuzet.config.access import AccessConfig
from kuzet.crypto import KeyRing, KeyRingError

log = logging.getLogger(__name__)

PREFIX = "kzs1:"
KEY_FILE = ACCESS_KEY_FILE  # under the site's data dir, embedded mode only
_BASE32 = re.compile(r"^[A-Z2-7]+=*$")
_lock = threading.Lock()
_process_ring: KeyRing | None = None


def _context(user_id: str) -> str:
    return f"users.totp_secret|{user_id}"


def _parse(text: str, source: str) -> KeyRing:
    lines = [ln.strip() for ln in text.replace(",", "\n").splitlines()]
    if not any(ln and not ln.startswith("#") for ln in lines):
        raise KeyRingError(f"{source}: no key (expected 'id:base64key', comma or line separated)")
    try:
        return KeyRing.parse(text)
    except (ValueError, KeyRingError) as exc:  # bad base64 is a ValueError
        raise KeyRingError(f"{source}: {exc}") from None


def load_keys(cfg: AccessConfig, data_dir: Path | None, *, generate: bool = True) -> KeyRing:
    """The access key ring: ``$keys_env``, else the file ``$key_file_env`` names, else the
    embedded mode's generated file under ``data_dir``, else a per-process key (tests).
    ``generate=False`` takes the environment only (the migrations)."""
    if text := os.environ.get(cfg.keys_env):
        return _parse(text, cfg.keys_env)
    if path := os.environ.get(cfg.key_file_env):
        try:
            text = Path(path).read_text()
        except OSError as exc:
            raise KeyRingError(f"{cfg.key_file_env}={path}: {exc}") from None
        return _parse(text, f"{cfg.key_file_env}={path}")
    if not generate:
        raise KeyRingError(f"no access key: neither {cfg.keys_env} nor {cfg.key_file_env} is set")
    if data_dir is not None:
        return _embedded_key_file((data_dir / KEY_FILE).absolute(), cfg)
    return _process_key(cfg)


def _embedded_key_file(path: Path, cfg: AccessConfig) -> KeyRing:
    made = make_key_file(
        path,
        # no commas: the key ring reads them as separators, comments included
        f"# Kuzet access key: seals TOTP secrets. Made {datetime.now(UTC):%Y-%m-%d}\n"
        f"# by the embedded mode; production sets {cfg.keys_env} instead.\n"
        f"{KeyRing.generate('a1')}\n",
    )
    if path.stat().st_mode & 0o077:
        log.warning("access key file %s is readable by other users: chmod 600 it", path)
    log.warning(
        "TOTP secrets are sealed with the key in %s (%s by the embedded mode, since neither "
        "%s nor %s is set); in production set %s (or %s) to a key kept outside the data "
        "directory and its backups",
        path, "made now" if made else "made earlier", cfg.keys_env, cfg.key_file_env,
        cfg.keys_env, cfg.key_file_env,
    )  # fmt: skip
    return _parse(path.read_text(), str(path))


def _process_key(cfg: AccessConfig) -> KeyRing:
    global _process_ring
    with _lock:
        if _process_ring is None:
            _process_ring = KeyRing.parse(KeyRing.generate("mem"))
            log.warning(
                "neither %s nor %s is set and the access service has no data dir: TOTP "
                "secrets are sealed with a key held in memory by this process only "
                "(tests); they will not open after a restart",
                cfg.keys_env, cfg.key_file_env,
            )  # fmt: skip
        return _process_ring


@dataclass(frozen=True, slots=True)
class Opened:
    secret: str  # base32, for pyotp; never logged
    stale: bool  # plain text, or sealed with a key that no longer seals: re-seal it


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


class TotpSecrets:
    """Seals and opens ``users.totp_secret``. The ring is resolved on first use (or by
    :attr:`ring`), so commands that never touch a TOTP secret need no key."""

    def __init__(self, keys: KeyRing | Callable[[], KeyRing]) -> None:
        self._ring = keys if isinstance(keys, KeyRing) else None
        self._load = None if isinstance(keys, KeyRing) else keys
        self._lock = threading.Lock()

    @property
    def ring(self) -> KeyRing:
        if self._ring is None:
            with self._lock:
                if self._ring is None:
                    assert self._load is not None
                    self._ring = self._load()
        return self._ring

    def seal(self, secret: str, user_id: str) -> str:
        sealed = self.ring.seal(secret.encode(), _context(user_id))
        return f"{PREFIX}{sealed.key_id}:{base64.b64encode(sealed.blob).decode()}"

    def open(self, stored: str, user_id: str) -> Opened:
        """The secret of ``user_id``; :class:`KeyRingError` when it does not open (key not in
        the ring, another user's row, tampered) or is neither sealed nor base32."""
        if not is_sealed(stored):
            if not _BASE32.match(stored):
                raise KeyRingError("stored TOTP secret is neither sealed nor base32")
            return Opened(stored, stale=True)
        key_id, sep, b64 = stored[len(PREFIX) :].partition(":")
        try:
            blob = base64.b64decode(b64, validate=True)
        except ValueError:
            blob = b""
        if not sep or not blob:
            raise KeyRingError("sealed TOTP secret is malformed")
        secret = self.ring.open(key_id, blob, _context(user_id)).decode()
        return Opened(secret, stale=key_id != self.ring.active)
