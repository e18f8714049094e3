"""Two `kuzet serve` API replicas over one PostgreSQL and one NATS JetStream are one API:
a session made on one works on the other (and its logout too), and a live WebSocket
client behind one address reconnects to the survivor when its replica is killed."""

from __future__ import annotations

import base64
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from nats_server import free_port
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from kuzet.access.model import Role
from kuzet.access.service import AccessService
from kuzet.config.models import NatsBusConfig
from kuzet.core import Event, event_id
from kuzet.events import create_bus
from kuzet.schema import open_store

from .proxy import RoundRobinProxy

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

PASSWORD = "Correct-Horse-Battery-9"
KEYS = {
    "KUZET_AUDIT_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    "KUZET_ACCESS_KEYS": "a1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
}


Replica = tuple[subprocess.Popen[bytes], int, Path]  # process, API port, log file


def _replica(tmp: Path, name: str, pg_url: str, nats_url: str) -> Replica:
    port = free_port()
    site = tmp / f"site.{name}.yaml"
    site.write_text(
        f"site: replicas\ndata_dir: {tmp / name}\n"
        f"store: {{url: '{pg_url}', batch_wait_ms: 10}}\n"
        f"bus: {{type: nats, servers: ['{nats_url}']}}\n"
        f"api: {{port: {port}}}\n"
        "access: {secure_cookies: false}\n"
    )
    log = tmp / f"{name}.log"
    env = {**os.environ, **KEYS, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kuzet", "serve", "--site", str(site), "--no-print-events"],
        stdout=log.open("wb"), stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    return proc, port, log


def _wait_healthy(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 240  # two cold starts of kuzet serve on a loaded machine
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"replica exited {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail(f"replica on {port} never healthy:\n{log.read_text()[-3000:]}")


@pytest.fixture
def replicas(tmp_path: Path, pg_url: str, nats_server: str) -> Iterator[list[Replica]]:
    reps = [_replica(tmp_path, n, pg_url, nats_server) for n in ("a", "b")]
    try:
        for proc, port, log in reps:
            _wait_healthy(port, proc, log)
        yield reps
    finally:
        for proc, _, _ in reps:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for proc, _, _ in reps:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()


def _operator(pg_url: str, monkeypatch: pytest.MonkeyPatch, name: str) -> str:
    """A situation-centre operator with TOTP set up (made in the shared database); its
    TOTP secret. The replicas never see this process: only the database links them."""
    for k, v in KEYS.items():
        monkeypatch.setenv(k, v)
    store = open_store(pg_url)
    try:
        svc = AccessService(store.engine)
        _, otp = svc.accounts.create_user(None, name, "situation-centre", Role.OPERATOR)
        assert otp is not None
        p = svc.authenticate(svc.sessions.login(name, otp).access_token)
        assert p is not None
        secret = svc.accounts.enrol_totp(p).secret
        svc.accounts.confirm_totp(p, pyotp.TOTP(secret).at(time.time()), PASSWORD)
        return str(secret)
    finally:
        store.close()


def _login(port: int, name: str, secret: str, at: float) -> dict[str, Any]:
    body = {"username": name, "password": PASSWORD, "totp_code": pyotp.TOTP(secret).at(at)}
    r = httpx.post(f"http://127.0.0.1:{port}/api/auth/login", json=body, timeout=30)
    assert r.status_code == 200, r.text
    return dict(r.json())


def _me(port: int, token: str) -> httpx.Response:
    h = {"Authorization": f"Bearer {token}"}
    return httpx.get(f"http://127.0.0.1:{port}/api/auth/me", headers=h, timeout=10)


def _event(n: int) -> Event:
    return Event(
        id=event_id("replicas", n), type="intrusion", camera_id="cam-1",
        ts=datetime.now(UTC), pts=float(n), phase="start", rule="people", track_id=n,
        class_name="person", score=0.9, box=(1.0, 2.0, 3.0, 4.0),
    )  # fmt: skip


def _receive(ws: ClientConnection, want: str, publish: Any) -> None:
    """Publish until ``want`` arrives on ``ws`` (the replica's NATS subscription may take
    a moment after the socket opens); fails after 20 s."""
    import json

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        publish()
        try:
            while True:
                msg = json.loads(ws.recv(timeout=1.0))
                if msg.get("id") == want:
                    return
        except TimeoutError:
            continue
    pytest.fail(f"event {want} never arrived on the live socket")


def _stored(port: int, headers: dict[str, str], want: set[str]) -> list[str]:
    """Event ids the replica on ``port`` serves, once ``want`` are among them (or 20 s)."""
    deadline = time.monotonic() + 20
    ids: list[str] = []
    while time.monotonic() < deadline:
        r = httpx.get(f"http://127.0.0.1:{port}/api/events?limit=100", headers=headers, timeout=10)
        assert r.status_code == 200, r.text
        ids = [e["id"] for e in r.json()["items"]]
        if want <= set(ids):
            break
        time.sleep(0.3)
    return ids


def test_two_replicas_share_sessions_and_live_clients_fail_over(
    replicas: list[Replica],
    pg_url: str,
    nats_server: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (proc_a, port_a, _), (proc_b, port_b, _) = replicas
    secret = _operator(pg_url, monkeypatch, "op.one")
    secret_two = _operator(pg_url, monkeypatch, "op.two")
    now = time.time() + 30  # the code after the one enrolment used

    # a session made on A is a session on B; rotated on B, it works on A
    first = _login(port_a, "op.one", secret, now)
    me = _me(port_b, first["access_token"])
    assert me.status_code == 200 and me.json()["username"] == "op.one", me.text
    r = httpx.post(f"http://127.0.0.1:{port_b}/api/auth/refresh",
                   json={"refresh_token": first["refresh_token"]}, timeout=10)  # fmt: skip
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    assert _me(port_a, token).status_code == 200
    # a logout on one replica ends the session on the other
    other = _login(port_b, "op.two", secret_two, now)
    assert _me(port_a, other["access_token"]).status_code == 200
    h = {"Authorization": f"Bearer {other['access_token']}"}
    assert httpx.post(f"http://127.0.0.1:{port_a}/api/auth/logout", headers=h).status_code < 300
    assert _me(port_b, other["access_token"]).status_code == 401

    # one address in front of both; a live client on it, then its replica is killed
    bus = create_bus(NatsBusConfig(servers=[nats_server]))
    proxy = RoundRobinProxy([("127.0.0.1", port_a), ("127.0.0.1", port_b)]).start()
    try:
        url = f"ws://127.0.0.1:{proxy.port}/api/ws/events"
        headers = {"Authorization": f"Bearer {token}"}
        ws = connect(url, additional_headers=headers, open_timeout=10)
        served_by = proxy.chosen[-1]
        _receive(ws, event_id("replicas", 1), lambda: bus.publish(_event(1)))

        # committed before the kill (else it is redelivered after the bus's ack_wait, 30 s)
        one, two = event_id("replicas", 1), event_id("replicas", 2)
        assert one in _stored(served_by, headers, {one})

        victim = proc_a if served_by == port_a else proc_b
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=15)  # the client sees its replica go ...
        ws = connect(url, additional_headers=headers, open_timeout=10)  # ... and reconnects
        assert proxy.chosen[-1] != served_by  # the survivor took it
        _receive(ws, two, lambda: bus.publish(_event(2)))
        ws.close()

        # the survivor serves what either replica's sink stored, each event once
        ids = _stored(proxy.chosen[-1], headers, {one, two})
        assert {one, two} <= set(ids)
        assert len(ids) == len(set(ids))
    finally:
        proxy.stop()
        bus.close()
