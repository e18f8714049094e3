"""Every route x every role: the expected allow/deny, written out independently of the
policy table, so a change to either side that does not match the other fails here."""

from __future__ import annotations

import pytest
from fastapi import APIRouter
from starlette.websockets import WebSocketDisconnect

from kuzet.access.model import Role
from kuzet.api import create_app
from kuzet.api.routers import events as events_router
from kuzet.api.security import app_routes

from .conftest import City

AUTH_SESSION = {("POST", "/api/auth/logout"), ("GET", "/api/auth/me"),
                ("POST", "/api/auth/totp/enrol"), ("POST", "/api/auth/totp/confirm"),
                ("POST", "/api/auth/password")}  # fmt: skip
PUBLIC = {("GET", "/healthz"), ("GET", "/openapi.json"), ("GET", "/docs"), ("GET", "/redoc"),
          ("GET", "/docs/oauth2-redirect"), ("POST", "/api/auth/login"),
          ("POST", "/api/auth/refresh")}  # fmt: skip
CAM_READ = {("GET", "/api/cameras"), ("GET", "/api/cameras/{camera_id}")}
CAM_WRITE = {("POST", "/api/cameras"), ("PUT", "/api/cameras/{camera_id}"),
             ("DELETE", "/api/cameras/{camera_id}")}  # fmt: skip
EVENTS = {("GET", "/api/events"), ("GET", "/api/events/{event_id}")}
SNAP = {("GET", "/api/events/{event_id}/snapshot")}
LIVE = {("WS", "/api/ws/events")}
METRICS = {("GET", "/metrics")}
USERS_READ = {("GET", "/api/users"), ("GET", "/api/users/{user_id}"), ("GET", "/api/agencies")}
ADMIN = USERS_READ | {("PUT", "/api/agencies/{agency_id}"), ("POST", "/api/users"),
                      ("PATCH", "/api/users/{user_id}"), ("POST", "/api/users/{user_id}/reset"),
                      ("GET", "/api/users/{user_id}/api-keys"),
                      ("POST", "/api/users/{user_id}/api-keys"),
                      ("POST", "/api/api-keys/{key_id}/rotate"),
                      ("DELETE", "/api/api-keys/{key_id}")}  # fmt: skip
AUDIT = {("GET", "/api/audit"), ("GET", "/api/audit/export"), ("GET", "/api/audit/verify")}
# operations centre (issue 6)
PUBLIC |= {("GET", "/"), ("GET", "/ui/{path}")}
CAM_READ |= {("GET", "/api/ops/cameras")}
EVENTS |= {("GET", "/api/ops/stats"), ("GET", "/api/ops/stats.csv")}
SNAP |= {("GET", "/api/ops/cameras/{camera_id}/live.mjpeg"),
         ("GET", "/api/events/{event_id}/clip")}  # fmt: skip
LIVE |= {
    ("GET", "/api/ops/settings"),
    ("GET", "/api/ops/incidents"),
    ("GET", "/api/ops/incidents/{incident_id}"),
    ("POST", "/api/ops/incidents/{incident_id}/steps"),
    ("WS", "/api/ws/ops"),
}
# watchlists and faces (issue 4)
_P = "/api/watchlists/{watchlist_id}/persons/{person_id}"
WL_READ = {("GET", "/api/watchlists"), ("GET", "/api/watchlists/{watchlist_id}"),
           ("GET", "/api/watchlists/{watchlist_id}/persons"), ("GET", _P),
           ("GET", _P + "/photos/{photo_id}"), ("GET", "/api/faces/hits"),
           ("GET", "/api/faces/hits/{hit_id}")}  # fmt: skip
WL_WRITE = {("POST", "/api/watchlists"), ("PATCH", "/api/watchlists/{watchlist_id}"),
            ("DELETE", "/api/watchlists/{watchlist_id}"),
            ("POST", "/api/watchlists/{watchlist_id}/persons"),
            ("POST", "/api/watchlists/{watchlist_id}/sync"), ("GET", _P + "/export"),
            ("DELETE", _P)}  # fmt: skip
FACE_SEARCH = {("POST", "/api/faces/search")}
FACES = WL_READ | WL_WRITE | FACE_SEARCH
# forensic search of the track index (issue 10)
ARCHIVE = {("GET", "/api/archive/info"), ("GET", "/api/archive/tracks")}
SNAP |= {("GET", "/api/archive/tracks/{track_ref}/snapshot")}
FACES |= {("POST", "/api/archive/tracks/face")}
# recorded video, evidence exports, bookmarks (issue 10)
_REC = "/api/recordings/{camera_id}"
_REC_PARTS = ("timeline", "playlist.m3u8", "segments/{segment_id}", "video.mp4",
              "thumbnail.jpg", "thumbnails.jpg")  # fmt: skip
RECORDINGS = {("GET", f"{_REC}/{x}") for x in _REC_PARTS}
RECORDINGS |= {("GET", "/api/bookmarks")}
BOOKMARK = {("POST", "/api/bookmarks"), ("PATCH", "/api/bookmarks/{bookmark_id}"),
            ("DELETE", "/api/bookmarks/{bookmark_id}")}  # fmt: skip
