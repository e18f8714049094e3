"""A TCP forwarder in front of a test service that can be shut (connection refused, open
connections cut) and opened again on the same port: a network outage between Kuzet and the
service, without restarting it. (Restarting SeaweedFS itself sometimes leaves writes
hanging for 15-60 s after many writes on the 2-core machine, which made outage tests
flaky in full runs.)

    gate = Gate(server.endpoint).open()   # point Kuzet at gate.endpoint
    gate.shut(); ...; gate.open()
"""

from __future__ import annotations

import contextlib
import random
import socket
import threading
from pathlib import Path


def port_below_ephemeral() -> int:
    """A free port below the kernel's ephemeral range: while the gate is shut, no outgoing
    connection of another process can take it, so it opens again on the same port."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    for _ in range(200):
        port = random.randint(10000, low - 1)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port for the gate")


class Gate:
    def __init__(self, target: str) -> None:
        self.target = int(target.rsplit(":", 1)[1])
        self.port = port_below_ephemeral()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._socks: list[socket.socket] = []

    def open(self) -> Gate:
        if self._socks:  # already open
            return self
        srv = socket.socket()
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", self.port))
        srv.listen(32)
        self._socks = [srv]
        threading.Thread(target=self._accept, args=(srv,), daemon=True).start()
        return self

    def shut(self) -> None:
        for s in self._socks:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        self._socks = []

    def _accept(self, srv: socket.socket) -> None:
        while True:
            try:
                a, _ = srv.accept()
            except OSError:
                return
            b = socket.create_connection(("127.0.0.1", self.target))
            self._socks += [a, b]
            for x, y in ((a, b), (b, a)):
                threading.Thread(target=self._pipe, args=(x, y), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)
