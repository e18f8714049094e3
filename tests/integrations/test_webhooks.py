"""Outbound webhooks: HMAC verified by a receiver in the test, replay and tampering
refused by Kuzet's verifier, retries with backoff, the dead-letter list, retry from it."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from kuzet.config.integrations import EventFilter, WebhookTarget
from kuzet.integrations.deadletters import DeadLetters
from kuzet.integrations.signing import (
    DELIVERY,
    SIGNATURE,
    TIMESTAMP,
    ReplayGuard,
    SignatureError,
    sign_headers,
    verify,
)
from kuzet.integrations.webhooks import Delivery, Dispatcher, backoff
from kuzet.schema import open_store
from kuzet.store import Store

from .receiver import Receiver

SECRET = "s3cret-for-the-112-desk"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'k.db'}")
    yield s
    s.close()


@pytest.fixture
def rx() -> Iterator[Receiver]:
    r = Receiver(SECRET.encode())
    yield r
    r.close()


def target(url: str, **kw: object) -> WebhookTarget:
    base = {"name": "dispatch", "url": url, "secret": SecretStr(SECRET),
            "events": EventFilter(), "backoff_s": 0.05, "max_backoff_s": 0.2}  # fmt: skip
    return WebhookTarget.model_validate(base | kw)


def test_verifier_accepts_a_signed_body_and_refuses_tampering_stale_and_replay() -> None:
    body, now = b'{"kind":"event"}', time.time()
    h = sign_headers(SECRET.encode(), body, "d-1", now=now)
    guard = ReplayGuard(300)
    assert verify(SECRET.encode(), h, body, guard=guard, now=now) == "d-1"
    with pytest.raises(SignatureError) as e:
        verify(SECRET.encode(), h, body, guard=guard, now=now + 1)
    assert e.value.reason == "replay"
    with pytest.raises(SignatureError) as e:
        verify(SECRET.encode(), h, body + b" ", guard=ReplayGuard(), now=now)
    assert e.value.reason == "bad_signature"
    with pytest.raises(SignatureError) as e:
        verify(b"another-secret-xxxxxx", h, body, now=now)
    assert e.value.reason == "bad_signature"
    with pytest.raises(SignatureError) as e:  # a captured request, six minutes later
        verify(SECRET.encode(), h, body, guard=ReplayGuard(), now=now + 360)
    assert e.value.reason == "stale"
    with pytest.raises(SignatureError) as e:
        verify(SECRET.encode(), {TIMESTAMP: h[TIMESTAMP], DELIVERY: "d-2"}, body, now=now)
    assert e.value.reason == "missing"
    # a forged request does not burn the real delivery's id in the guard
    fresh = ReplayGuard()
    forged = {**h, SIGNATURE: "sha256=" + "0" * 64, DELIVERY: "d-9"}
    with pytest.raises(SignatureError):
        verify(SECRET.encode(), forged, body, guard=fresh, now=now)
    real = sign_headers(SECRET.encode(), body, "d-9", now=now)
    assert verify(SECRET.encode(), real, body, guard=fresh, now=now) == "d-9"


def test_backoff_doubles_and_is_capped() -> None:
    t = WebhookTarget(name="x", url="http://h/", secret=SecretStr(SECRET), events=EventFilter(),
                      backoff_s=1, max_backoff_s=5)  # fmt: skip
    assert [backoff(t, n) for n in (1, 2, 3, 4, 5)] == [1, 2, 4, 5, 5]


def test_signed_delivery_is_verified_by_the_receiver(store: Store, rx: Receiver) -> None:
    d = Dispatcher([target(rx.url)], DeadLetters(store.engine))
    d.start()
    try:
        d.submit(Delivery("del-1", "dispatch", "event", "ev-1", b'{"a":1}'))
        assert d.drain(10)
    finally:
        d.stop()
    assert [g.delivery for g in rx.got] == ["del-1"] and rx.refused == []
    assert rx.got[0].body == b'{"a":1}'
    assert rx.got[0].headers["X-Kuzet-Kind"] == "event"


def test_a_wrong_secret_is_refused_by_the_receiver_then_dead_lettered(
    store: Store, rx: Receiver
) -> None:
    t = target(rx.url, secret=SecretStr("not-the-receivers-secret"), max_attempts=2)
    d = Dispatcher([t], DeadLetters(store.engine))
    d.start()
    try:
        d.submit(Delivery("del-2", "dispatch", "event", "ev-2", b"{}"))
        assert d.drain(10)
    finally:
        d.stop()
    assert rx.got == [] and rx.refused == ["bad_signature", "bad_signature"]
    [dead] = DeadLetters(store.engine).list()
    assert dead.id == "del-2" and dead.attempts == 2 and "HTTP 401" in dead.last_error


def test_retries_with_backoff_then_delivered(store: Store, rx: Receiver) -> None:
    rx.fail_next = 2
    d = Dispatcher([target(rx.url, max_attempts=5)], DeadLetters(store.engine))
    d.start()
    t0 = time.monotonic()
    try:
        d.submit(Delivery("del-3", "dispatch", "event", "ev-3", b"{}"))
        assert d.drain(10)
    finally:
        d.stop()
    assert rx.attempts == 3 and [g.delivery for g in rx.got] == ["del-3"]
    assert time.monotonic() - t0 >= 0.05 + 0.1  # waited backoff_s, then twice that
    assert DeadLetters(store.engine).list() == []


def test_dead_letter_after_max_attempts_then_retry_from_the_list(
    store: Store, rx: Receiver
) -> None:
    rx.down = True
    dead = DeadLetters(store.engine)
    d = Dispatcher([target(rx.url, max_attempts=3)], dead)
    d.start()
    try:
        d.submit(Delivery("del-4", "dispatch", "incident", "inc-7", b'{"incident":"inc-7"}'))
        assert d.drain(10)
        assert rx.attempts == 3 and rx.got == []
        [row] = dead.list()
        assert (row.id, row.target, row.kind, row.ref, row.attempts, row.state) == (
            "del-4", "dispatch", "incident", "inc-7", 3, "dead",
        )  # fmt: skip
        assert row.body == '{"incident":"inc-7"}' and "HTTP 503" in row.last_error
        assert row.first_attempt_at <= row.last_attempt_at <= datetime.now(UTC)
        # still down: the retry fails and the letter stays dead, one attempt more
        again = d.retry_dead("del-4")
        assert again is not None and again.state == "dead" and again.attempts == 4
        # the receiver is back: retried from the list, delivered with the same id
        rx.down = False
        done = d.retry_dead("del-4")
        assert done is not None and done.state == "delivered" and done.delivered_at is not None
        assert [g.delivery for g in rx.got] == ["del-4"]
        assert json.loads(rx.got[0].body) == {"incident": "inc-7"}
        assert dead.list() == [] and [r.id for r in dead.list("delivered")] == ["del-4"]
        assert d.retry_dead("nope") is None
    finally:
        d.stop()


def test_a_stop_keeps_what_waits_for_a_retry_as_dead_letters(store: Store, rx: Receiver) -> None:
    rx.down = True
    dead = DeadLetters(store.engine)
    d = Dispatcher([target(rx.url, max_attempts=5, backoff_s=60)], dead)
    d.start()
    d.submit(Delivery("del-5", "dispatch", "event", "ev-5", b"{}"))
    deadline = time.monotonic() + 5
    while rx.attempts < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    d.stop()  # the next try was a minute away
    [row] = dead.list()
    assert (row.id, row.attempts, row.state) == ("del-5", 1, "dead")
    assert "HTTP 503" in row.last_error
