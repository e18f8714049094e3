"""argon2id password hashing, bounded in concurrency, and the strength policy.

The hasher is built from config, so production pays RFC 9106 costs while tests use
a cheap profile; ``needs_rehash`` upgrades old hashes at the next successful login.
Each hash takes ``memory_kib`` of memory, so at most ``max_concurrent_hashes`` run at
once; a request that finds no free slot within ``busy_wait_s`` gets :class:`Busy`
(503) at once instead of queueing memory and time.

Character classes are Unicode-aware: Cyrillic (or any) letters count as lower or upper
case letters, digits of any script as digits, everything else as a symbol.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kuzet.access.errors import Busy
from kuzet.config.access import PasswordPolicy

# A few of the passwords every guesser tries first; length and classes catch the rest.
_COMMON = frozenset(
    {"password", "passw0rd", "qwerty", "123456", "admin", "letmein", "welcome", "kuzet", "almaty",
     "пароль", "йцукен"}
)  # fmt: skip
MAX_LENGTH = 1024
CLASSES = ("lower case letter", "upper case letter", "digit", "symbol")

# One-time passwords: no look-alikes (l I 1, O 0), so they can be read out and typed
_OTP_LOWER = "abcdefghijkmnpqrstuvwxyz"
_OTP_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_OTP_DIGITS = "23456789"


class WeakPassword(ValueError):
    """The password breaks the policy; the message says which rule."""


def char_classes(password: str) -> set[str]:
    """Which of :data:`CLASSES` the password uses (letters of any script count)."""
    found = set()
    for c in password:
        if c.isdigit():
            found.add("digit")
        elif c.isupper():
            found.add("upper case letter")
        elif c.isalpha():  # lower case, or a letter of a script without case
            found.add("lower case letter")
        else:
            found.add("symbol")
    return found


class Passwords:
    def __init__(self, policy: PasswordPolicy) -> None:
        self.policy = policy
        a = policy.argon2
        self._hasher = PasswordHasher(
            time_cost=a.time_cost, memory_cost=a.memory_kib, parallelism=a.parallelism,
            hash_len=32, salt_len=16, type=Type.ID,
        )  # fmt: skip
        slots = policy.max_concurrent_hashes or max(1, (os.cpu_count() or 2) // 2)
        self._slots = threading.BoundedSemaphore(slots)
        # Verified against for unknown users, so timing does not reveal which names exist.
        self._dummy = self._hasher.hash(secrets.token_hex(16))

    def rules(self) -> dict[str, Any]:
        """The policy as the login page shows it before anyone types."""
        p = self.policy
        return {
            "min_length": p.min_length,
            "max_length": MAX_LENGTH,
            "min_classes": p.min_classes,
            "classes": list(CLASSES),
            "letters": "letters of any alphabet count (Cyrillic, Kazakh, Latin ...)",
            "forbidden": ["the user name", "common passwords (password, qwerty, пароль ...)"],
        }

    def check_strength(self, password: str, username: str = "") -> None:
        p = self.policy
        if len(password) < p.min_length:
            raise WeakPassword(f"password must have at least {p.min_length} characters")
        if len(password) > MAX_LENGTH:
            raise WeakPassword(f"password must have at most {MAX_LENGTH} characters")
        if len(char_classes(password)) < p.min_classes:
            raise WeakPassword(
                f"password must mix at least {p.min_classes} of: lower case, upper case, "
                "digits, symbols"
            )
        lowered = password.lower()
        if username and username.lower() in lowered:
            raise WeakPassword("password must not contain the user name")
        if any(word in lowered for word in _COMMON):
            raise WeakPassword("password contains a common word")

    @contextmanager
    def _slot(self) -> Iterator[None]:
        if not self._slots.acquire(timeout=self.policy.busy_wait_s):
            raise Busy("the server is busy checking passwords; try again", retry_after=1)
        try:
            yield
        finally:
            self._slots.release()

    def hash(self, password: str) -> str:
        with self._slot():
            return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        with self._slot():
            try:
                return self._hasher.verify(stored or self._dummy, password) and stored is not None
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return False

    def needs_rehash(self, stored: str) -> bool:
        return self._hasher.check_needs_rehash(stored)


def one_time_password() -> str:
    """A random initial password, printed once and replaced at the first login.

    Four groups of five from an alphabet without look-alikes, joined by ``-``: 23
    characters, ~117 bits. Lower case, upper case and digits each fill one randomly
    chosen position, the hyphens are symbols: every class, by construction."""
    rng = secrets.SystemRandom()
    pool = _OTP_LOWER + _OTP_UPPER + _OTP_DIGITS
    body = [secrets.choice(pool) for _ in range(20)]
    for pos, alphabet in zip(rng.sample(range(20), 3), (_OTP_LOWER, _OTP_UPPER, _OTP_DIGITS),
                             strict=True):  # fmt: skip
        body[pos] = secrets.choice(alphabet)
    text = "".join(body)
    return "-".join(text[i : i + 5] for i in range(0, 20, 5))
