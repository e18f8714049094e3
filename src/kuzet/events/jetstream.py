"""NATS JetStream bus: durable across process crashes and shared by all nodes of a city.

Stream ``<stream>`` holds subjects ``<prefix>.<camera_id>``. Each event is published with
header ``Nats-Msg-Id`` = event id, so the server drops a re-publish within its duplicate
window. The store sink reads through a durable pull consumer with explicit acks; an
un-acked message is redelivered after ``ack_wait``. Live viewers use plain core-NATS
subscriptions (no server-side state, nothing to clean up), as do announcements (state
reports that the next one replaces, e.g. traffic lights: ``announce`` / ``listen``).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from functools import partial
from typing import Any

import anyio
import nats
import nats.errors
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from kuzet.core import Event
from kuzet.events.base import Announced, BusClosed, Delivery
from kuzet.events.codec import decode_event, encode_event
from kuzet.events.live import LiveSubscription
from kuzet.events.loop import LoopThread
from kuzet.events.stream_limits import StreamLimits, ensure_stream

log = logging.getLogger(__name__)

_RETRY_MAX_S = 5.0


class _PullSubscription:
    """A durable group: competing consumers, explicit ack, redelivery after ack_wait."""

    def __init__(self, bus: NatsBus, group: str, psub: Any) -> None:
        self._bus = bus
        self._group = group
        self._psub = psub
        self.closed = False

    def fetch(self, max_n: int, timeout: float) -> list[Delivery]:
        if self.closed:
            raise BusClosed("subscription closed")
        try:
            msgs: list[Msg] = self._bus._loop.run(
                self._psub.fetch(max_n, timeout=max(timeout, 0.01)), timeout=timeout + 10
            )
        except (nats.errors.TimeoutError, TimeoutError):
            return []
        out: list[Delivery] = []
        for msg in msgs:
            try:
                event = decode_event(msg.data)
            except ValueError:
                log.error("dropping undecodable message on %s", msg.subject, exc_info=True)
                self._bus._loop.submit(msg.term())
                continue
            redelivered = msg.metadata.num_delivered is not None and msg.metadata.num_delivered > 1
            ack = partial(self._ack_now, (msg,))
            out.append(Delivery(event, _ack=ack, redelivered=redelivered, token=msg))
        return out

    def _ack_now(self, msgs: Sequence[Msg]) -> None:
        self._bus._loop.run(_ack_all(msgs), timeout=30)

    def ack(self, deliveries: Sequence[Delivery]) -> None:
        msgs = [d.token for d in deliveries if d._ack is not None]
        for d in deliveries:
            d._ack = None
        if msgs:
            self._ack_now(msgs)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            self._bus._loop.run(self._psub.unsubscribe(), timeout=5)
        except Exception:
            log.debug("unsubscribe of %r failed", self._group, exc_info=True)


async def _ack_all(msgs: Sequence[Msg]) -> None:
    for m in msgs:
        await m.ack()
    if msgs:
        await msgs[0]._client.flush()


def _log_failed(what: str, done: Future[Any]) -> None:
    if not done.cancelled() and done.exception() is not None:
        log.warning("%s not sent: %s", what, done.exception())


class NatsBus:
    def __init__(
        self,
        servers: Sequence[str] = ("nats://127.0.0.1:4222",),
        *,
        stream: str = "KUZET",
        subject_prefix: str = "kuzet.events",
        max_pending: int = 10_000,
        ack_wait: float = 30.0,
        max_ack_pending: int = 20_000,
        limits: StreamLimits | None = None,
        connect_timeout: float = 5.0,
    ) -> None:
        self.stream = stream
        self.prefix = subject_prefix
        self.ack_wait = ack_wait
        self.max_ack_pending = max_ack_pending
        self._max_pending = max_pending
        self._loop = LoopThread("kuzet-nats")
        self._outbox: deque[tuple[str, bytes, str]] = deque()
        self._cond = threading.Condition()
        self._outstanding = 0  # queued or awaiting the server's PubAck
        self._draining = False
        self._closed = False
        self._live: list[LiveSubscription] = []
        self._live_subs: dict[int, Any] = {}
        self.published = 0
        self.publish_retries = 0
        try:
            self._nc, self._js = self._loop.run(
                self._connect(list(servers), connect_timeout, limits),
                timeout=connect_timeout + 10,
            )
        except BaseException:
            self._loop.stop()
            raise

    async def _connect(
        self, servers: list[str], timeout: float, limits: StreamLimits | None
    ) -> Any:
        nc = await nats.connect(
            servers, name="kuzet", connect_timeout=timeout, max_reconnect_attempts=-1
        )
        js = nc.jetstream()
        try:
            await ensure_stream(js, self.stream, [f"{self.prefix}.>"], limits)
        except BaseException:
            await nc.close()
            raise
        return nc, js

    # ------------------------------------------------------------ publish
    def publish(self, event: Event) -> None:
        """Queue for publishing; blocks while ``max_pending`` events await their PubAck."""
        item = (f"{self.prefix}.{event.camera_id}", encode_event(event), event.id)
        with self._cond:
            while self._outstanding >= self._max_pending and not self._closed:
                self._cond.wait(1.0)
            if self._closed:
                raise BusClosed("bus closed")
            self._outstanding += 1
            self._outbox.append(item)
            kick = not self._draining
            self._draining = True
        if kick:
            self._loop.call_soon(self._drain_outbox)

    async def _drain_outbox(self) -> None:
        """Loop side: start one publish task per queued event (one wake-up per burst);
        they run in this task's group, so closing the bus cancels them cleanly."""
        async with anyio.create_task_group() as tg:
            while True:
                with self._cond:
                    if not self._outbox:
                        self._draining = False
                        break
                    batch = list(self._outbox)
                    self._outbox.clear()
                for subject, data, msg_id in batch:
                    tg.start_soon(self._publish_one, subject, data, msg_id)

    async def _publish_one(self, subject: str, data: bytes, msg_id: str) -> None:
        delay = 0.05
        try:
            while True:
                try:
                    await self._js.publish(
                        subject, data, timeout=5.0, headers={"Nats-Msg-Id": msg_id}
                    )
                    self.published += 1
                    return
                except (TimeoutError, nats.errors.Error) as exc:
                    # Retrying with the same Nats-Msg-Id cannot duplicate: the server dedups.
                    self.publish_retries += 1
                    if self._closed and self._nc.is_closed:
                        log.error("event %s not published, bus closed: %s", msg_id, exc)
                        return
                    log.warning("publish of %s failed (%s); retrying in %.2fs", msg_id, exc, delay)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, _RETRY_MAX_S)
        except Exception:  # never take the other publishes of the batch down with it
            log.exception("event %s not published", msg_id)
        finally:
            with self._cond:
                self._outstanding -= 1
                self._cond.notify_all()

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every published event has its PubAck; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self._outstanding == 0, timeout)

    # ------------------------------------------------------------ subscribe
    def subscribe(
        self, group: str, *, durable: bool = True
    ) -> _PullSubscription | LiveSubscription:
        if self._closed:
            raise BusClosed("bus closed")
        if durable:
            return _PullSubscription(self, group, self._loop.run(self._pull(group), timeout=15))
        live = LiveSubscription(group, self._max_pending, self._drop_live)

        async def on_msg(msg: Msg) -> None:
            try:
                live.offer(decode_event(msg.data))
            except ValueError:
                log.error("undecodable live message on %s", msg.subject)

        sub = self._loop.run(self._nc.subscribe(f"{self.prefix}.>", cb=on_msg), timeout=15)
        with self._cond:
            self._live.append(live)
            self._live_subs[id(live)] = sub
        return live

    async def _pull(self, group: str) -> Any:
        config = ConsumerConfig(
            durable_name=group,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=self.ack_wait,
            max_ack_pending=self.max_ack_pending,
        )
        return await self._js.pull_subscribe(
            f"{self.prefix}.>", durable=group, stream=self.stream, config=config
        )

    # ------------------------------------------------------------ announcements
    def _announce_root(self, topic: str) -> str:
        """Core-NATS subjects outside the stream's ``<prefix>.>``, one tree per stream (so
        two sites on one server stay apart): ``kuzet-announce.<stream>.<topic>.<key>``."""
        return f"kuzet-announce.{self.stream}.{topic}"

    def announce(self, topic: str, key: str, data: bytes) -> None:
        if self._closed:
            raise BusClosed("bus closed")
        subject = f"{self._announce_root(topic)}.{key}"
        self._loop.submit(self._nc.publish(subject, data)).add_done_callback(
            partial(_log_failed, f"announcement on {subject}")
        )

    def listen(
        self, topic: str, handler: Announced, keys: Sequence[str] | None = None
    ) -> Callable[[], None]:
        if self._closed:
            raise BusClosed("bus closed")
        root = self._announce_root(topic)

        async def on_msg(msg: Msg) -> None:
            try:
                handler(msg.subject[len(root) + 1 :], msg.data)
            except Exception:  # one bad report must not end the subscription
                log.exception("announcement on %s not handled", msg.subject)

        async def subscribe() -> list[Any]:
            subjects = [f"{root}.>"] if keys is None else [f"{root}.{k}" for k in keys]
            subs = [await self._nc.subscribe(s, cb=on_msg) for s in subjects]
            await self._nc.flush()  # the server has them: what is announced next arrives
            return subs

        subs = self._loop.run(subscribe(), timeout=15)

        async def unsubscribe() -> None:
            for sub in subs:
                await sub.unsubscribe()
            await self._nc.flush(timeout=1)  # the server has it: nothing later arrives

        def stop() -> None:
            if not self._loop.closed:
                try:
                    self._loop.run(unsubscribe(), timeout=5)
                except Exception:  # the connection is down: nothing arrives either
                    log.debug("announcement unsubscribe failed", exc_info=True)

        return stop

    def _drop_live(self, live: LiveSubscription) -> None:
        with self._cond:
            sub = self._live_subs.pop(id(live), None)
            if live in self._live:
                self._live.remove(live)
        if sub is not None and not self._loop.closed:
            self._loop.submit(sub.unsubscribe())

    # ------------------------------------------------------------ lifecycle
    def close(self, timeout: float = 10.0) -> None:
        if self._closed:
            return
        if not self.flush(timeout):
            log.error("closing with %d events not acknowledged by NATS", self._outstanding)
        with self._cond:
            self._closed = True
            live = list(self._live)
            self._cond.notify_all()
        for sub in live:
            sub.mark_closed()
        try:
            self._loop.run(self._flush_and_close(), timeout=timeout)
        except Exception:
            log.warning("NATS close failed", exc_info=True)
        self._loop.stop()

    async def _flush_and_close(self) -> None:
        """Announcements just made are still in the client's buffer: send them first."""
        try:
            await self._nc.flush(timeout=2)
        except Exception:  # the server is gone: nothing more can be sent
            log.debug("NATS flush before close failed", exc_info=True)
        await self._nc.close()
