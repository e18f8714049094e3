"""Two pieces of work started at the same moment, for races between processes (two
engines, two consumers) on one database."""

from __future__ import annotations

import threading
from collections.abc import Callable


def at_once(work: Callable[[int], None]) -> None:
    """``work(0)`` and ``work(1)`` on two threads, started together."""
    start = threading.Barrier(2)

    def run(i: int) -> None:
        start.wait()
        work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