EXPORT = {("POST", "/api/exports"), ("GET", "/api/exports"), ("GET", "/api/exports/{export_id}"),
          ("GET", "/api/exports/{export_id}/download"),
          ("POST", "/api/exports/{export_id}/release")}  # fmt: skip
SNAP |= {("WS", "/api/ws/recordings/{camera_id}/live")}
AUTH_SESSION |= {("GET", "/api/evidence/public-key")}

VIEWER = CAM_READ | EVENTS | SNAP | LIVE
EXPECTED: dict[str, set[tuple[str, str]]] = {
    "operator": VIEWER | ARCHIVE | RECORDINGS | BOOKMARK | AUTH_SESSION,
    "supervisor": VIEWER | ARCHIVE | RECORDINGS | BOOKMARK | EXPORT | USERS_READ | AUTH_SESSION,
    "investigator": VIEWER | ARCHIVE | RECORDINGS | BOOKMARK | EXPORT | FACES | AUTH_SESSION,
    "analyst": CAM_READ | EVENTS | METRICS | AUTH_SESSION,
    "administrator": CAM_READ | CAM_WRITE | METRICS | ADMIN | AUTH_SESSION,
    "auditor": AUDIT | USERS_READ | AUTH_SESSION,
    "integration": VIEWER | METRICS | FACES,  # an API key with every permission a key may hold
}
ALL_KNOWN = PUBLIC | AUTH_SESSION | CAM_READ | CAM_WRITE | EVENTS | SNAP | LIVE | METRICS
ALL_KNOWN |= ADMIN | AUDIT | FACES | ARCHIVE | RECORDINGS | BOOKMARK | EXPORT


def _call(city: City, who: str | None, method: str, path: str) -> int:
    url = path.format(camera_id="nope", event_id="nope", user_id="nope", agency_id="nope",
                      key_id="nope", incident_id="nope", path="", watchlist_id="nope",
                      person_id="nope", photo_id="nope", hit_id="nope", track_ref="x",
                      segment_id="1", export_id="nope", bookmark_id="nope")  # fmt: skip
    headers = {} if who is None else city.h(who)
    if method == "WS":
        try:
            with city.client.websocket_connect(url, headers=headers):
                return 101
        except WebSocketDisconnect as exc:
            return 403 if exc.code == 1008 else 500
    r = city.client.request(method, url, headers=headers, json={} if method != "GET" else None)
    if r.status_code == 403 and r.json().get("error") != "permission_denied":
        return 200  # forbidden by the handler's own rule (e.g. already enrolled), not the policy
    if r.status_code == 401 and "www-authenticate" not in r.headers:
        return 200  # the login/refresh handler refused the credentials, not the policy
    return r.status_code


@pytest.fixture
def staffed(city: City) -> City:
    for role in Role:
        if role is Role.INTEGRATION:
            city.api_key("integration", "city-police",
                         ["cameras.read", "events.read", "snapshots.read", "live.read",
                          "metrics.read", "watchlists.read", "watchlists.write",
                          "faces.search"])  # fmt: skip
        else:
            city.user(role.value, "situation-centre", role)
    return city


def test_every_route_is_in_the_expected_matrix(staffed: City) -> None:
    routes = {(r.method, r.path) for r in app_routes(staffed.app)}
    assert routes == ALL_KNOWN, f"new or removed routes: {routes ^ ALL_KNOWN}"


def test_route_by_role_matrix(staffed: City) -> None:
    routes = sorted({(r.method, r.path) for r in app_routes(staffed.app)},
                    key=lambda k: k == ("POST", "/api/auth/logout"))  # logout last  # fmt: skip
    wrong = []
    for who, allowed in EXPECTED.items():
        for method, path in routes:
            status = _call(staffed, who, method, path)
            want_allowed = (method, path) in allowed or (method, path) in PUBLIC
            if want_allowed == (status in (401, 403)):
                wrong.append((who, method, path, status))
    assert not wrong, wrong


def test_anonymous_gets_401_everywhere_but_public(staffed: City) -> None:
    for r in app_routes(staffed.app):
        status = _call(staffed, None, r.method, r.path)
        if (r.method, r.path) in PUBLIC:
            assert status not in (401, 403), (r.method, r.path, status)
        else:
            assert status in (401, 403), (r.method, r.path, status)  # WS closes with 1008


def test_a_route_without_policy_refuses_to_start(city: City) -> None:
    extra = APIRouter()

    @extra.get("/api/unguarded")
    def unguarded() -> dict[str, str]:
        return {}

    events_router.router.include_router(extra)
    try:
        with pytest.raises(RuntimeError, match="/api/unguarded"):
            create_app(store=city.store, blobs=city.blobs, bus=city.bus, access=city.svc)
    finally:
        events_router.router.routes[:] = [
            r for r in events_router.router.routes if "unguarded" not in str(getattr(r, "path", r))
        ]
