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
from .matrix_routes import (
    _P,
    _PL,
    _PTZ,
    _REC,
    _REC_PARTS,
    _VIO,
    ALL_KNOWN,
    DEVICE_COMMANDS,
    EXPECTED,
    FACES,
    PLATE_LISTS,
    PTZ,
    PUBLIC,
)

# What an allowed caller gets back, route by route, for the placeholder ids ("nope") and an
# empty JSON body: the handler's own answer, never the gate's. Written out by hand, so a
# handler that starts refusing (or a gate that denies with another code) shows up here.
ALLOWED_OUTCOME: dict[tuple[str, str], str] = {
    # public
    ("GET", "/healthz"): "200", ("GET", "/openapi.json"): "200", ("GET", "/docs"): "200",
    ("GET", "/redoc"): "200", ("GET", "/docs/oauth2-redirect"): "200", ("GET", "/"): "200",
    ("GET", "/ui/{path}"): "200",
    ("POST", "/api/auth/login"): "422:validation_error",
    ("POST", "/api/auth/refresh"): "401:unauthorized",  # no refresh token in the body
    ("GET", "/api/auth/password-policy"): "200",
    # own session
    ("GET", "/api/auth/me"): "200", ("POST", "/api/auth/logout"): "204",
    ("POST", "/api/auth/totp/enrol"): "403:forbidden",  # already enrolled
    ("POST", "/api/auth/totp/confirm"): "422:validation_error",
    ("POST", "/api/auth/password"): "422:validation_error",
    # cameras
    ("GET", "/api/cameras"): "200", ("GET", "/api/cameras/{camera_id}"): "404:not_found",
    ("POST", "/api/cameras"): "422:validation_error",
    ("PUT", "/api/cameras/{camera_id}"): "422:validation_error",
    ("DELETE", "/api/cameras/{camera_id}"): "404:not_found",
    ("GET", "/api/ops/cameras"): "200",
    # events and pictures
    ("GET", "/api/events"): "200", ("GET", "/api/events/{event_id}"): "404:not_found",
    ("GET", "/api/events/{event_id}/snapshot"): "404:not_found",
    ("GET", "/api/events/{event_id}/clip"): "404:not_found",
    ("GET", "/api/ops/cameras/{camera_id}/live.mjpeg"): "404:not_found",
    ("GET", "/api/ops/stats"): "200", ("GET", "/api/ops/stats.csv"): "200",
    ("WS", "/api/ws/events"): "101",
    # operations centre
    ("GET", "/api/ops/settings"): "200", ("GET", "/api/ops/incidents"): "200",
    ("GET", "/api/ops/incidents/{incident_id}"): "404:not_found",
    ("POST", "/api/ops/incidents/{incident_id}/steps"): "422:validation_error",
    ("WS", "/api/ws/ops"): "101",
    ("GET", "/api/ops/journal"): "200", ("GET", "/api/ops/handover"): "200",
    ("GET", "/api/ops/handover.csv"): "200",
    ("GET", "/api/ops/basemap.pmtiles"): "404:no_basemap",  # none configured in this city
    ("GET", "/api/me/views"): "200", ("PUT", "/api/me/views/{name}"): "422:validation_error",
    ("DELETE", "/api/me/views/{name}"): "404:not_found",
    ("GET", "/docs/assets/{name}"): "404:not_found",  # "nope" is no bundled file
    ("GET", "/metrics"): "200",
    # accounts
    ("GET", "/api/agencies"): "200", ("PUT", "/api/agencies/{agency_id}"): "422:validation_error",
    ("GET", "/api/users"): "200", ("GET", "/api/users/{user_id}"): "404:not_found",
    ("POST", "/api/users"): "422:validation_error",
    ("PATCH", "/api/users/{user_id}"): "404:not_found",
    ("POST", "/api/users/{user_id}/reset"): "404:not_found",
    ("GET", "/api/users/{user_id}/api-keys"): "404:not_found",
    ("POST", "/api/users/{user_id}/api-keys"): "422:validation_error",
    ("POST", "/api/api-keys/{key_id}/rotate"): "404:not_found",
    ("DELETE", "/api/api-keys/{key_id}"): "404:not_found",
    ("POST", "/api/users/{user_id}/reset-totp"): "404:not_found",
    ("POST", "/api/users/{user_id}/unlock"): "404:not_found",
    ("POST", "/api/users/{user_id}/deactivate"): "404:not_found",
    ("POST", "/api/users/{user_id}/reactivate"): "404:not_found",
    ("GET", "/api/grants"): "200", ("GET", "/api/roles"): "200",
    ("POST", "/api/grants/{grant_id}/approve"): "404:not_found",
    ("POST", "/api/grants/{grant_id}/reject"): "404:not_found",
    # audit
    ("GET", "/api/audit"): "200", ("GET", "/api/audit/export"): "200",
    ("GET", "/api/audit/verify"): "200",
    # watchlists and faces (views, exports and erasures need a reason: 422 without one)
    ("GET", "/api/watchlists"): "200", ("POST", "/api/watchlists"): "422:validation_error",
    ("GET", "/api/watchlists/{watchlist_id}"): "404:not_found",
    ("PATCH", "/api/watchlists/{watchlist_id}"): "404:not_found",
    ("DELETE", "/api/watchlists/{watchlist_id}"): "422:validation_error",
    ("GET", "/api/watchlists/{watchlist_id}/persons"): "404:not_found",
    ("POST", "/api/watchlists/{watchlist_id}/persons"): "422:validation_error",
    ("POST", "/api/watchlists/{watchlist_id}/sync"): "404:not_found",
    ("GET", _P): "404:not_found", ("DELETE", _P): "422:validation_error",
    ("GET", _P + "/photos/{photo_id}"): "422:validation_error",
    ("GET", _P + "/export"): "422:validation_error",
    ("GET", "/api/faces/hits"): "200", ("GET", "/api/faces/hits/{hit_id}"): "422:validation_error",
    ("POST", "/api/faces/search"): "422:validation_error",
    # forensic search (an empty archive): no time range is a 422, an unknown track a 404
    ("GET", "/api/archive/info"): "200", ("GET", "/api/archive/tracks"): "422:validation_error",
    ("GET", "/api/archive/tracks/{track_ref}/snapshot"): "404:not_found",
    ("POST", "/api/archive/tracks/face"): "422:validation_error",
    # recorded video (an empty recording): no range is a 422, an unknown segment a 404
    **{("GET", f"{_REC}/{x}"): "422:validation_error" for x in _REC_PARTS},
    ("GET", f"{_REC}/segments/{{segment_id}}"): "404:not_found",
    ("WS", "/api/ws/recordings/{camera_id}/live"): "1008",  # no such camera
    ("GET", "/api/bookmarks"): "422:validation_error",  # which camera?
    ("POST", "/api/bookmarks"): "422:validation_error",
    ("PATCH", "/api/bookmarks/{bookmark_id}"): "404:not_found",
    ("DELETE", "/api/bookmarks/{bookmark_id}"): "404:not_found",
    ("POST", "/api/exports"): "422:validation_error", ("GET", "/api/exports"): "200",
    ("GET", "/api/exports/{export_id}"): "404:not_found",
    ("GET", "/api/exports/{export_id}/download"): "404:not_found",
    ("POST", "/api/exports/{export_id}/release"): "422:validation_error",  # reason required
    ("GET", "/api/evidence/public-key"): "200",
    ("GET", "/api/violations"): "200", ("GET", "/api/violations/officer-key"): "200",
    ("POST", "/api/violations/officer-key"): "422:validation_error",
    ("GET", _VIO): "404:not_found", ("GET", _VIO + "/parts/{name}"): "404:not_found",
    ("POST", _VIO + "/decision"): "422:validation_error",
    ("GET", _VIO + "/package"): "404:not_found",
    # traffic lights: this city runs no signal board
    ("GET", "/api/signals"): "503:signals_unavailable",
    ("POST", "/api/signals"): "422:validation_error",
    # devices: none in this city, and no webhook configured
    ("GET", "/api/devices"): "200", ("GET", "/api/devices/{device_id}"): "404:not_found",
    ("POST", "/api/devices/webhook"): "404:webhook_unavailable",
    # drones: this city flies none
    ("GET", "/api/drones"): "200",  # none: an empty map layer
    ("GET", "/api/drones/{drone_id}/track"): "404:drones_unavailable",
    # plate data: a search needs q and a reason, an export or erasure a reason; "nope" is
    # no list
    ("GET", "/api/plates/reads"): "422:validation_error",
    ("GET", "/api/plates/{plate}/export"): "422:validation_error",
    ("DELETE", "/api/plates/{plate}"): "422:validation_error",
    ("GET", "/api/plate-lists"): "200", ("POST", "/api/plate-lists"): "422:validation_error",
    ("GET", _PL): "404:not_found", ("PATCH", _PL): "404:not_found",
    ("DELETE", _PL): "422:validation_error", ("GET", _PL + "/entries"): "404:not_found",
    ("POST", _PL + "/entries"): "422:validation_error",
    ("DELETE", _PL + "/entries/{entry_id}"): "404:not_found",
    ("POST", _PL + "/import"): "404:not_found", ("GET", _PL + "/matches"): "404:not_found",
    # traffic (no figures yet): a forecast needs its segment
    ("GET", "/api/traffic/layout"): "200", ("GET", "/api/traffic/series"): "200",
    ("GET", "/api/traffic/od"): "200", ("GET", "/api/traffic/forecast"): "422:validation_error",
    # devices: this city has none connected
    **{route: "404:devices_unavailable" for route in DEVICE_COMMANDS},
    ("GET", "/api/ops/devices"): "200",  # none: an empty map layer
    ("GET", "/api/ops/incidents/{incident_id}/cameras"): "404:devices_unavailable",
    ("GET", "/api/ops/incidents/{incident_id}/cameras/{camera_id}/snapshot.jpg"):
        "404:devices_unavailable",
    # integrations: "{}" is no CSV (no id, main_url columns); this city runs no integrations
    # (the dead-letter list is read from the store all the same); "nope" is no camera
    ("POST", "/api/cameras/import"): "422:import_invalid",
    ("POST", "/api/integrations/onvif/discover"): "503:integrations_unavailable",
    ("GET", "/api/cameras/{camera_id}/onvif/profiles"): "404:not_found",
    **{r: "404:not_found" for r in PTZ},
    ("POST", _PTZ + "/presets"): "422:validation_error",  # no name
    ("GET", "/api/integrations/dead-letters"): "200",
    ("POST", "/api/integrations/dead-letters/{dead_id}/retry"): "404:not_found",
    ("GET", "/api/ops/incidents/{incident_id}/cap"): "404:not_found",
}  # fmt: skip
# Where the role changes the handler's answer: the integration key holds the face
# permissions but no biometric clearance, which every face route checks next.
OVERRIDES: dict[tuple[str, str, str], str] = {
    ("integration", m, p): "403:clearance_required" for m, p in FACES | PLATE_LISTS
}  # (and the plate list permissions but no plates clearance)
DENIED = {"HTTP": "403:permission_denied", "WS": "1008"}


