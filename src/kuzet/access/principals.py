"""Build a :class:`Principal` from stored rows: agency scope narrowed by the user's."""

from __future__ import annotations

from collections.abc import Iterable

from kuzet.access.model import Perm, Principal, Role, Scope, parse_clearances
from kuzet.access.policy import grants
from kuzet.access.tables import AgencyRow, UserRow


def principal_for(
    user: UserRow,
    agency: AgencyRow,
    *,
    session_id: str | None = None,
    api_key_id: str | None = None,
    key_permissions: Iterable[str] | None = None,
    stage: str = "full",
    ip: str | None = None,
) -> Principal:
    role = Role(user.role)
    perms = grants(role)
    if key_permissions is not None:  # a key never exceeds its account's role
        perms = perms & frozenset(Perm(p) for p in key_permissions if p in Perm._value2member_map_)
    return Principal(
        user_id=user.id,
        username=user.username,
        agency_id=user.agency_id,
        role=role,
        permissions=perms,
        scope=Scope.from_json(agency.scope).narrowed(Scope.from_json(user.scope)),
        clearances=parse_clearances(user.clearances),
        platform=agency.platform,
        session_id=session_id,
        api_key_id=api_key_id,
        stage=stage,
        ip=ip,
    )
