"""Outbound webhooks: signed POSTs, retried with capped exponential backoff, and the
dead-letter list when a target keeps failing.

One worker thread owns a time-ordered queue; a slow or dead target delays only its own
retries (each request is bounded by the target's ``timeout_s``). A 2xx answer is
delivered; anything else (connection refused, timeout, 4xx, 5xx) is tried again until
``max_attempts``, then written to the dead-letter list with the exact body.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from kuzet.config.integrations import WebhookTarget
from kuzet.integrations.deadletters import DeadLetter, DeadLetters, Failed
from kuzet.integrations.signing import KIND, sign_headers

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Delivery:
    """One body for one target; the id stays the same on every retry."""

    id: str
    target: str
    kind: str  # event, incident, cap
    ref: str
    body: bytes
    content_type: str = "application/json"
    attempts: int = 0
    first_attempt_at: datetime | None = None
    last_error: str = ""


@dataclass(order=True, slots=True)
class _Due:
    at: float
    seq: int
    delivery: Delivery = field(compare=False)


def backoff(target: WebhookTarget, attempts: int) -> float:
    """Seconds before try ``attempts + 1``: backoff_s, 2x, 4x ... capped at max_backoff_s."""
    return float(min(target.backoff_s * 2 ** max(attempts - 1, 0), target.max_backoff_s))


def post(client: httpx.Client, target: WebhookTarget, d: Delivery) -> str | None:
    """One signed attempt; None when delivered, else why it failed."""
    headers = sign_headers(target.secret.get_secret_value().encode(), d.body, d.id)
    headers |= {"Content-Type": d.content_type, KIND: d.kind}
    try:
        r = client.post(target.url, content=d.body, headers=headers, timeout=target.timeout_s)
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"
    if 200 <= r.status_code < 300:
        return None
    return f"HTTP {r.status_code}: {r.text[:200]}"


class Dispatcher:
    """Queue, worker thread, retries and dead letters for all webhook targets."""

    def __init__(
        self,
        targets: list[WebhookTarget],
        dead: DeadLetters,
        *,
        client: httpx.Client | None = None,
        on_result: Callable[[str, str], None] | None = None,
    ) -> None:
        self.targets = {t.name: t for t in targets}
        self.dead = dead
        self._client = client or httpx.Client()
        self._on_result = on_result  # (target, "delivered" | "retry" | "dead") for metrics
        self._heap: list[_Due] = []
        self._seq = itertools.count()
        self._cv = threading.Condition()
        self._stop = False
        self._busy = 0
        self._thread: threading.Thread | None = None

    # -------------------------------------------------------------- lifecycle
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="kuzet-webhooks", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        with self._cv:
            self._stop = True
            self._cv.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
        self._client.close()
        # nothing lost: what still waits for a (re)try goes to the dead-letter list
        with self._cv:
            left, self._heap = [due.delivery for due in self._heap], []
        for d in left:
            self.dead.add(
                Failed(d.id, d.target, d.kind, d.ref, d.content_type, d.body, d.attempts,
                       d.last_error or "Kuzet stopped before delivery",
                       d.first_attempt_at or datetime.now(UTC))
            )  # fmt: skip
        if left:
            log.warning("webhooks: %d undelivered kept as dead letters at stop", len(left))

    # -------------------------------------------------------------- input
    def submit(self, d: Delivery) -> None:
        if d.target not in self.targets:
            raise KeyError(f"no webhook target named {d.target!r}")
        self._push(d, time.monotonic())

    def pending(self) -> int:
        with self._cv:
            return len(self._heap) + self._busy

    def drain(self, timeout: float) -> bool:
        """Wait until nothing is queued or in flight (tests, shutdown); False on timeout."""
        deadline = time.monotonic() + timeout
        while self.pending():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def _push(self, d: Delivery, at: float) -> None:
        with self._cv:
            heapq.heappush(self._heap, _Due(at, next(self._seq), d))
            self._cv.notify()

    # -------------------------------------------------------------- worker
    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._stop and (not self._heap or self._heap[0].at > time.monotonic()):
                    wait = None if not self._heap else max(self._heap[0].at - time.monotonic(), 0)
                    self._cv.wait(timeout=wait)  # woken early by submit() and stop()
                if self._stop:
                    return
                d = heapq.heappop(self._heap).delivery
                self._busy += 1
            try:
                self._attempt(d)
            except Exception:  # never let one bad delivery kill the worker
                log.exception("webhook delivery %s failed unexpectedly", d.id)
            finally:
                with self._cv:
                    self._busy -= 1

    def _attempt(self, d: Delivery) -> None:
        target = self.targets[d.target]
        if d.first_attempt_at is None:
            d.first_attempt_at = datetime.now(UTC)
        d.attempts += 1
        error = post(self._client, target, d)
        if error is None:
            log.info(
                "webhook delivered",
                extra={"target": d.target, "delivery": d.id, "attempts": d.attempts},
            )
            self._result(d.target, "delivered")
            return
        d.last_error = error
        if d.attempts >= target.max_attempts:
            log.warning(
                "webhook dead-lettered",
                extra={
                    "target": d.target,
                    "delivery": d.id,
                    "attempts": d.attempts,
                    "error": error,
                },
            )
            self.dead.add(
                Failed(
                    d.id,
                    d.target,
                    d.kind,
                    d.ref,
                    d.content_type,
                    d.body,
                    d.attempts,
                    error,
                    d.first_attempt_at,
                )
            )
            self._result(d.target, "dead")
            return
        wait = backoff(target, d.attempts)
        log.info(
            "webhook retry",
            extra={
                "target": d.target,
                "delivery": d.id,
                "attempts": d.attempts,
                "wait_s": wait,
                "error": error,
            },
        )
        self._result(d.target, "retry")
        self._push(d, time.monotonic() + wait)

    def _result(self, target: str, outcome: str) -> None:
        if self._on_result is not None:
            self._on_result(target, outcome)

    # -------------------------------------------------------------- dead letters
    def retry_dead(self, dead_id: str) -> DeadLetter | None:
        """Try a dead letter once more, now (signed afresh, same delivery id).

        Returns the row as it is afterwards (state ``delivered`` or still ``dead`` with
        the new error), None when no such dead letter exists.
        """
        row = self.dead.get(dead_id)
        if row is None:
            return None
        target = self.targets.get(row.target)
        if target is None:
            self.dead.mark(
                dead_id, delivered=False, error=f"target {row.target!r} is no longer configured"
            )
            return self.dead.get(dead_id)
        d = Delivery(row.id, row.target, row.kind, row.ref, row.body.encode(), row.content_type)
        error = post(self._client, target, d)
        self.dead.mark(dead_id, delivered=error is None, error=error or "")
        self._result(row.target, "delivered" if error is None else "dead")
        return self.dead.get(dead_id)
