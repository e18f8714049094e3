"""Who is asking and what they may see: roles, permissions, data classes, scope, principal."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    INVESTIGATOR = "investigator"
    ANALYST = "analyst"
    ADMINISTRATOR = "administrator"
    AUDITOR = "auditor"
    INTEGRATION = "integration"


class Perm(StrEnum):
    """What a route needs. Routes name one; roles grant sets (see ``policy.ROLE_GRANTS``)."""

    CAMERAS_READ = "cameras.read"
    CAMERAS_WRITE = "cameras.write"
    EVENTS_READ = "events.read"
    SNAPSHOTS_READ = "snapshots.read"
    LIVE_READ = "live.read"
    METRICS_READ = "metrics.read"
    USERS_READ = "users.read"
    USERS_WRITE = "users.write"
    AGENCIES_WRITE = "agencies.write"
    API_KEYS_MANAGE = "apikeys.manage"
    AUDIT_READ = "audit.read"
    AUDIT_EXPORT = "audit.export"
    RETENTION_RUN = "retention.run"
    WATCHLISTS_READ = "watchlists.read"  # lists, persons, hits (with biometric clearance)
    WATCHLISTS_WRITE = "watchlists.write"  # create, enrol, sync, export and erase persons
    FACES_SEARCH = "faces.search"  # retrospective "where was this face seen"
    GRANTS_APPROVE = "grants.approve"  # the second person for clearances (access.grants)
    ARCHIVE_SEARCH = "archive.search"  # forensic search of the track index (issue 10)
    RECORDINGS_READ = "recordings.read"  # play recorded video, thumbnails, timeline (issue 10)
    BOOKMARKS_WRITE = "bookmarks.write"  # mark a camera's timeline (holds a little video)
    EVIDENCE_EXPORT = "evidence.export"  # signed exports of recorded video, with a reason
    VIOLATIONS_REVIEW = "violations.review"  # traffic violations: queue, sign a decision
    SIGNALS_WRITE = "signals.write"  # junction controllers feed traffic-light states
    PLATES_SEARCH = "plates.search"  # search plate reads (with plates clearance, audited)
    PLATE_LISTS_READ = "platelists.read"  # plate watchlists, entries and their matches
    PLATE_LISTS_WRITE = "platelists.write"  # create lists, add / import / remove plates
    PLATES_SUBJECT = "plates.subject"  # export or erase everything held on one plate
    DEVICES_COMMAND = "devices.command"  # sirens, speakers, door release (confirmed, audited)
    PTZ_CONTROL = "ptz.control"  # move a camera, go to / set presets (ONVIF; audited)
    INTEGRATIONS_MANAGE = "integrations.manage"  # webhook dead letters: list and retry


class DataClass(StrEnum):
    """Sensitive kinds of data; a user sees one only with that clearance."""

    VIDEO = "video"  # snapshots, clips
    BIOMETRICS = "biometrics"  # unblurred faces, face-match events
    PLATES = "plates"  # licence plate numbers
    CITY_AUDIT = "city_audit"  # audit records of every agency (city-wide oversight)


@dataclass(frozen=True, slots=True)
class Scope:
    """Which cameras and events a user may see; ``None`` on a field means no limit.

    ``categories`` are camera categories (school, traffic, ...), ``camera_ids`` an
    explicit camera group, ``districts`` city districts, ``event_types`` rule families.
    """

    categories: frozenset[str] | None = None
    camera_ids: frozenset[str] | None = None
    districts: frozenset[str] | None = None
    event_types: frozenset[str] | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Scope:
        data = data or {}

        def get(key: str) -> frozenset[str] | None:
            v = data.get(key)
            return None if v is None else frozenset(str(x) for x in v)

        return cls(get("categories"), get("camera_ids"), get("districts"), get("event_types"))

    def to_json(self) -> dict[str, list[str] | None]:
        def out(v: frozenset[str] | None) -> list[str] | None:
            return None if v is None else sorted(v)

        return {
            "categories": out(self.categories),
            "camera_ids": out(self.camera_ids),
            "districts": out(self.districts),
            "event_types": out(self.event_types),
        }

    def narrowed(self, other: Scope) -> Scope:
        """The intersection: a user can never see more than their agency."""

        def both(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
            if a is None:
                return b
            return a if b is None else a & b

        return Scope(
            both(self.categories, other.categories),
            both(self.camera_ids, other.camera_ids),
            both(self.districts, other.districts),
            both(self.event_types, other.event_types),
        )

    @property
    def unlimited_cameras(self) -> bool:
        return self.categories is None and self.camera_ids is None and self.districts is None

    def camera_allowed(self, camera_id: str, category: str | None, district: str | None) -> bool:
        return (
            (self.camera_ids is None or camera_id in self.camera_ids)
            and (self.categories is None or (category or "") in self.categories)
            and (self.districts is None or (district or "") in self.districts)
        )

    def type_allowed(self, event_type: str) -> bool:
        return self.event_types is None or event_type in self.event_types


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller, as every route and the audit log see it."""

    user_id: str
    username: str
    agency_id: str
    role: Role
    permissions: frozenset[Perm]
    scope: Scope
    clearances: frozenset[DataClass]
    platform: bool = False  # member of the agency that runs the platform
    session_id: str | None = None
    api_key_id: str | None = None
    stage: str = "full"  # "enrol": may only set up TOTP
    ip: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def can(self, perm: Perm) -> bool:
        return self.stage == "full" and perm in self.permissions

    def cleared(self, data_class: DataClass) -> bool:
        return data_class in self.clearances

    def may_manage_agency(self, agency_id: str) -> bool:
        return self.platform or agency_id == self.agency_id


def parse_clearances(values: Iterable[str]) -> frozenset[DataClass]:
    return frozenset(DataClass(v) for v in values)
