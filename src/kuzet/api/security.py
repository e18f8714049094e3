"""The one policy gate: every route is declared in :data:`ROUTES` with what it needs
(the table itself: :mod:`kuzet.api.policy_table`).

``authorize`` runs as an app-wide dependency before any handler (HTTP and
WebSocket). It finds the route's rule, authenticates the caller, checks the
permission, writes the audit record the rule names, and leaves the
:class:`Principal` on the connection. A route missing from the table is denied at
request time and refused at app start (:func:`compile_rules`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlsplit

import anyio
from fastapi import Depends, FastAPI, WebSocketException, status
from fastapi.routing import APIRoute, APIWebSocketRoute
from fastapi.security import APIKeyHeader, HTTPBearer
from starlette.requests import HTTPConnection
from starlette.routing import Route, WebSocketRoute

from kuzet.access.audit import Entry
from kuzet.access.model import Principal
from kuzet.access.scope import ScopedStore
from kuzet.api.context import get_context
from kuzet.api.errors import ApiError
from kuzet.api.policy_table import ROUTES, Gate, Rule
from kuzet.api.trail import defer

ACCESS_COOKIE = "kuzet_access"
REFRESH_COOKIE = "kuzet_refresh"
REASON_HEADER = "X-Kuzet-Reason"


@dataclass(frozen=True, slots=True)
class RouteInfo:
    method: str  # HTTP method, or "WS"
    path: str  # full template, e.g. "/api/events/{event_id}"
    endpoint: Any


def app_routes(app: FastAPI) -> list[RouteInfo]:
    """Every route of ``app`` with its full path, across included routers.

    Recent FastAPI keeps included routers nested; older ones flatten them.
    """
    try:
        from fastapi.routing import iter_route_contexts  # type: ignore[attr-defined,unused-ignore]

        items = [
            (rc.original_route, rc.path_format or rc.path)
            for rc in iter_route_contexts(app.router.routes)
        ]
    except ImportError:  # pragma: no cover - FastAPI that flattens routers
        items = [(r, getattr(r, "path", None)) for r in app.router.routes]
    out = []
    for route, path in items:
        endpoint = getattr(route, "endpoint", None)
        if path is None:
            continue
        if isinstance(route, APIWebSocketRoute | WebSocketRoute):
            out.append(RouteInfo("WS", path, endpoint))
        elif isinstance(route, APIRoute | Route):
            methods = sorted(m for m in (route.methods or ()) if m != "HEAD")
            out += [RouteInfo(m, path, endpoint) for m in methods]
    return out


def larger_bodies() -> dict[tuple[str, str], int]:
    """``(METHOD, path template) -> bytes`` for the routes that take uploads."""
    return {k: r.max_body for k, r in ROUTES.items() if r.max_body is not None}


async def authenticates(conn: HTTPConnection) -> bool:
    """Whether the caller's credentials work (for the body limit of upload routes)."""
    access, token = get_context(conn).access, caller_token(conn)
    if access is None or not token:
        return False
    return await anyio.to_thread.run_sync(access.authenticate, token, client_ip(conn)) is not None


def compile_rules(app: FastAPI) -> dict[tuple[str, Any], Rule]:
    """``(METHOD, endpoint) -> Rule``; refuses an app with a route the table does not name."""
    routes = app_routes(app)
    missing = [(r.method, r.path) for r in routes if (r.method, r.path) not in ROUTES]
    if missing:
        raise RuntimeError(
            f"routes without an access rule in kuzet.api.policy_table.ROUTES: {missing}"
        )
    return {(r.method, r.endpoint): ROUTES[(r.method, r.path)] for r in routes}


