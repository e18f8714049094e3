"""Least privilege in one table: what each role may do and see by default.

The API's route table (:mod:`kuzet.api.security`) names one :class:`Perm` per route;
this module says which roles hold it. Nothing else grants anything.
"""

from __future__ import annotations

from kuzet.access.model import DataClass, Perm, Role

_VIEW = {Perm.CAMERAS_READ, Perm.EVENTS_READ, Perm.SNAPSHOTS_READ, Perm.LIVE_READ}
_VIEW |= {Perm.ARCHIVE_SEARCH}  # forensic search: whoever watches video may search the past
_VIEW |= {Perm.RECORDINGS_READ, Perm.BOOKMARKS_WRITE}  # recorded video, like live video
_VIEW |= {Perm.PTZ_CONTROL}  # whoever watches a PTZ camera may turn it (audited)
_FACES = {Perm.WATCHLISTS_READ, Perm.WATCHLISTS_WRITE, Perm.FACES_SEARCH}
# the officers who review traffic violations and sign them (they hold plates clearance)
_REVIEW = {Perm.VIOLATIONS_REVIEW}
_PLATE_LISTS = {Perm.PLATE_LISTS_READ, Perm.PLATE_LISTS_WRITE}
_PLATES = {Perm.PLATES_SEARCH, Perm.PLATES_SUBJECT} | _PLATE_LISTS

ROLE_GRANTS: dict[Role, frozenset[Perm]] = {
    # Operators and supervisors work the city's outputs: sirens, speakers, door release
    # (each command confirmed and audited; kuzet.devices.commands).
    Role.OPERATOR: frozenset(_VIEW | {Perm.DEVICES_COMMAND}),
    # Supervisors are the second person: they approve clearances an administrator asked
    # for (kuzet.access.grants), which administrators cannot give themselves.
    # Supervisors (plates clearance by default) may search plates and read plate lists.
    Role.SUPERVISOR: frozenset(
        _VIEW
        | _REVIEW
        | {Perm.USERS_READ, Perm.GRANTS_APPROVE, Perm.EVIDENCE_EXPORT}
        | {Perm.PLATES_SEARCH, Perm.PLATE_LISTS_READ}
        | {Perm.DEVICES_COMMAND}
    ),
    # Watchlists and face search: investigators only (they also hold biometric clearance
    # by default); operators never see lists or hits.
    Role.INVESTIGATOR: frozenset(_VIEW | _FACES | _PLATES | _REVIEW | {Perm.EVIDENCE_EXPORT}),
    # Analysts work on event data and statistics, never on pictures.
    Role.ANALYST: frozenset({Perm.CAMERAS_READ, Perm.EVENTS_READ, Perm.METRICS_READ}),
    # Administrators run accounts and the camera registry but watch no video
    # (separation of duties: whoever grants access does not use it).
    Role.ADMINISTRATOR: frozenset(
        {
            Perm.CAMERAS_READ,
            Perm.CAMERAS_WRITE,
            Perm.METRICS_READ,
            Perm.USERS_READ,
            Perm.USERS_WRITE,
            Perm.AGENCIES_WRITE,
            Perm.API_KEYS_MANAGE,
            Perm.RETENTION_RUN,
            Perm.INTEGRATIONS_MANAGE,  # outbound webhooks' dead letters (no event content
            # beyond what the receivers get; the site file chooses what they get)
        }
    ),
    Role.AUDITOR: frozenset({Perm.AUDIT_READ, Perm.AUDIT_EXPORT, Perm.USERS_READ}),
    # The ceiling of any API key; each key holds a subset chosen when it is made.
    Role.INTEGRATION: frozenset(
        {
            Perm.CAMERAS_READ,
            Perm.EVENTS_READ,
            Perm.SNAPSHOTS_READ,
            Perm.LIVE_READ,
            Perm.METRICS_READ,
            Perm.RECORDINGS_READ,
            *_FACES,  # e.g. a police database syncing its list; given per key, on request
            Perm.SIGNALS_WRITE,  # a junction controller feeding its traffic lights
            *_PLATE_LISTS,  # e.g. the register of stolen cars keeping its plate list
        }
    ),
}

DEFAULT_CLEARANCES: dict[Role, frozenset[DataClass]] = {
    Role.OPERATOR: frozenset({DataClass.VIDEO}),
    Role.SUPERVISOR: frozenset({DataClass.VIDEO, DataClass.PLATES}),
    Role.INVESTIGATOR: frozenset({DataClass.VIDEO, DataClass.BIOMETRICS, DataClass.PLATES}),
    Role.ANALYST: frozenset(),
    Role.ADMINISTRATOR: frozenset(),
    Role.AUDITOR: frozenset(),
    Role.INTEGRATION: frozenset({DataClass.VIDEO}),
}

HUMAN_ROLES = frozenset(Role) - {Role.INTEGRATION}

# Which data class an event belongs to, by its type and by attribute keys it carries.
BIOMETRIC_EVENT_TYPES = frozenset(
    {"face_match", "face_detected", "watchlist_match", "watchlist_hit"}
)
PLATE_EVENT_TYPES = frozenset({"plate_read", "plate_unread", "anpr", "plate_match"})
# gender and age are inferred from the face: special-category data, shown only with
# biometric clearance
BIOMETRIC_ATTRIBUTES = frozenset(
    {"face", "face_embedding", "watchlist", "person_id", "watchlist_id", "photo_id", "live_crop"}
    | {"gender", "gender_confidence", "age", "age_band", "age_estimate"}
)
PLATE_ATTRIBUTES = frozenset(
    {"plate", "plate_text", "plate_display", "plate_crop", "licence_plate", "license_plate"}
)


def grants(role: Role) -> frozenset[Perm]:
    return ROLE_GRANTS[role]
