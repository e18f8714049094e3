"""Fan-out of bus events to WebSocket clients.

One non-durable subscription per app (its group name is unique, so every API node
sees every event) is pumped by one background task into a bounded queue per
client. The pump never awaits a client: a full queue drops its oldest event and
counts it, so one slow client cannot hold back the others or the bus.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from kuzet.api.ports import BusPort, SubscriptionPort
from kuzet.core.event import Event
from kuzet.obs.metrics import Metrics

log = logging.getLogger(__name__)


def _split(values: Iterable[str]) -> frozenset[str] | None:
    """``?type=a&type=b,c`` -> {a, b, c}; nothing given -> ``None`` (no filter)."""
    out = frozenset(p.strip() for v in values for p in v.split(",") if p.strip())
    return out or None


@dataclass(frozen=True, slots=True)
class LiveFilter:
    """Which events a client wants; ``None`` fields match everything.

    ``view`` is the caller's access scope: it hides an event (``None``) or returns the
    version this client may see (e.g. without plate numbers).
    """

    camera_ids: frozenset[str] | None = None
    types: frozenset[str] | None = None
    view: Callable[[Event], Event | None] | None = field(default=None, compare=False)

    def scoped(self, view: Callable[[Event], Event | None]) -> LiveFilter:
        return replace(self, view=view)

    @classmethod
    def from_query(cls, params: Mapping[str, str] | object) -> LiveFilter:
        getlist = getattr(params, "getlist", None)
        if getlist is None:
            assert isinstance(params, Mapping)
            return cls(_split([params.get("camera_id", "")]), _split([params.get("type", "")]))
        return cls(_split(getlist("camera_id")), _split(getlist("type")))

    def matches(self, ev: Event) -> bool:
        return (self.camera_ids is None or ev.camera_id in self.camera_ids) and (
            self.types is None or ev.type in self.types
        )


class LiveClient:
    """One connected client: its filter and a bounded queue of JSON texts."""

    def __init__(self, flt: LiveFilter, queue_size: int) -> None:
        self.filter = flt
        self.dropped = 0
        self._queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize=queue_size)

    def offer(self, item: str | None) -> bool:
        """Enqueue without waiting; when full, drop the oldest. False if one was dropped."""
        try:
            self._queue.put_nowait(item)
            return True
        except asyncio.QueueFull:
            with contextlib.suppress(asyncio.QueueEmpty):
                self._queue.get_nowait()
            self.dropped += 1
            self._queue.put_nowait(item)
            return False

    async def next(self) -> str | None:
        """The next event's JSON, or ``None`` when the server is shutting down."""
        return await self._queue.get()

    def pending(self) -> int:
        return self._queue.qsize()


class LiveHub:
    """Owns the live subscription, its pump task and the set of connected clients."""

    def __init__(
        self,
        bus: BusPort,
        *,
        metrics: Metrics,
        queue_size: int = 256,
        batch: int = 64,
        fetch_timeout: float = 0.2,
        retry_s: float = 1.0,
        group: str | None = None,
    ) -> None:
        self.group = group or f"kuzet-api-live-{uuid.uuid4().hex[:12]}"
        self.queue_size = queue_size
        self.error: str | None = None
        self._bus = bus
        self._metrics = metrics
        # A batch is dispatched without yielding, so it must fit a client's queue with
        # room to spare, or even a fast client would drop during a burst.
        self._batch = max(1, min(batch, queue_size // 2))
        self._fetch_timeout = fetch_timeout
        self._retry_s = retry_s
        self._clients: set[LiveClient] = set()
        self._sub: SubscriptionPort | None = None
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    # ------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        """Subscribe now, so events published once the app is up are not missed; if the
        bus is down the pump keeps retrying and ``/healthz`` says so."""
        self._stop = asyncio.Event()  # bound to the running loop
        try:
            self._sub = await asyncio.to_thread(self._bus.subscribe, self.group, durable=False)
        except Exception as exc:
            self._failed("subscribe", exc)
        self._task = asyncio.create_task(self._pump(), name="kuzet-live-pump")

    async def stop(self) -> None:
        """Tell clients to go, stop the pump, close the subscription."""
        self._stop.set()
        for client in list(self._clients):
            client.offer(None)
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, self._fetch_timeout + 2.0)
            except TimeoutError:  # a fetch that ignores its timeout: abandon its thread
                log.warning("live pump did not stop in time; cancelled")
            except Exception:
                log.exception("live pump failed")
            self._task = None
        if self._sub is not None:
            sub, self._sub = self._sub, None
            try:
                await asyncio.to_thread(sub.close)
            except Exception:
                log.exception("closing the live subscription failed")

    @property
    def alive(self) -> bool:
        """Subscribed, pump running, last fetch succeeded."""
        return (
            self._task is not None
            and not self._task.done()
            and self._sub is not None
            and self.error is None
        )

    # ------------------------------------------------------------ clients
    def connect(self, flt: LiveFilter) -> LiveClient:
        client = LiveClient(flt, self.queue_size)
        self._clients.add(client)
        self._metrics.set_ws_clients(len(self._clients))
        return client

    def disconnect(self, client: LiveClient) -> None:
        self._clients.discard(client)
        self._metrics.set_ws_clients(len(self._clients))

    @property
    def clients(self) -> int:
        return len(self._clients)

    def dispatch(self, events: Sequence[Event]) -> None:
        """Offer each event to every matching client; serialise it at most once."""
        for ev in events:
            text: str | None = None
            for client in self._clients:
                flt = client.filter
                if not flt.matches(ev):
                    continue
                shown = ev if flt.view is None else flt.view(ev)
                if shown is None:
                    continue
                if shown is ev:
                    text = text if text is not None else ev.model_dump_json()
                    out = text
                else:
                    out = shown.model_dump_json()
                if not client.offer(out):
                    self._metrics.ws_dropped()

    # ------------------------------------------------------------ pump
    async def _pump(self) -> None:
        while not self._stop.is_set():
            if self._sub is None:
                try:
                    self._sub = await asyncio.to_thread(
                        self._bus.subscribe, self.group, durable=False
                    )
                    self.error = None
                except Exception as exc:
                    self._failed("subscribe", exc)
                    await self._pause()
                continue
            try:
                deliveries = await asyncio.to_thread(
                    self._sub.fetch, self._batch, self._fetch_timeout
                )
            except Exception as exc:
                self._failed("fetch", exc)
                await self._pause()
                continue
            if not deliveries and getattr(self._sub, "closed", False):
                # A closed bus may answer [] forever instead of raising: resubscribe,
                # which fails loudly while the bus stays closed.
                self._failed("fetch", ConnectionError("subscription closed"))
                self._sub = None
                await self._pause()
                continue
            self.error = None
            if not deliveries:
                continue
            self.dispatch([d.event for d in deliveries])
            try:
                await asyncio.to_thread(self._sub.ack, deliveries)
            except Exception as exc:  # non-durable: a lost ack costs nothing
                log.debug("live ack failed: %s", exc)

    def _failed(self, what: str, exc: Exception) -> None:
        if self.error is None:
            log.warning("live events %s failed: %s", what, exc)
        self.error = f"bus {what} failed: {exc}"

    async def _pause(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), self._retry_s)
