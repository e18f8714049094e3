"""In-process bus: the embedded default.

Each durable group keeps its events until they are acked and redelivers the ones not
acked within ``ack_wait``. Nothing survives a crash of the process: durability across
crashes comes from deterministic event ids plus the store's idempotent insert (replaying
the source re-creates the same ids), or from the NATS JetStream bus.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from kuzet.core import Event
from kuzet.events.base import Announced, BusClosed, Delivery
from kuzet.events.live import LiveSubscription

log = logging.getLogger(__name__)

_BLOCKED_LOG_EVERY_S = 10.0


@dataclass(slots=True)
class _Inflight:
    event: Event
    deadline: float
    owner: int
    attempts: int


class _DurableGroup:
    """Work queue shared by the group's consumers; bounded by ready + in-flight events."""

    def __init__(self, name: str, max_pending: int, ack_wait: float) -> None:
        self.name = name
        self.max_pending = max_pending
        self.ack_wait = ack_wait
        self.cond = threading.Condition()
        self.ready: deque[tuple[int, Event, int]] = deque()  # (seq, event, attempts)
        self.inflight: dict[int, _Inflight] = {}
        self.seq = itertools.count()
        self.closed = False
        self.redeliveries = 0
        self.published = 0
        self.acked = 0

    def pending(self) -> int:
        return len(self.ready) + len(self.inflight)

    def put(self, event: Event) -> None:
        with self.cond:
            blocked_since = None
            while self.pending() >= self.max_pending and not self.closed:
                now = time.monotonic()
                if blocked_since is None:
                    blocked_since = now
                elif now - blocked_since > _BLOCKED_LOG_EVERY_S:
                    log.warning(
                        "publish blocked: group %r is full (%d)", self.name, self.max_pending
                    )
                    blocked_since = now
                self._requeue_expired(now)
                self.cond.wait(self._next_deadline(now, _BLOCKED_LOG_EVERY_S))
            if self.closed:
                raise BusClosed("bus closed")
            self.ready.append((next(self.seq), event, 0))
            self.published += 1
            self.cond.notify_all()

    def _next_deadline(self, now: float, cap: float) -> float:
        if not self.inflight:
            return cap
        soonest = min(i.deadline for i in self.inflight.values())
        return max(0.0, min(cap, soonest - now))

    def _requeue_expired(self, now: float) -> None:
        expired = [s for s, i in self.inflight.items() if i.deadline <= now]
        for seq in sorted(expired, reverse=True):
            item = self.inflight.pop(seq)
            self.ready.appendleft((seq, item.event, item.attempts))
            self.redeliveries += 1
        if expired:
            log.info("redelivering %d unacked events of group %r", len(expired), self.name)

    def take(self, owner: int, max_n: int, timeout: float) -> list[tuple[int, Event, int]]:
        """Wait until ``max_n`` are ready or ``timeout`` passed, then take what is there."""
        end = time.monotonic() + timeout
        with self.cond:
            while True:
                now = time.monotonic()
                if self.inflight and now >= min(i.deadline for i in self.inflight.values()):
                    self._requeue_expired(now)
                if self.closed or len(self.ready) >= max_n or now >= end:
                    break
                self.cond.wait(self._next_deadline(now, end - now))
            out: list[tuple[int, Event, int]] = []
            deadline = time.monotonic() + self.ack_wait
            while self.ready and len(out) < max_n:
                seq, event, attempts = self.ready.popleft()
                self.inflight[seq] = _Inflight(event, deadline, owner, attempts + 1)
                out.append((seq, event, attempts))
            return out

    def ack(self, seqs: Sequence[int]) -> None:
        with self.cond:
            for seq in seqs:
                if self.inflight.pop(seq, None) is not None:
                    self.acked += 1
            self.cond.notify_all()

    def release(self, owner: int) -> None:
        """A consumer went away: its un-acked events are ready again at once."""
        with self.cond:
            mine = [s for s, i in self.inflight.items() if i.owner == owner]
            for seq in sorted(mine, reverse=True):
                item = self.inflight.pop(seq)
                self.ready.appendleft((seq, item.event, item.attempts))
            self.redeliveries += len(mine)
            self.cond.notify_all()

    def close(self) -> None:
        with self.cond:
            self.closed = True
            self.cond.notify_all()


