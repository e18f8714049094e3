"""Reconnect delays: capped exponential backoff with jitter.

Jitter spreads the reconnects of many cameras behind one failed switch or NVR, so they
do not all hammer it in the same second when it comes back.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ReconnectPolicy:
    """How a network camera is retried.

    ``max_attempts`` counts consecutive failed attempts (``None``: retry forever; the
    count resets once a session delivers a frame). ``jitter`` is the +/- fraction of
    each delay drawn at random. ``stall_s``: no decoded frame for that long while the
    connection is open counts as a failure too.
    """

    initial: float = 0.5
    factor: float = 2.0
    max: float = 30.0
    max_attempts: int | None = None
    jitter: float = 0.2
    stall_s: float = 10.0

    def __post_init__(self) -> None:
        if self.initial < 0 or self.max < 0 or self.factor < 1:
            raise ValueError("need initial >= 0, max >= 0 and factor >= 1")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter must be within 0..1")
        if self.max_attempts is not None and self.max_attempts < 1:
            raise ValueError("max_attempts must be >= 1 or None")
        if self.stall_s <= 0:
            raise ValueError("stall_s must be > 0")


def backoff_delay(
    policy: ReconnectPolicy, attempt: int, rand: Callable[[], float] = random.random
) -> float:
    """Seconds to wait before reconnect ``attempt`` (1-based); never above ``policy.max``."""
    if attempt < 1:
        raise ValueError("attempt is 1-based")
    base = policy.initial
    for _ in range(attempt - 1):  # a loop, not ``**``: no overflow after thousands of tries
        base *= policy.factor
        if base >= policy.max:
            break
    base = min(base, policy.max)
    spread = policy.jitter * (2.0 * rand() - 1.0)
    return max(0.0, min(policy.max, base * (1.0 + spread)))


def backoff_delays(
    policy: ReconnectPolicy, rand: Callable[[], float] = random.random
) -> Iterator[float]:
    """All delays the policy allows, in order (endless when ``max_attempts`` is None)."""
    attempt = 1
    while policy.max_attempts is None or attempt <= policy.max_attempts:
        yield backoff_delay(policy, attempt, rand)
        attempt += 1
