"""argon2id password hashing and the strength policy.

The hasher is built from config, so production pays RFC 9106 costs while tests use
a cheap profile; ``needs_rehash`` upgrades old hashes at the next successful login.
"""

from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kuzet.config.access import PasswordPolicy

# A few of the passwords every guesser tries first; length and classes catch the rest.
_COMMON = frozenset(
    {"password", "passw0rd", "qwerty", "123456", "admin", "letmein", "welcome", "kuzet", "almaty"}
)


class WeakPassword(ValueError):
    """The password breaks the policy; the message says which rule."""


class Passwords:
    def __init__(self, policy: PasswordPolicy) -> None:
        self.policy = policy
        a = policy.argon2
        self._hasher = PasswordHasher(
            time_cost=a.time_cost, memory_cost=a.memory_kib, parallelism=a.parallelism,
            hash_len=32, salt_len=16, type=Type.ID,
        )  # fmt: skip
        # Verified against for unknown users, so timing does not reveal which names exist.
        self._dummy = self._hasher.hash(secrets.token_hex(16))

    def check_strength(self, password: str, username: str = "") -> None:
        p = self.policy
        if len(password) < p.min_length:
            raise WeakPassword(f"password must have at least {p.min_length} characters")
        if len(password) > 1024:
            raise WeakPassword("password must have at most 1024 characters")
        classes = sum(
            any(c in group for c in password)
            for group in (string.ascii_lowercase, string.ascii_uppercase, string.digits)
        ) + any(not c.isalnum() for c in password)
        if classes < p.min_classes:
            raise WeakPassword(
                f"password must mix at least {p.min_classes} of: lower case, upper case, "
                "digits, symbols"
            )
        lowered = password.lower()
        if username and username.lower() in lowered:
            raise WeakPassword("password must not contain the user name")
        if any(word in lowered for word in _COMMON):
            raise WeakPassword("password contains a common word")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(stored or self._dummy, password) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self._hasher.check_needs_rehash(stored)


def one_time_password() -> str:
    """A random initial password that meets any policy (printed once, changed at login)."""
    alphabet = string.ascii_letters + string.digits
    body = "".join(secrets.choice(alphabet) for _ in range(20))
    return f"{body[:5]}-{body[5:10]}-{body[10:15]}-{body[15:]}7aA"
