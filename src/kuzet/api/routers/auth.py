"""Login (password + TOTP), refresh, logout, TOTP enrolment, own account."""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter, Request, Response

from kuzet.access.errors import AccessError, AuthFailed
from kuzet.access.service import AccessService
from kuzet.access.sessions import Tokens
from kuzet.api.context import ApiContext, Ctx
from kuzet.api.errors import ERROR_RESPONSES, ApiError
from kuzet.api.schemas import ErrorBody
from kuzet.api.schemas_access import (
    ConfirmIn,
    EnrolmentOut,
    LoginIn,
    MeOut,
    PasswordIn,
    PasswordPolicyOut,
    RecoveryCodesOut,
    RefreshIn,
    ScopeModel,
    TokensOut,
)
from kuzet.api.security import ACCESS_COOKIE, REFRESH_COOKIE, Who, client_ip

router = APIRouter(prefix="/api/auth", tags=["auth"], responses=ERROR_RESPONSES)
_THROTTLED: dict[int | str, dict[str, Any]] = {
    429: {"model": ErrorBody, "description": "Too many failed logins; see Retry-After"}
}


def _access(ctx: ApiContext) -> AccessService:
    if ctx.access is None:
        raise ApiError(503, "access_unconfigured", "access control is not configured")
    return ctx.access


def _issue(ctx: ApiContext, response: Response, t: Tokens) -> TokensOut:
    """Tokens in the body (scripts) and as HttpOnly SameSite=Strict cookies (browsers)."""
    secure = ctx.secure_cookies
    response.set_cookie(
        ACCESS_COOKIE, t.access_token, expires=t.access_expires_at, path="/api",
        httponly=True, secure=secure, samesite="strict",
    )  # fmt: skip
    if t.refresh_token and t.refresh_expires_at:
        response.set_cookie(
            REFRESH_COOKIE, t.refresh_token, expires=t.refresh_expires_at,
            path="/api/auth/refresh", httponly=True, secure=secure, samesite="strict",
        )  # fmt: skip
    return TokensOut(
        access_token=t.access_token, expires_at=t.access_expires_at,
        refresh_token=t.refresh_token, refresh_expires_at=t.refresh_expires_at, stage=t.stage,
    )  # fmt: skip


@router.post("/login", response_model=TokensOut, responses=_THROTTLED, summary="Log in")
async def login(ctx: Ctx, request: Request, body: LoginIn, response: Response) -> TokensOut:
    """Password and a TOTP code (or one recovery code). A first login, before TOTP is set
    up, returns an ``enrol`` session that can only enrol TOTP."""
    access = _access(ctx)
    t = await anyio.to_thread.run_sync(
        lambda: access.sessions.login(
            body.username,
            body.password,
            totp_code=body.totp_code,
            recovery_code=body.recovery_code,
            ip=client_ip(request),
        )
    )
    return _issue(ctx, response, t)


@router.post("/refresh", response_model=TokensOut, summary="New tokens for a refresh token")
async def refresh(ctx: Ctx, request: Request, body: RefreshIn, response: Response) -> TokensOut:
    access = _access(ctx)
    token = body.refresh_token or request.cookies.get(REFRESH_COOKIE)
    if not token:
        raise AuthFailed("refresh token required")
    t = await anyio.to_thread.run_sync(access.sessions.refresh, token, client_ip(request))
    return _issue(ctx, response, t)


@router.post("/logout", status_code=204, summary="End this session (access and refresh)")
def logout(ctx: Ctx, who: Who) -> Response:
    if who.session_id is not None:
        _access(ctx).sessions.revoke(who.session_id)
    response = Response(status_code=204)
    response.delete_cookie(ACCESS_COOKIE, path="/api")
    response.delete_cookie(REFRESH_COOKIE, path="/api/auth/refresh")
    return response


@router.get("/password-policy", response_model=PasswordPolicyOut, summary="The password rules")
def password_policy(ctx: Ctx) -> dict[str, Any]:
    """Public, so the login page shows the rules before anyone types. Letters of any
    alphabet (Cyrillic, Kazakh, Latin) count as letters."""
    return _access(ctx).passwords.rules()


@router.get("/me", response_model=MeOut, summary="Who am I, and what may I do")
def me(who: Who) -> MeOut:
    return MeOut(
        user_id=who.user_id, username=who.username, agency_id=who.agency_id, role=who.role,
        stage=who.stage, permissions=sorted(who.permissions), clearances=sorted(who.clearances),
        scope=ScopeModel(**who.scope.to_json()),
    )  # fmt: skip


@router.post("/totp/enrol", response_model=EnrolmentOut, summary="Start TOTP set-up")
def totp_enrol(ctx: Ctx, who: Who) -> EnrolmentOut:
    e = _access(ctx).accounts.enrol_totp(who)
    return EnrolmentOut(secret=e.secret, otpauth_uri=e.otpauth_uri, qr_svg=e.qr_svg)


@router.post("/totp/confirm", response_model=RecoveryCodesOut, summary="Finish TOTP set-up")
def totp_confirm(ctx: Ctx, who: Who, body: ConfirmIn) -> RecoveryCodesOut:
    """Checks the first code, replaces the one-time password, returns recovery codes.
    The enrolment session ends: log in again with password and code."""
    codes = _access(ctx).accounts.confirm_totp(who, body.code, body.new_password)
    return RecoveryCodesOut(recovery_codes=codes)


@router.post("/password", status_code=204, summary="Change my password (ends all sessions)")
def change_password(ctx: Ctx, who: Who, body: PasswordIn) -> Response:
    _access(ctx).accounts.change_password(who, body.old_password, body.new_password)
    return Response(status_code=204)


__all__ = ["AccessError", "router"]