def _call(city: City, who: str | None, method: str, path: str) -> str:
    """The outcome as ``status`` or ``status:error code`` (WebSocket: 101 or the close code)."""
    url = path.format(camera_id="nope", event_id="nope", user_id="nope", agency_id="nope",
                      key_id="nope", incident_id="nope", path="", watchlist_id="nope",
                      person_id="nope", photo_id="nope", hit_id="nope", name="nope",
                      grant_id="nope", track_ref="x", segment_id="1", export_id="nope",
                      bookmark_id="nope", violation_id="nope", plate="nope",
                      list_id="nope", entry_id="nope", device_id="nope",
                      command_id="nope", drone_id="nope", preset="nope",
                      dead_id="nope")  # fmt: skip
    headers = {} if who is None else city.h(who)
    if method == "WS":
        try:
            with city.client.websocket_connect(url, headers=headers):
                return "101"
        except WebSocketDisconnect as exc:
            return str(exc.code)
    r = city.client.request(method, url, headers=headers, json={} if method != "GET" else None)
    if r.status_code < 400:
        return str(r.status_code)
    return f"{r.status_code}:{r.json().get('error')}"


def expected(who: str, method: str, path: str) -> str:
    route = (method, path)
    if route in PUBLIC or route in EXPECTED[who]:
        return OVERRIDES.get((who, method, path), ALLOWED_OUTCOME[route])
    return DENIED["WS" if method == "WS" else "HTTP"]