def install_openapi(app: FastAPI) -> None:
    """The schema says which operations need credentials: public ones need none."""
    public = {(m, path) for (m, path), rule in ROUTES.items() if rule.need == Gate.PUBLIC}
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for path, ops in schema.get("paths", {}).items():
                for method, op in ops.items():
                    if (method.upper(), path) in public and isinstance(op, dict):
                        op.pop("security", None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


# Declared so OpenAPI (and Schemathesis) know how to authenticate; checked below.
_bearer = HTTPBearer(auto_error=False, description="access token (kza_...) or API key")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key (kzk_...)")


def _deny(conn: HTTPConnection, code: int, err: str, message: str) -> Exception:
    if conn.scope["type"] == "websocket":
        return WebSocketException(status.WS_1008_POLICY_VIOLATION, message)
    headers = {"WWW-Authenticate": "Bearer"} if code == 401 else None
    return ApiError(code, err, message, headers=headers)


def _header_token(conn: HTTPConnection) -> str | None:
    auth = conn.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    if key := conn.headers.get("x-api-key"):
        return key.strip()
    return None


def caller_token(conn: HTTPConnection) -> str | None:
    if (token := _header_token(conn)) is not None:
        return token
    # Cookies only where a forged cross-site request cannot change anything.
    safe = conn.scope["type"] == "websocket" or conn.scope.get("method") in ("GET", "HEAD")
    return conn.cookies.get(ACCESS_COOKIE) if safe else None


def _foreign_origin(conn: HTTPConnection, allowed: list[str]) -> bool:
    """A WebSocket opened by a page of another site: the browser sends our cookie along
    (cross-site WebSocket hijacking), so the ``Origin`` must be this site or listed."""
    origin = conn.headers.get("origin")
    if origin is None:  # not a browser
        return False
    parts = urlsplit(origin)
    return parts.netloc.lower() != (conn.headers.get("host") or "").lower() and (
        origin.rstrip("/") not in allowed
    )


def _rule(conn: HTTPConnection) -> Rule | None:
    method = "WS" if conn.scope["type"] == "websocket" else conn.scope.get("method", "")
    method = "GET" if method == "HEAD" else method
    rules: dict[tuple[str, Any], Rule] = conn.app.state.kuzet_rules
    return rules.get((method, conn.scope.get("endpoint")))


def client_ip(conn: HTTPConnection) -> str | None:
    return conn.client.host if conn.client else None


async def authorize(
    conn: HTTPConnection,
    _b: Annotated[Any, Depends(_bearer)] = None,
    _k: Annotated[Any, Depends(_api_key)] = None,
) -> None:
    rule = _rule(conn)
    if rule is None:  # fail closed; compile_rules makes this unreachable
        raise _deny(conn, 403, "permission_denied", "no access rule for this route")
    if rule.need == Gate.PUBLIC:
        return
    ctx = get_context(conn)
    token = caller_token(conn)
    if ctx.access is None or not token:
        raise _deny(conn, 401, "unauthorized", "authentication required")
    if (
        conn.scope["type"] == "websocket"
        and _header_token(conn) is None
        and _foreign_origin(conn, ctx.access.cfg.allowed_origins)
    ):
        raise _deny(conn, 403, "origin_refused", "cookie sessions only from this site's pages")
    ip = client_ip(conn)
    principal = await anyio.to_thread.run_sync(ctx.access.authenticate, token, ip)
    if principal is None:
        raise _deny(conn, 401, "unauthorized", "token invalid, expired or revoked")
    if rule.need == Gate.SESSION:
        allowed = principal.session_id is not None
    elif rule.need == Gate.USER:
        allowed = principal.session_id is not None and principal.stage == "full"
    else:
        allowed = principal.can(rule.need)
    if rule.audit or not allowed:
        reason = (conn.headers.get(REASON_HEADER) or "")[:500] or None
        detail: dict[str, Any] = {"path": conn.url.path}
        if conn.url.query:
            detail["query"] = conn.url.query[:1000]
        entry = Entry(
            principal.username, rule.audit or "access", target=conn.url.path,
            agency_id=principal.agency_id, ip=ip, reason=reason,
            outcome="ok" if allowed else "denied", detail=detail,
        )  # fmt: skip
        if allowed and conn.scope["type"] == "http":
            defer(conn, entry)  # written with the handler's outcome (kuzet.api.trail)
        else:
            await anyio.to_thread.run_sync(ctx.access.audit.record_many, [entry])
    if not allowed:
        if principal.stage != "full":
            raise _deny(conn, 403, "totp_enrolment_required", "set up TOTP first")
        raise _deny(conn, 403, "permission_denied", "your role does not allow this")
    conn.state.principal = principal


def current_principal(conn: HTTPConnection) -> Principal:
    p: Principal | None = getattr(conn.state, "principal", None)
    if p is None:  # a handler asked for a principal on a public route: a coding error
        raise ApiError(401, "unauthorized", "authentication required")
    return p


def scoped_store(conn: HTTPConnection) -> ScopedStore:
    ctx = get_context(conn)
    cursors = None if ctx.access is None else ctx.access.cursors
    return ScopedStore(ctx.store, current_principal(conn), cursors)


Who = Annotated[Principal, Depends(current_principal)]
View = Annotated[ScopedStore, Depends(scoped_store)]
