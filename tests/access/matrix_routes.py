"""The expected side of the route x role matrix (test_matrix.py): every route, grouped by
what it needs, and which groups each role holds, written out independently of the policy
table (kuzet.api.policy_table)."""

from __future__ import annotations

AUTH_SESSION = {("POST", "/api/auth/logout"), ("GET", "/api/auth/me"),
                ("POST", "/api/auth/totp/enrol"), ("POST", "/api/auth/totp/confirm"),
                ("POST", "/api/auth/password")}  # fmt: skip
PUBLIC = {("GET", "/healthz"), ("GET", "/openapi.json"), ("GET", "/docs"), ("GET", "/redoc"),
          ("GET", "/docs/oauth2-redirect"), ("POST", "/api/auth/login"),
          ("POST", "/api/auth/refresh"), ("GET", "/api/auth/password-policy")}  # fmt: skip
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
                      ("DELETE", "/api/api-keys/{key_id}"),
                      ("POST", "/api/users/{user_id}/reset-totp"),
                      ("POST", "/api/users/{user_id}/unlock"),
                      ("POST", "/api/users/{user_id}/deactivate"),
                      ("POST", "/api/users/{user_id}/reactivate")}  # fmt: skip
# clearance requests: read with the accounts, decided by a second person (supervisors)
USERS_READ |= {("GET", "/api/grants")}
ADMIN |= {("GET", "/api/grants")}
# what each role may do (read-only, from the policy): with the accounts
USERS_READ |= {("GET", "/api/roles")}
ADMIN |= {("GET", "/api/roles")}
GRANTS = {("POST", "/api/grants/{grant_id}/approve"), ("POST", "/api/grants/{grant_id}/reject")}
AUDIT = {("GET", "/api/audit"), ("GET", "/api/audit/export"), ("GET", "/api/audit/verify")}
# operations centre (issue 6)
PUBLIC |= {("GET", "/"), ("GET", "/ui/{path}")}
CAM_READ |= {("GET", "/api/ops/cameras")}
EVENTS |= {("GET", "/api/ops/stats"), ("GET", "/api/ops/stats.csv")}
SNAP |= {("GET", "/api/ops/cameras/{camera_id}/live.mjpeg"),
         ("GET", "/api/events/{event_id}/clip")}  # fmt: skip
LIVE |= {
    ("GET", "/api/ops/incidents"),
    ("GET", "/api/ops/incidents/{incident_id}"),
    ("POST", "/api/ops/incidents/{incident_id}/steps"),
    ("WS", "/api/ws/ops"),
}
# a whole shift (issue 11): settings and saved wall views for any person signed in,
# the journal with the statistics, the hand-over with the queue, the basemap with the map
PUBLIC |= {("GET", "/docs/assets/{name}")}
ANY_PERSON = {("GET", "/api/ops/settings"), ("GET", "/api/me/views"),
              ("PUT", "/api/me/views/{name}"), ("DELETE", "/api/me/views/{name}")}  # fmt: skip
AUTH_SESSION |= ANY_PERSON
EVENTS |= {("GET", "/api/ops/journal")}
LIVE |= {("GET", "/api/ops/handover"), ("GET", "/api/ops/handover.csv")}
CAM_READ |= {("GET", "/api/ops/basemap.pmtiles")}
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
# traffic violations (issue 14): officers review and sign; export with the exports
_VIO = "/api/violations/{violation_id}"
VIOLATIONS = {("GET", "/api/violations"), ("GET", "/api/violations/officer-key"),
              ("POST", "/api/violations/officer-key"), ("GET", _VIO),
              ("GET", _VIO + "/parts/{name}"), ("POST", _VIO + "/decision")}  # fmt: skip
EXPORT |= {("GET", _VIO + "/package")}
CAM_READ |= {("GET", "/api/signals")}
# drones (issue 15): their paths on the map, scoped like the camera of the same id
CAM_READ |= {("GET", "/api/drones"), ("GET", "/api/drones/{drone_id}/track")}
SIGNALS = {("POST", "/api/signals")}
# devices (issue 15): read like cameras; the webhook is signed, not a session's
CAM_READ |= {("GET", "/api/devices"), ("GET", "/api/devices/{device_id}")}
PUBLIC |= {("POST", "/api/devices/webhook")}
# plate data (issue 14): search, one plate's export / erase, plate watchlists
_PL = "/api/plate-lists/{list_id}"
PLATE_SEARCH = {("GET", "/api/plates/reads")}
PLATE_SUBJECT = {("GET", "/api/plates/{plate}/export"), ("DELETE", "/api/plates/{plate}")}
PLATE_LISTS_READ = {("GET", "/api/plate-lists"), ("GET", _PL), ("GET", _PL + "/entries"),
                    ("GET", _PL + "/matches")}  # fmt: skip
