"""The one policy gate: every route is declared in :data:`ROUTES` with what it needs.

``authorize`` runs as an app-wide dependency before any handler (HTTP and
WebSocket). It finds the route's rule, authenticates the caller, checks the
permission, writes the audit record the rule names, and leaves the
:class:`Principal` on the connection. A route missing from the table is denied at
request time and refused at app start (:func:`compile_rules`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlsplit

import anyio
from fastapi import Depends, FastAPI, WebSocketException, status
from fastapi.routing import APIRoute, APIWebSocketRoute
from fastapi.security import APIKeyHeader, HTTPBearer
from starlette.requests import HTTPConnection
from starlette.routing import Route, WebSocketRoute

from kuzet.access.audit import Entry
from kuzet.access.model import Perm, Principal
from kuzet.access.scope import ScopedStore
from kuzet.api.context import get_context
from kuzet.api.errors import ApiError
from kuzet.api.trail import defer

ACCESS_COOKIE = "kuzet_access"
REFRESH_COOKIE = "kuzet_refresh"
REASON_HEADER = "X-Kuzet-Reason"


class Gate(StrEnum):
    PUBLIC = "public"  # no authentication (login, health, docs)
    SESSION = "session"  # any session, also a first-login one that must set up TOTP
    USER = "user"  # a full session (password + TOTP) of a person


@dataclass(frozen=True, slots=True)
class Rule:
    need: Perm | Gate
    audit: str | None = None  # audit action recorded when allowed (and when denied)
    max_body: int | None = None  # bytes, for uploads; else the site's default (1 MiB)


MiB = 1 << 20


P = Perm
_PERSON = "/api/watchlists/{watchlist_id}/persons/{person_id}"
_EXPORT = "/api/exports/{export_id}"
ROUTES: dict[tuple[str, str], Rule] = {
    # ops and docs
    ("GET", "/healthz"): Rule(Gate.PUBLIC),
    ("GET", "/metrics"): Rule(P.METRICS_READ),
    ("GET", "/openapi.json"): Rule(Gate.PUBLIC),
    ("GET", "/docs"): Rule(Gate.PUBLIC),
    ("GET", "/docs/oauth2-redirect"): Rule(Gate.PUBLIC),
    ("GET", "/redoc"): Rule(Gate.PUBLIC),
    ("GET", "/docs/assets/{name}"): Rule(Gate.PUBLIC),  # bundled Swagger UI / ReDoc files
    # authentication (login and refresh audit themselves)
    ("POST", "/api/auth/login"): Rule(Gate.PUBLIC),
    ("POST", "/api/auth/refresh"): Rule(Gate.PUBLIC),
    ("GET", "/api/auth/password-policy"): Rule(Gate.PUBLIC),
    ("POST", "/api/auth/logout"): Rule(Gate.SESSION, "logout"),
    ("GET", "/api/auth/me"): Rule(Gate.SESSION),
    ("POST", "/api/auth/totp/enrol"): Rule(Gate.SESSION, "totp.enrol"),
    ("POST", "/api/auth/totp/confirm"): Rule(Gate.SESSION),
    ("POST", "/api/auth/password"): Rule(Gate.USER),
    # cameras
    ("GET", "/api/cameras"): Rule(P.CAMERAS_READ),
    ("POST", "/api/cameras"): Rule(P.CAMERAS_WRITE, "camera.create"),
    ("GET", "/api/cameras/{camera_id}"): Rule(P.CAMERAS_READ),
    ("PUT", "/api/cameras/{camera_id}"): Rule(P.CAMERAS_WRITE, "camera.update"),
    ("DELETE", "/api/cameras/{camera_id}"): Rule(P.CAMERAS_WRITE, "camera.delete"),
    # integrations (issue 15): CSV import, ONVIF, PTZ, webhook dead letters
    ("POST", "/api/cameras/import"): Rule(P.CAMERAS_WRITE, "camera.import", 4 * MiB),
    ("POST", "/api/integrations/onvif/discover"): Rule(P.CAMERAS_WRITE, "onvif.discover"),
    ("GET", "/api/cameras/{camera_id}/onvif/profiles"): Rule(P.CAMERAS_WRITE, "onvif.profiles"),
    ("POST", "/api/cameras/{camera_id}/ptz/move"): Rule(P.PTZ_CONTROL, "ptz.move"),
    ("POST", "/api/cameras/{camera_id}/ptz/stop"): Rule(P.PTZ_CONTROL, "ptz.stop"),
    ("GET", "/api/cameras/{camera_id}/ptz/presets"): Rule(P.PTZ_CONTROL),
    ("POST", "/api/cameras/{camera_id}/ptz/presets"): Rule(P.PTZ_CONTROL, "ptz.preset.set"),
    ("POST", "/api/cameras/{camera_id}/ptz/presets/{preset}/goto"): Rule(
        P.PTZ_CONTROL, "ptz.preset.goto"
    ),
    ("GET", "/api/ops/incidents/{incident_id}/cap"): Rule(P.LIVE_READ, "incident.cap"),
    ("GET", "/api/integrations/dead-letters"): Rule(P.INTEGRATIONS_MANAGE),
    ("POST", "/api/integrations/dead-letters/{dead_id}/retry"): Rule(
        P.INTEGRATIONS_MANAGE, "webhook.retry"
    ),
    # events, pictures, live
    ("GET", "/api/events"): Rule(P.EVENTS_READ, "event.search"),
    ("GET", "/api/events/{event_id}"): Rule(P.EVENTS_READ, "event.view"),
    ("GET", "/api/events/{event_id}/snapshot"): Rule(P.SNAPSHOTS_READ, "snapshot.view"),
    ("GET", "/api/events/{event_id}/clip"): Rule(P.SNAPSHOTS_READ, "clip.view"),
    ("WS", "/api/ws/events"): Rule(P.LIVE_READ, "live.watch"),
    # agencies, users, keys
    ("GET", "/api/agencies"): Rule(P.USERS_READ),
    ("GET", "/api/roles"): Rule(P.USERS_READ),  # the policy's table, read-only
    ("PUT", "/api/agencies/{agency_id}"): Rule(P.AGENCIES_WRITE),
    ("GET", "/api/users"): Rule(P.USERS_READ),
    ("POST", "/api/users"): Rule(P.USERS_WRITE),
    ("GET", "/api/users/{user_id}"): Rule(P.USERS_READ),
    ("PATCH", "/api/users/{user_id}"): Rule(P.USERS_WRITE),
    ("POST", "/api/users/{user_id}/reset"): Rule(P.USERS_WRITE),
    ("POST", "/api/users/{user_id}/reset-totp"): Rule(P.USERS_WRITE),
    ("POST", "/api/users/{user_id}/unlock"): Rule(P.USERS_WRITE),
    ("POST", "/api/users/{user_id}/deactivate"): Rule(P.USERS_WRITE),
    ("POST", "/api/users/{user_id}/reactivate"): Rule(P.USERS_WRITE),
    # the second person for clearances (kuzet.access.grants)
    ("GET", "/api/grants"): Rule(P.USERS_READ),
    ("POST", "/api/grants/{grant_id}/approve"): Rule(P.GRANTS_APPROVE),
    ("POST", "/api/grants/{grant_id}/reject"): Rule(P.GRANTS_APPROVE),
    ("GET", "/api/users/{user_id}/api-keys"): Rule(P.API_KEYS_MANAGE),
    ("POST", "/api/users/{user_id}/api-keys"): Rule(P.API_KEYS_MANAGE),
    ("POST", "/api/api-keys/{key_id}/rotate"): Rule(P.API_KEYS_MANAGE),
    ("DELETE", "/api/api-keys/{key_id}"): Rule(P.API_KEYS_MANAGE),
    # audit
    ("GET", "/api/audit"): Rule(P.AUDIT_READ, "audit.search"),
    ("GET", "/api/audit/export"): Rule(P.AUDIT_EXPORT, "audit.export"),
    ("GET", "/api/audit/verify"): Rule(P.AUDIT_READ, "audit.verify"),
    # operations centre: web app, map, incident queue and workflow (steps audit themselves)
    ("GET", "/"): Rule(Gate.PUBLIC),
    ("GET", "/ui/{path}"): Rule(Gate.PUBLIC),
    ("GET", "/api/ops/cameras"): Rule(P.CAMERAS_READ),
    ("GET", "/api/ops/cameras/{camera_id}/live.mjpeg"): Rule(P.SNAPSHOTS_READ, "camera.live"),
    ("GET", "/api/ops/settings"): Rule(Gate.USER),  # who am I and where to land: any person
    ("GET", "/api/ops/basemap.pmtiles"): Rule(P.CAMERAS_READ),
    ("GET", "/api/ops/incidents"): Rule(P.LIVE_READ),
    ("GET", "/api/ops/incidents/{incident_id}"): Rule(P.LIVE_READ, "incident.view"),
    ("POST", "/api/ops/incidents/{incident_id}/steps"): Rule(P.LIVE_READ),
    ("GET", "/api/ops/stats"): Rule(P.EVENTS_READ, "ops.stats"),
    ("GET", "/api/ops/stats.csv"): Rule(P.EVENTS_READ, "ops.stats.export"),
    ("GET", "/api/ops/journal"): Rule(P.EVENTS_READ, "ops.journal"),
    ("GET", "/api/ops/handover"): Rule(P.LIVE_READ, "ops.handover"),
    ("GET", "/api/ops/handover.csv"): Rule(P.LIVE_READ, "ops.handover.export"),
    # the camera wall's saved views: each person's own (light audit of changes)
    ("GET", "/api/me/views"): Rule(Gate.USER),
    ("PUT", "/api/me/views/{name}"): Rule(Gate.USER, "view.save"),
    ("DELETE", "/api/me/views/{name}"): Rule(Gate.USER, "view.delete"),
    ("WS", "/api/ws/ops"): Rule(P.LIVE_READ, "ops.watch"),
    # watchlists and faces (issue 4): biometric clearance and list visibility are checked
    # in kuzet.api.face_access; views of photos and hits, searches, exports and erasures
    # take a required `reason`; they and changes to existing lists audit themselves once
    # the owner check passed (the action is named in the handler)
    ("GET", "/api/watchlists"): Rule(P.WATCHLISTS_READ),
    ("POST", "/api/watchlists"): Rule(P.WATCHLISTS_WRITE, "watchlist.create"),
    ("GET", "/api/watchlists/{watchlist_id}"): Rule(P.WATCHLISTS_READ),
    ("PATCH", "/api/watchlists/{watchlist_id}"): Rule(P.WATCHLISTS_WRITE),
    ("DELETE", "/api/watchlists/{watchlist_id}"): Rule(P.WATCHLISTS_WRITE),
    ("GET", "/api/watchlists/{watchlist_id}/persons"): Rule(P.WATCHLISTS_READ, "watchlist.persons"),
    # up to 20 photos of 10 MiB each (spooled to disk); a JSON sync batch
    ("POST", "/api/watchlists/{watchlist_id}/persons"): Rule(P.WATCHLISTS_WRITE, None, 210 * MiB),
    ("POST", "/api/watchlists/{watchlist_id}/sync"): Rule(P.WATCHLISTS_WRITE, None, 64 * MiB),
    ("GET", f"{_PERSON}"): Rule(P.WATCHLISTS_READ, "watchlist.person.view"),
    ("GET", f"{_PERSON}/photos/{{photo_id}}"): Rule(P.WATCHLISTS_READ),
    ("GET", f"{_PERSON}/export"): Rule(P.WATCHLISTS_WRITE),
    ("DELETE", f"{_PERSON}"): Rule(P.WATCHLISTS_WRITE),
    ("GET", "/api/faces/hits"): Rule(P.WATCHLISTS_READ, "watchlist.hit.search"),
    ("GET", "/api/faces/hits/{hit_id}"): Rule(P.WATCHLISTS_READ),
    ("POST", "/api/faces/search"): Rule(P.FACES_SEARCH, None, 11 * MiB),
    # forensic search of the track index (issue 10); the face search needs biometric
    # clearance and a reason, and audits itself like /api/faces/search
    ("GET", "/api/archive/info"): Rule(P.ARCHIVE_SEARCH),
    ("GET", "/api/archive/tracks"): Rule(P.ARCHIVE_SEARCH, "archive.search"),
    ("GET", "/api/archive/tracks/{track_ref}/snapshot"): Rule(P.SNAPSHOTS_READ, "archive.snapshot"),
    ("POST", "/api/archive/tracks/face"): Rule(P.FACES_SEARCH, None, 11 * MiB),
    # recorded video, evidence exports, bookmarks (issue 10): video routes audit themselves
    # (camera, range, blurred or refused); segments are named by an audited playlist
    ("GET", "/api/recordings/{camera_id}/timeline"): Rule(P.RECORDINGS_READ, "recording.timeline"),
    ("GET", "/api/recordings/{camera_id}/playlist.m3u8"): Rule(P.RECORDINGS_READ),
    ("GET", "/api/recordings/{camera_id}/segments/{segment_id}"): Rule(P.RECORDINGS_READ),
    ("GET", "/api/recordings/{camera_id}/video.mp4"): Rule(P.RECORDINGS_READ),
    ("GET", "/api/recordings/{camera_id}/thumbnail.jpg"): Rule(P.RECORDINGS_READ),
    ("GET", "/api/recordings/{camera_id}/thumbnails.jpg"): Rule(P.RECORDINGS_READ),
    ("WS", "/api/ws/recordings/{camera_id}/live"): Rule(P.SNAPSHOTS_READ),
    ("POST", "/api/exports"): Rule(P.EVIDENCE_EXPORT),
    ("GET", "/api/exports"): Rule(P.EVIDENCE_EXPORT),
    ("GET", _EXPORT): Rule(P.EVIDENCE_EXPORT),
    ("GET", f"{_EXPORT}/download"): Rule(P.EVIDENCE_EXPORT, "evidence.export.download"),
    ("POST", f"{_EXPORT}/release"): Rule(P.EVIDENCE_EXPORT),
    ("GET", "/api/evidence/public-key"): Rule(Gate.USER),
    # traffic violations (issue 14): the desk audits decisions and exports itself
    ("GET", "/api/violations"): Rule(P.VIOLATIONS_REVIEW, "violation.list"),
    ("GET", "/api/violations/officer-key"): Rule(P.VIOLATIONS_REVIEW),
    ("POST", "/api/violations/officer-key"): Rule(P.VIOLATIONS_REVIEW),
    ("GET", "/api/violations/{violation_id}"): Rule(P.VIOLATIONS_REVIEW, "violation.view"),
    ("GET", "/api/violations/{violation_id}/parts/{name}"): Rule(P.VIOLATIONS_REVIEW),
    ("POST", "/api/violations/{violation_id}/decision"): Rule(P.VIOLATIONS_REVIEW),
    ("GET", "/api/violations/{violation_id}/package"): Rule(P.EVIDENCE_EXPORT),
    # drones' paths on the map (issue 15), scoped like the camera of the same id
    ("GET", "/api/drones"): Rule(P.CAMERAS_READ),
    ("GET", "/api/drones/{drone_id}/track"): Rule(P.CAMERAS_READ),
    # traffic lights fed by junction controllers (API keys), read by whoever sees cameras
    ("POST", "/api/signals"): Rule(P.SIGNALS_WRITE, "signals.feed"),
    ("GET", "/api/signals"): Rule(P.CAMERAS_READ),
    # devices (issue 15): scoped like cameras; the webhook checks its own key and signature
    ("GET", "/api/devices"): Rule(P.CAMERAS_READ),
    ("GET", "/api/devices/{device_id}"): Rule(P.CAMERAS_READ),
    ("POST", "/api/devices/webhook"): Rule(Gate.PUBLIC),
    ("GET", "/api/bookmarks"): Rule(P.RECORDINGS_READ),
    ("POST", "/api/bookmarks"): Rule(P.BOOKMARKS_WRITE),
    ("PATCH", "/api/bookmarks/{bookmark_id}"): Rule(P.BOOKMARKS_WRITE),
    ("DELETE", "/api/bookmarks/{bookmark_id}"): Rule(P.BOOKMARKS_WRITE),
    # plate data (issue 14): plates clearance and list visibility are checked in
    # kuzet.api.plate_access; searches, exports, erasures and every list change audit
    # themselves once the checks passed (with what was asked or changed)
    ("GET", "/api/plates/reads"): Rule(P.PLATES_SEARCH),
    ("GET", "/api/plates/{plate}/export"): Rule(P.PLATES_SUBJECT),
    ("DELETE", "/api/plates/{plate}"): Rule(P.PLATES_SUBJECT),
    ("GET", "/api/plate-lists"): Rule(P.PLATE_LISTS_READ),
    ("POST", "/api/plate-lists"): Rule(P.PLATE_LISTS_WRITE),
    ("GET", "/api/plate-lists/{list_id}"): Rule(P.PLATE_LISTS_READ),
    ("PATCH", "/api/plate-lists/{list_id}"): Rule(P.PLATE_LISTS_WRITE),
    ("DELETE", "/api/plate-lists/{list_id}"): Rule(P.PLATE_LISTS_WRITE),
    ("GET", "/api/plate-lists/{list_id}/entries"): Rule(P.PLATE_LISTS_READ, "plate_list.entries"),
    ("POST", "/api/plate-lists/{list_id}/entries"): Rule(P.PLATE_LISTS_WRITE),
    ("DELETE", "/api/plate-lists/{list_id}/entries/{entry_id}"): Rule(P.PLATE_LISTS_WRITE),
    ("POST", "/api/plate-lists/{list_id}/import"): Rule(P.PLATE_LISTS_WRITE, None, 16 * MiB),
    ("GET", "/api/plate-lists/{list_id}/matches"): Rule(P.PLATE_LISTS_READ),
    # traffic figures (issue 14): counts and trips, no plate; the caller's camera scope
    ("GET", "/api/traffic/layout"): Rule(P.EVENTS_READ),
    ("GET", "/api/traffic/series"): Rule(P.EVENTS_READ),
    ("GET", "/api/traffic/od"): Rule(P.EVENTS_READ),
    ("GET", "/api/traffic/forecast"): Rule(P.EVENTS_READ),
    # devices (issue 15): the map's devices, an alarm's cameras, commands to outputs
    # (asking, confirming, the device's answer audit themselves in kuzet.devices.commands)
    ("GET", "/api/ops/devices"): Rule(P.CAMERAS_READ),
    ("GET", "/api/ops/incidents/{incident_id}/cameras"): Rule(P.LIVE_READ),
    ("GET", "/api/ops/incidents/{incident_id}/cameras/{camera_id}/snapshot.jpg"): Rule(
        P.SNAPSHOTS_READ, "snapshot.view"
    ),
    ("POST", "/api/devices/{device_id}/commands"): Rule(P.DEVICES_COMMAND),
    ("POST", "/api/device-commands/{command_id}/confirm"): Rule(P.DEVICES_COMMAND),
    ("GET", "/api/device-commands/{command_id}"): Rule(P.DEVICES_COMMAND),
    ("GET", "/api/devices/{device_id}/commands"): Rule(P.DEVICES_COMMAND),
}


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
        raise RuntimeError(f"routes without an access rule in kuzet.api.security.ROUTES: {missing}")
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
