"""Agencies, user accounts and API keys (administrators; supervisors may read users).

Every change is audited (with the ``X-Kuzet-Reason`` header as its reason). Clearances
beyond the administrator's own never apply at once: they come back as
``pending_grant`` for a supervisor to approve (``/api/grants``, :mod:`kuzet.access.grants`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Response, status

from kuzet.access.model import DataClass, Role, Scope
from kuzet.access.policy import DEFAULT_CLEARANCES, HUMAN_ROLES, ROLE_GRANTS
from kuzet.access.service import AccessService
from kuzet.api.context import ApiContext, Ctx
from kuzet.api.errors import ERROR_RESPONSES, ApiError
from kuzet.api.schemas import ErrorBody
from kuzet.api.schemas_access import (
    AgencyIn,
    AgencyOut,
    ApiKeyCreated,
    ApiKeyIn,
    ApiKeyOut,
    RoleOut,
    UnlockOut,
    UserChanged,
    UserCreated,
    UserIn,
    UserOut,
    UserPatch,
)
from kuzet.api.security import REASON_HEADER, Who

router = APIRouter(tags=["accounts"], responses=ERROR_RESPONSES)
_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorBody, "description": "Exists already"}
}
Reason = Annotated[str | None, Header(alias=REASON_HEADER, max_length=500)]
AgencyId = Annotated[str, Path(max_length=64)]
Id = Annotated[str, Path(max_length=64)]


def _access(ctx: ApiContext) -> AccessService:
    if ctx.access is None:
        raise ApiError(503, "access_unconfigured", "access control is not configured")
    return ctx.access


def _scope(m: Any) -> Scope | None:
    return None if m is None else Scope.from_json(m.model_dump())


@router.get("/api/agencies", response_model=list[AgencyOut], summary="List agencies")
def list_agencies(ctx: Ctx) -> list[dict[str, Any]]:
    return _access(ctx).accounts.agencies()


@router.put("/api/agencies/{agency_id}", response_model=AgencyOut, summary="Create or change")
def put_agency(ctx: Ctx, who: Who, agency_id: AgencyId, body: AgencyIn) -> dict[str, Any]:
    if not who.platform:
        raise ApiError(403, "forbidden", "only the platform's administrators manage agencies")
    scope = Scope.from_json(body.scope.model_dump())
    return _access(ctx).accounts.upsert_agency(
        agency_id, body.name, scope, platform=body.platform, actor=who
    )


@router.get("/api/roles", response_model=list[RoleOut], summary="What each role may do")
def list_roles() -> list[RoleOut]:
    """The policy's table, read-only: permissions and default clearances per role."""
    return [
        RoleOut(
            role=r,
            permissions=sorted(ROLE_GRANTS[r]),
            clearances=sorted(DEFAULT_CLEARANCES[r]),
            human=r in HUMAN_ROLES,
        )
        for r in Role
    ]


@router.get("/api/users", response_model=list[UserOut], summary="Accounts you may manage")
def list_users(ctx: Ctx, who: Who) -> list[dict[str, Any]]:
    return _access(ctx).accounts.list_users(who)


@router.post(
    "/api/users", response_model=UserCreated, status_code=201, responses=_CONFLICT,
    summary="Create an account",
)  # fmt: skip
def create_user(ctx: Ctx, who: Who, body: UserIn, reason: Reason = None) -> dict[str, Any]:
    """People get a one-time password (shown once) and set up TOTP at first login;
    integration accounts get API keys instead."""
    cl = None if body.clearances is None else frozenset(DataClass(c) for c in body.clearances)
    view, secret = _access(ctx).accounts.create_user(
        who, body.username, body.agency_id, body.role, scope=_scope(body.scope),
        clearances=cl, reason=reason,
    )  # fmt: skip
    return {**view, "one_time_password": secret}


@router.get("/api/users/{user_id}", response_model=UserOut, summary="One account")
def get_user(ctx: Ctx, who: Who, user_id: Id) -> dict[str, Any]:
    return _access(ctx).accounts.get_user(who, user_id)


