"""HMAC-SHA256 signatures of outbound webhooks, and the verifier a receiver runs.

The signed string is ``"<unix seconds>.<body>"`` so a captured request cannot be
replayed later with a new timestamp; the delivery id (stable across retries) lets a
receiver drop a duplicate inside the window. Headers::

    X-Kuzet-Timestamp: 1796543210
    X-Kuzet-Delivery:  3f1c...            (same id on every retry of one delivery)
    X-Kuzet-Signature: sha256=<hex>
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping

TIMESTAMP = "X-Kuzet-Timestamp"
DELIVERY = "X-Kuzet-Delivery"
SIGNATURE = "X-Kuzet-Signature"
KIND = "X-Kuzet-Kind"
PREFIX = "sha256="


class SignatureError(ValueError):
    """Why a request was refused: ``reason`` is missing, malformed, stale, bad or replay."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def signature(secret: bytes, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256)
    return PREFIX + mac.hexdigest()


def sign_headers(
    secret: bytes, body: bytes, delivery_id: str, now: float | None = None
) -> dict[str, str]:
    ts = int(time.time() if now is None else now)
    return {TIMESTAMP: str(ts), DELIVERY: delivery_id, SIGNATURE: signature(secret, ts, body)}


class ReplayGuard:
    """Delivery ids seen inside the window (bounded, oldest forgotten first)."""

    def __init__(self, window_s: float = 300.0, max_ids: int = 100_000) -> None:
        self.window_s = window_s
        self._max = max_ids
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def check_and_add(self, delivery_id: str, now: float) -> bool:
        """True when new (and now remembered), False when seen inside the window."""
        with self._lock:
            while self._seen:
                _, at = next(iter(self._seen.items()))
                if now - at <= self.window_s and len(self._seen) < self._max:
                    break
                self._seen.popitem(last=False)
            if delivery_id in self._seen:
                return False
            self._seen[delivery_id] = now
            return True


def verify(
    secret: bytes,
    headers: Mapping[str, str],
    body: bytes,
    *,
    guard: ReplayGuard | None = None,
    window_s: float = 300.0,
    now: float | None = None,
) -> str:
    """Check a signed request; returns its delivery id or raises :class:`SignatureError`.

    Order matters: the signature is checked before the replay guard remembers the id,
    so a forged request cannot burn a real delivery's id.
    """
    lower = {k.lower(): v for k, v in headers.items()}
    ts_raw, sig, delivery = (lower.get(h.lower()) for h in (TIMESTAMP, SIGNATURE, DELIVERY))
    if not ts_raw or not sig or not delivery:
        raise SignatureError("missing", f"needs {TIMESTAMP}, {SIGNATURE} and {DELIVERY}")
    try:
        ts = int(ts_raw)
    except ValueError:
        raise SignatureError("malformed", f"{TIMESTAMP} is not unix seconds") from None
    t = time.time() if now is None else now
    if abs(t - ts) > window_s:
        raise SignatureError("stale", f"timestamp {ts} is outside the {window_s:.0f} s window")
    if not hmac.compare_digest(sig, signature(secret, ts, body)):
        raise SignatureError("bad_signature", "signature does not match the body")
    if guard is not None and not guard.check_and_add(delivery, t):
        raise SignatureError("replay", f"delivery {delivery} was already received")
    return delivery
