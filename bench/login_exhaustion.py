"""Unauthenticated exhaustion of the API: a huge login body and many concurrent logins.

The API runs in its own process (uvicorn, SQLite, production argon2id: t=3, 64 MiB,
p=4); this script measures that process's resident memory (peak over the attack, minus
the idle baseline, sampled every 10 ms) and the latency of ``/healthz`` while it lasts.

    .venv/bin/python bench/login_exhaustion.py [--body-mib 300] [--logins 40]
    # the same attack on another checkout's code (e.g. before the limits):
    .venv/bin/python bench/login_exhaustion.py --src /tmp/kuzet-before/src
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil

SERVER = """
import sys, uvicorn
from kuzet.access.service import AccessService
from kuzet.api import create_app
from kuzet.config.access import AccessConfig
from kuzet.events import MemoryBus
from kuzet.schema import open_store
from kuzet.store import LocalBlobStore
store = open_store(sys.argv[1])
access = AccessService(store.engine, AccessConfig(secure_cookies=False))
access.seed_agencies()
app = create_app(store=store, blobs=LocalBlobStore(sys.argv[2]), bus=MemoryBus(), access=access)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[3]), log_level="error")
"""


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Peak(threading.Thread):
    """Samples a process's RSS until stopped; ``peak`` in bytes."""

    def __init__(self, proc: psutil.Process) -> None:
        super().__init__(daemon=True)
        self.proc, self.peak, self.stop = proc, 0, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            time.sleep(0.01)


class Health(threading.Thread):
    """Calls /healthz in a loop; latencies in ms."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base, self.stop = base, threading.Event()
        self.ms: list[float] = []

    def run(self) -> None:
        with httpx.Client(timeout=60) as c:
            while not self.stop.is_set():
                t0 = time.perf_counter()
                c.get(self.base + "/healthz")
                self.ms.append((time.perf_counter() - t0) * 1000)
                time.sleep(0.05)


def _body(mib: int) -> Iterator[bytes]:
    yield b'{"username": "admin", "password": "'
    chunk = b"p" * (1 << 20)
    for _ in range(mib):
        yield chunk
    yield b'"}'


def attack(base: str, proc: psutil.Process, name: str, run: Callable[[], list[str]]) -> None:
    time.sleep(0.5)
    idle = proc.memory_info().rss
    peak, health = Peak(proc), Health(base)
    peak.start()
    health.start()
    t0 = time.perf_counter()
    codes = run()
    took = time.perf_counter() - t0
    time.sleep(0.3)
    peak.stop.set()
    health.stop.set()
    peak.join()
    health.join()
    ms = health.ms or [0.0]
    print(f"{name}: answers {codes}, {took:.1f} s; server RSS idle {idle / 2**20:.0f} MiB, "
          f"peak +{(peak.peak - idle) / 2**20:.0f} MiB; /healthz meanwhile p50 "
          f"{statistics.median(ms):.0f} ms, max {max(ms):.0f} ms ({len(ms)} calls)")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--body-mib", type=int, default=300)
    ap.add_argument("--logins", type=int, default=40)
    ap.add_argument("--src", type=Path, default=None, help="run the server from this src dir")
    ap.add_argument("--quick", action="store_true", help="a 30 MiB body and 8 logins")
    args = ap.parse_args()
    if args.quick:
        args.body_mib, args.logins = min(args.body_mib, 30), min(args.logins, 8)
    env = dict(os.environ)
    if args.src is not None:
        env["PYTHONPATH"] = str(args.src.absolute())
    with tempfile.TemporaryDirectory() as tmp:
        port = _port()
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER, f"sqlite:///{tmp}/k.db", f"{tmp}/blobs", str(port)],
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("the API did not start")
                time.sleep(0.2)
            proc = psutil.Process(server.pid)
            idle_ms = []
            with httpx.Client() as c:  # one connection, as the monitor below uses
                for _ in range(20):
                    t0 = time.perf_counter()
                    c.get(base + "/healthz")
                    idle_ms.append((time.perf_counter() - t0) * 1000)
            print(f"/healthz idle: p50 {statistics.median(idle_ms):.0f} ms")

            def big() -> list[str]:
                with httpx.Client(timeout=300) as c:
                    headers = {"Content-Type": "application/json"}
                    try:
                        r = c.post(base + "/api/auth/login", content=_body(args.body_mib),
                                   headers=headers)  # fmt: skip
                        return [str(r.status_code)]
                    except httpx.HTTPError as exc:  # the server may cut the upload off
                        return [type(exc).__name__]

            attack(base, proc, f"one {args.body_mib} MiB login body", big)

            def many() -> list[str]:
                def one(i: int) -> int:
                    body = {"username": f"user{i}", "password": f"Wrong-password-{i}"}
                    return httpx.post(base + "/api/auth/login", json=body, timeout=300).status_code

                with ThreadPoolExecutor(args.logins) as pool:
                    got = list(pool.map(one, range(args.logins)))
                return [f"{c} x{got.count(c)}" for c in sorted(set(got))]

            attack(base, proc, f"{args.logins} concurrent logins", many)
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