@pytest.fixture
def staffed(city: City) -> City:
    for role in Role:
        if role is Role.INTEGRATION:
            city.api_key("integration", "city-police",
                         ["cameras.read", "events.read", "snapshots.read", "live.read",
                          "metrics.read", "watchlists.read", "watchlists.write",
                          "faces.search", "signals.write", "platelists.read",
                          "platelists.write"])  # fmt: skip
        else:
            city.user(role.value, "situation-centre", role)
    return city


def test_every_route_is_in_the_expected_matrix(staffed: City) -> None:
    listed = [(r.method, r.path) for r in app_routes(staffed.app)]
    # a router included twice answers the same, but its OpenAPI ids clash: each route once
    assert len(listed) == len(set(listed)), sorted({x for x in listed if listed.count(x) > 1})
    routes = set(listed)
    assert routes == ALL_KNOWN, f"new or removed routes: {routes ^ ALL_KNOWN}"


def test_every_route_has_an_expected_outcome() -> None:
    assert set(ALLOWED_OUTCOME) == ALL_KNOWN, set(ALLOWED_OUTCOME) ^ ALL_KNOWN


def test_route_by_role_matrix(staffed: City) -> None:
    """Each (role, route) answers exactly as written: the gate's denial (403
    ``permission_denied``, WebSocket 1008) or the handler's own answer."""
    routes = sorted({(r.method, r.path) for r in app_routes(staffed.app)},
                    key=lambda k: k == ("POST", "/api/auth/logout"))  # logout last  # fmt: skip
    wrong = []
    for who in EXPECTED:
        for method, path in routes:
            got, want = _call(staffed, who, method, path), expected(who, method, path)
            if got != want:
                wrong.append((who, method, path, f"got {got}, want {want}"))
    assert not wrong, wrong


def test_anonymous_gets_401_everywhere_but_public(staffed: City) -> None:
    for r in app_routes(staffed.app):
        got = _call(staffed, None, r.method, r.path)
        if (r.method, r.path) in PUBLIC:
            want = ALLOWED_OUTCOME[(r.method, r.path)]
        else:
            want = "1008" if r.method == "WS" else "401:unauthorized"
        assert got == want, (r.method, r.path, got, want)


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
