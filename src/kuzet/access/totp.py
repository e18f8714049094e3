"""TOTP second factor: enrolment (otpauth URI + QR), verification without replay, recovery codes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import unicodedata
from enum import StrEnum

import pyotp
import segno

STEP_S = 30
_WINDOW = 1  # one step either side: 30 s of clock skew


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str, issuer: str) -> str:
    return pyotp.TOTP(secret, interval=STEP_S).provisioning_uri(name=username, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The otpauth URI as an SVG QR code, for authenticator apps to scan."""
    return str(segno.make(uri, error="m").svg_inline(scale=4))


class Check(StrEnum):
    OK = "ok"
    INVALID = "invalid"  # not a code of the time window
    REUSED = "reused"  # a code of a step already used: wait for the next one


def normalise(code: str) -> str | None:
    """Six ASCII digits, or ``None``. Full-width and other Unicode digits (a phone
    keyboard in another script) are read as the digits they are (NFKC)."""
    code = unicodedata.normalize("NFKC", code).strip().replace(" ", "")
    return code if code.isascii() and code.isdigit() and len(code) == 6 else None


def check(
    secret: str, code: str, last_step: int, now: float | None = None
) -> tuple[Check, int | None]:
    """Whether ``code`` is valid now, and the time step it belongs to.

    Steps at or before ``last_step`` (the last code accepted) are refused as
    :attr:`Check.REUSED`, so a code seen on the wire or over a shoulder cannot be used a
    second time.
    """
    digits = normalise(code)
    if digits is None:
        return Check.INVALID, None
    totp = pyotp.TOTP(secret, interval=STEP_S)
    t = time.time() if now is None else now
    current = int(t // STEP_S)
    reused = False
    for step in range(current - _WINDOW, current + _WINDOW + 1):
        if hmac.compare_digest(totp.at(step * STEP_S), digits):
            if step > last_step:
                return Check.OK, step
            reused = True
    return (Check.REUSED if reused else Check.INVALID), None


def matching_step(secret: str, code: str, last_step: int, now: float | None = None) -> int | None:
    """The time step ``code`` belongs to, or ``None`` (wrong, or already used)."""
    return check(secret, code, last_step, now)[1]


def recovery_codes(n: int = 10) -> list[str]:
    return [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(n)]


def code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().encode()).hexdigest()
