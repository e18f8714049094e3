"""The loop thread sync code drives asyncio clients through (anyio's blocking portal)."""

from __future__ import annotations

import asyncio
import gc
import logging
import threading

import pytest

from kuzet.events.loop import LoopThread


def test_run_returns_results_and_raises_errors_in_the_caller() -> None:
    loop = LoopThread("kuzet-test-loop")

    async def add(a: int, b: int) -> int:
        await asyncio.sleep(0)
        return a + b

    async def boom() -> None:
        raise ValueError("from the loop")

    try:
        assert loop.run(add(2, 3), timeout=5) == 5
        with pytest.raises(ValueError, match="from the loop"):
            loop.run(boom(), timeout=5)
        assert loop.submit(add(1, 1)).result(5) == 2
    finally:
        loop.stop()


def test_a_timed_out_call_is_cancelled_on_the_loop() -> None:
    loop = LoopThread("kuzet-test-loop")
    cancelled = threading.Event()

    async def slow() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    try:
        with pytest.raises(TimeoutError):
            loop.run(slow(), timeout=0.05)
        assert cancelled.wait(5)
    finally:
        loop.stop()


def test_stop_cancels_what_still_runs_and_its_cleanup_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A publish still retrying when the bus closes must unwind (its ``finally`` keeps the
    bus's bookkeeping), not be dropped with the loop ("Task was destroyed but it is
    pending")."""
    loop = LoopThread("kuzet-test-loop")
    started, cleaned = threading.Event(), threading.Event()

    async def forever() -> None:
        started.set()
        try:
            await asyncio.sleep(3600)
        finally:
            cleaned.set()

    loop.submit(forever())
    assert started.wait(5)
    with caplog.at_level(logging.ERROR):
        loop.stop()
        assert cleaned.is_set()  # at once, not whenever the task is garbage-collected
        gc.collect()
    assert "destroyed but it is pending" not in caplog.text
    assert not any(t.name == "kuzet-test-loop" for t in threading.enumerate())
    loop.stop()  # twice is harmless