@router.patch(
    "/api/users/{user_id}", response_model=UserChanged,
    summary="Change role, agency, scope, clearances or active",
)  # fmt: skip
def patch_user(
    ctx: Ctx, who: Who, user_id: Id, body: UserPatch, reason: Reason = None
) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True, mode="json")
    changes = {k: v for k, v in changes.items() if v is not None or k == "scope"}
    if changes.get("scope") is None:
        changes.pop("scope", None)
    return _access(ctx).accounts.update_user(who, user_id, changes, reason)


@router.post("/api/users/{user_id}/reset", response_model=UserCreated, summary="Reset login")
def reset_user(ctx: Ctx, who: Who, user_id: Id, reason: Reason = None) -> dict[str, Any]:
    """New one-time password (shown once); TOTP, recovery codes and sessions are cleared.
    You now know a password of the account, so its clearances beyond yours are suspended
    (``pending_grant``) until a supervisor approves them again."""
    acc = _access(ctx).accounts
    secret, grant = acc.reset_user(who, user_id, reason)
    return {**acc.get_user(who, user_id), "one_time_password": secret, "pending_grant": grant}


@router.post("/api/users/{user_id}/reset-totp", status_code=204, summary="Reset TOTP")
def reset_totp(ctx: Ctx, who: Who, user_id: Id, reason: Reason = None) -> Response:
    """A lost phone: TOTP and recovery codes cleared, sessions ended; the password stays
    and the next login sets up TOTP again."""
    _access(ctx).accounts.reset_totp(who, user_id, reason)
    return Response(status_code=204)


@router.post("/api/users/{user_id}/unlock", response_model=UnlockOut, summary="Unlock logins")
def unlock_user(ctx: Ctx, who: Who, user_id: Id, reason: Reason = None) -> UnlockOut:
    """Forget the account's failed logins from every address (their locks end)."""
    return UnlockOut(failures_cleared=_access(ctx).accounts.unlock(who, user_id, reason))


@router.post("/api/users/{user_id}/deactivate", response_model=UserChanged,
             summary="Deactivate (sessions, keys and streams end)")  # fmt: skip
def deactivate_user(ctx: Ctx, who: Who, user_id: Id, reason: Reason = None) -> dict[str, Any]:
    return _access(ctx).accounts.update_user(who, user_id, {"active": False}, reason)


@router.post("/api/users/{user_id}/reactivate", response_model=UserChanged,
             summary="Reactivate")  # fmt: skip
def reactivate_user(ctx: Ctx, who: Who, user_id: Id, reason: Reason = None) -> dict[str, Any]:
    return _access(ctx).accounts.update_user(who, user_id, {"active": True}, reason)


@router.get(
    "/api/users/{user_id}/api-keys", response_model=list[ApiKeyOut], summary="Keys of an account"
)
def list_keys(ctx: Ctx, who: Who, user_id: Id) -> list[dict[str, Any]]:
    return _access(ctx).keys.list(who, user_id)


@router.post(
    "/api/users/{user_id}/api-keys", response_model=ApiKeyCreated, status_code=201,
    summary="New API key for an integration account",
)  # fmt: skip
def create_key(ctx: Ctx, who: Who, user_id: Id, body: ApiKeyIn) -> dict[str, Any]:
    view, key = _access(ctx).keys.create(who, user_id, [p.value for p in body.permissions],
                                         body.ttl_days)  # fmt: skip
    return {**view, "key": key}


@router.post("/api/api-keys/{key_id}/rotate", response_model=ApiKeyCreated, status_code=201,
             summary="Replace a key (the old one stops working)")  # fmt: skip
def rotate_key(ctx: Ctx, who: Who, key_id: Id) -> dict[str, Any]:
    view, key = _access(ctx).keys.rotate(who, key_id)
    return {**view, "key": key}


@router.delete("/api/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Revoke a key")  # fmt: skip
def revoke_key(ctx: Ctx, who: Who, key_id: Id) -> Response:
    _access(ctx).keys.revoke(who, key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
