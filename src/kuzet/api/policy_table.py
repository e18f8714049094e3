"""The policy table: every route of the API with the permission (or gate) it needs, the
audit action it records and, for uploads, its body limit. :mod:`kuzet.api.security`
enforces it; a route missing here is refused at app start."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kuzet.access.model import Perm


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