PLATE_LISTS_WRITE = {("POST", "/api/plate-lists"), ("PATCH", _PL), ("DELETE", _PL),
                     ("POST", _PL + "/entries"), ("DELETE", _PL + "/entries/{entry_id}"),
                     ("POST", _PL + "/import")}  # fmt: skip
PLATE_LISTS = PLATE_LISTS_READ | PLATE_LISTS_WRITE
PLATES = PLATE_SEARCH | PLATE_SUBJECT | PLATE_LISTS
# traffic figures (issue 14): counts and trips, no plate
EVENTS |= {("GET", f"/api/traffic/{x}") for x in ("layout", "series", "od", "forecast")}
# devices (issue 15): devices on the map, an alarm's cameras and pictures, commands
CAM_READ |= {("GET", "/api/ops/devices")}
LIVE |= {("GET", "/api/ops/incidents/{incident_id}/cameras")}
SNAP |= {("GET", "/api/ops/incidents/{incident_id}/cameras/{camera_id}/snapshot.jpg")}
DEVICE_COMMANDS = {("POST", "/api/devices/{device_id}/commands"),
                   ("POST", "/api/device-commands/{command_id}/confirm"),
                   ("GET", "/api/device-commands/{command_id}"),
                   ("GET", "/api/devices/{device_id}/commands")}  # fmt: skip

# integrations (issue 15): CSV import and ONVIF with the camera registry, PTZ for whoever
# watches video, the webhook dead letters for administrators
_PTZ = "/api/cameras/{camera_id}/ptz"
CAM_WRITE |= {("POST", "/api/cameras/import"), ("POST", "/api/integrations/onvif/discover"),
              ("GET", "/api/cameras/{camera_id}/onvif/profiles")}  # fmt: skip
PTZ = {("POST", _PTZ + "/move"), ("POST", _PTZ + "/stop"), ("GET", _PTZ + "/presets"),
       ("POST", _PTZ + "/presets"), ("POST", _PTZ + "/presets/{preset}/goto")}  # fmt: skip
LIVE |= {("GET", "/api/ops/incidents/{incident_id}/cap")}  # CAP 1.2 for dispatch systems
INTEGRATIONS = {("GET", "/api/integrations/dead-letters"),
                ("POST", "/api/integrations/dead-letters/{dead_id}/retry")}  # fmt: skip

VIEWER = CAM_READ | EVENTS | SNAP | LIVE
EXPECTED: dict[str, set[tuple[str, str]]] = {
    "operator": VIEWER | ARCHIVE | RECORDINGS | BOOKMARK | DEVICE_COMMANDS | PTZ | AUTH_SESSION,
    "supervisor": VIEWER
    | ARCHIVE
    | RECORDINGS
    | BOOKMARK
    | PTZ
    | EXPORT
    | VIOLATIONS
    | USERS_READ
    | GRANTS
    | PLATE_SEARCH
    | PLATE_LISTS_READ
    | DEVICE_COMMANDS
    | AUTH_SESSION,
    "investigator": VIEWER
    | ARCHIVE
    | RECORDINGS
    | BOOKMARK
    | PTZ
    | EXPORT
    | FACES
    | PLATES
    | VIOLATIONS
    | AUTH_SESSION,
    "analyst": CAM_READ | EVENTS | METRICS | AUTH_SESSION,
    "administrator": CAM_READ | CAM_WRITE | METRICS | ADMIN | INTEGRATIONS | AUTH_SESSION,
    "auditor": AUDIT | USERS_READ | AUTH_SESSION,
    # every permission a key may hold
    "integration": VIEWER | METRICS | FACES | PLATE_LISTS | SIGNALS,
}
ALL_KNOWN = PUBLIC | AUTH_SESSION | CAM_READ | CAM_WRITE | EVENTS | SNAP | LIVE | METRICS
ALL_KNOWN |= ADMIN | AUDIT | FACES | GRANTS | ANY_PERSON | ARCHIVE | RECORDINGS | BOOKMARK
ALL_KNOWN |= EXPORT | VIOLATIONS | SIGNALS | PLATES | DEVICE_COMMANDS | PTZ | INTEGRATIONS
