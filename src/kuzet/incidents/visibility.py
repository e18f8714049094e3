"""Who sees an incident: one rule for the queue, the detail, the steps, the statistics, the
journal, the hand-over report and the WebSocket, so no path can disagree with another.

An incident is visible to a person when all of these hold:

* **agency**: the platform agency sees every incident; any other agency only those routed
  or assigned to it (now or before);
* **scope**: the person's own scope (camera ids, camera categories, districts, event
  types), applied to the camera, category, district and type the incident was made with;
* **clearance**: face-match incidents (watchlist hits) need biometric clearance and plate
  incidents plate clearance, as their events do (:func:`kuzet.access.scope.event_view`).
  Without it the incident is not shown at all, not shown redacted: its type, camera and
  time already say "this camera saw someone on a watchlist".
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import ColumnElement, String, cast, true

from kuzet.access.model import DataClass, Principal
from kuzet.access.policy import BIOMETRIC_EVENT_TYPES, PLATE_EVENT_TYPES
from kuzet.incidents.tables import IncidentRow


class _Visible(Protocol):
    @property
    def agencies(self) -> list[str]: ...
    @property
    def type(self) -> str: ...
    @property
    def camera_id(self) -> str: ...
    @property
    def category(self) -> str | None: ...
    @property
    def district(self) -> str | None: ...


def hidden_types(p: Principal) -> frozenset[str]:
    """Incident types ``p`` lacks the clearance for."""
    out: frozenset[str] = frozenset()
    if not p.cleared(DataClass.BIOMETRICS):
        out |= BIOMETRIC_EVENT_TYPES
    if not p.cleared(DataClass.PLATES):
        out |= PLATE_EVENT_TYPES
    return out


def visible(p: Principal, inc: _Visible) -> bool:
    if not (p.platform or p.agency_id in (inc.agencies or [])):
        return False
    if not p.scope.type_allowed(inc.type) or inc.type in hidden_types(p):
        return False
    return p.scope.camera_allowed(inc.camera_id, inc.category, inc.district)


def prefilter(p: Principal) -> ColumnElement[bool]:
    """SQL that keeps every incident :func:`visible` keeps (and, for a non-platform agency,
    perhaps a few more: its ``agencies`` test is a text match); callers still apply
    :func:`visible` to each row. It lets paging queries skip what is surely hidden."""
    c = IncidentRow
    cond: ColumnElement[bool] = true()
    sc = p.scope
    if sc.event_types is not None:
        cond &= c.type.in_(sorted(sc.event_types))
    if hidden := hidden_types(p):
        cond &= c.type.not_in(sorted(hidden))
    if sc.camera_ids is not None:
        cond &= c.camera_id.in_(sorted(sc.camera_ids))
    for col, allowed in ((c.category, sc.categories), (c.district, sc.districts)):
        if allowed is not None:
            test = col.in_(sorted(allowed))
            cond &= (test | col.is_(None)) if "" in allowed else test
    if not p.platform and p.agency_id.isascii():  # JSON text may escape other characters
        cond &= cast(c.agencies, String).contains(f'"{p.agency_id}"', autoescape=True)
    return cond