class _DurableSubscription:
    _owners = itertools.count(1)

    def __init__(self, group: _DurableGroup) -> None:
        self.group = group
        self.owner = next(self._owners)
        self.closed = False

    def fetch(self, max_n: int, timeout: float) -> list[Delivery]:
        if self.closed:
            raise BusClosed("subscription closed")
        group = self.group
        return [
            Delivery(event, _ack=partial(group.ack, (seq,)), redelivered=attempts > 0, token=seq)
            for seq, event, attempts in group.take(self.owner, max_n, timeout)
        ]

    def ack(self, deliveries: Sequence[Delivery]) -> None:
        seqs = [d.token for d in deliveries if d._ack is not None]
        for d in deliveries:
            d._ack = None
        self.group.ack(seqs)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.group.release(self.owner)


class MemoryBus:
    """Thread-safe in-process bus (see module docstring for its durability limits)."""

    def __init__(
        self,
        max_pending: int = 100_000,
        *,
        ack_wait: float = 30.0,
        durable_groups: Sequence[str] = (),
    ) -> None:
        self.max_pending = max_pending
        self.ack_wait = ack_wait
        self._lock = threading.Lock()
        self._durable: dict[str, _DurableGroup] = {}
        self._live: list[LiveSubscription] = []
        self._listeners: list[tuple[str, frozenset[str] | None, Announced]] = []
        self._closed = False
        for name in durable_groups:  # declared up front: they buffer before a consumer comes
            self._group(name)

    def _group(self, name: str) -> _DurableGroup:
        with self._lock:
            if self._closed:
                raise BusClosed("bus closed")
            group = self._durable.get(name)
            if group is None:
                group = self._durable[name] = _DurableGroup(name, self.max_pending, self.ack_wait)
            return group

    def publish(self, event: Event) -> None:
        if self._closed:
            raise BusClosed("bus closed")
        groups, live = list(self._durable.values()), list(self._live)
        for group in groups:
            group.put(event)
        for sub in live:
            sub.offer(event)

    def subscribe(
        self, group: str, *, durable: bool = True
    ) -> _DurableSubscription | LiveSubscription:
        if durable:
            return _DurableSubscription(self._group(group))
        sub = LiveSubscription(group, self.max_pending, self._drop_live)
        with self._lock:
            if self._closed:
                raise BusClosed("bus closed")
            self._live.append(sub)
        return sub

    def announce(self, topic: str, key: str, data: bytes) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for t, keys, handler in listeners:
            if t == topic and (keys is None or key in keys):
                handler(key, data)

    def listen(
        self, topic: str, handler: Announced, keys: Sequence[str] | None = None
    ) -> Callable[[], None]:
        entry = (topic, None if keys is None else frozenset(keys), handler)
        with self._lock:
            self._listeners.append(entry)

        def stop() -> None:
            with self._lock:
                if entry in self._listeners:
                    self._listeners.remove(entry)

        return stop

    def _drop_live(self, sub: LiveSubscription) -> None:
        with self._lock:
            if sub in self._live:
                self._live.remove(sub)

    def stats(self) -> dict[str, dict[str, int]]:
        """Per group: published, acked, pending, redeliveries (durable) or dropped (live)."""
        out: dict[str, dict[str, int]] = {}
        for g in list(self._durable.values()):
            out[g.name] = {
                "published": g.published,
                "acked": g.acked,
                "pending": g.pending(),
                "redeliveries": g.redeliveries,
            }
        for i, s in enumerate(list(self._live)):
            out[f"{s.name}#live{i}"] = {"pending": s.pending(), "dropped": s.dropped}
        return out

    def close(self) -> None:
        with self._lock:
            self._closed = True
            groups, live = list(self._durable.values()), list(self._live)
            self._listeners.clear()
        for g in groups:
            g.close()
        for s in live:
            s.mark_closed()
