"""An event loop on its own thread, so sync pipeline threads can drive asyncio clients.

This is anyio's blocking portal (``anyio.from_thread.start_blocking_portal``) plus a
timeout per call. Stopping cancels whatever still runs on the loop and lets it unwind
(its ``finally`` blocks run) before the thread ends.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import Any, TypeVar

import anyio
from anyio.from_thread import start_blocking_portal

T = TypeVar("T")


async def _await(aw: Awaitable[T], timeout: float | None) -> T:
    with anyio.fail_after(timeout):  # raises TimeoutError, the awaitable is cancelled
        return await aw


class LoopThread:
    def __init__(self, name: str = "kuzet-loop") -> None:
        self._stack = contextlib.ExitStack()
        self.portal = self._stack.enter_context(start_blocking_portal("asyncio", name=name))
        self.closed = False

    def submit(self, aw: Awaitable[T]) -> Future[T]:
        """Start ``aw`` on the loop; its future completes when it does."""
        return self.portal.start_task_soon(_await, aw, None)

    def run(self, aw: Awaitable[T], timeout: float | None = None) -> T:
        """Run ``aw`` on the loop and wait for its result from this (other) thread;
        ``TimeoutError`` after ``timeout`` seconds (``aw`` is cancelled)."""
        return self.portal.call(_await, aw, timeout)

    def call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` (sync or async) on the loop without waiting for it."""
        self.portal.start_task_soon(fn, *args)

    def stop(self) -> None:
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(RuntimeError):  # already stopped
            self.portal.call(self.portal.stop, True)  # cancel what still runs
        self._stack.close()  # joins the thread
