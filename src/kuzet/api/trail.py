"""Audit records of allowed requests carry the handler's outcome, not the gate's.

The policy gate lets a request through before the handler runs; the handler may still
refuse it (a camera outside the caller's scope, an id that does not exist). So the gate
leaves its record here (:func:`defer`) and :class:`AuditTrail`, a pure ASGI middleware,
writes it when the response starts, with the outcome its status means: ``ok`` (< 400),
``denied`` (401, 403), ``not_found`` (404), ``refused`` (other 4xx) or ``error`` (5xx,
or the handler raised).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import anyio
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kuzet.access.audit import Entry

_KEY = "kuzet_audit"


def defer(conn: HTTPConnection, entry: Entry) -> None:
    conn.scope.setdefault("state", {})[_KEY] = entry


def outcome(status: int) -> str:
    if status < 400:
        return "ok"
    if status in (401, 403):
        return "denied"
    if status == 404:
        return "not_found"
    return "refused" if status < 500 else "error"


class AuditTrail:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        written = False

        async def write(status: int) -> None:
            nonlocal written
            entry = scope.get("state", {}).pop(_KEY, None)
            written = True
            if entry is None:
                return
            access = scope["app"].state.kuzet.access
            detail: dict[str, Any] = {**entry.detail, "status": status}
            done = dataclasses.replace(entry, outcome=outcome(status), detail=detail)
            await anyio.to_thread.run_sync(access.audit.record_many, [done])

        async def send_after_audit(message: Message) -> None:
            if message["type"] == "http.response.start" and not written:
                await write(int(message["status"]))
            await send(message)

        try:
            await self.app(scope, receive, send_after_audit)
        except BaseException:
            if not written:
                with anyio.CancelScope(shield=True):
                    await write(500)
            raise


def note(conn: HTTPConnection, **detail: Any) -> None:
    """Add details (e.g. a PTZ velocity, an import's counts) to the deferred audit record."""
    state = conn.scope.get("state", {})
    entry = state.get(_KEY)
    if entry is not None:
        state[_KEY] = dataclasses.replace(entry, detail={**entry.detail, **detail})
