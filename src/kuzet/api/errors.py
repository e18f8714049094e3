"""One JSON error shape (``ErrorBody``) for every failure, validation included.

FastAPI's default 422 nests pydantic internals; operators and scripts get a flat
list of ``{field, message, type}`` instead, with the field path spelled out.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kuzet.access.errors import AccessError
from kuzet.api.schemas import ErrorBody, error_body
from kuzet.storage import StorageUnavailable

log = logging.getLogger(__name__)

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    429: "too_many_attempts",
}

# For route decorators, so the OpenAPI schema documents the real error shape.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Not authenticated, or the token is no longer valid"},
    403: {"model": ErrorBody, "description": "Your role does not allow this"},
    404: {"model": ErrorBody, "description": "Not found"},
    422: {"model": ErrorBody, "description": "Invalid input; `fields` names each bad field"},
}


class ApiError(StarletteHTTPException):
    """An HTTP error with a machine-readable code."""

    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        fields: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status_code, message, headers=headers)
        self.code = code
        self.fields = fields


def invalid(field: str, message: str) -> ApiError:
    """A 422 for a check pydantic cannot express (e.g. two fields that must agree)."""
    return ApiError(
        422,
        "validation_error",
        f"invalid input: {field}",
        [{"field": field, "message": message, "type": "value_error"}],
    )


def not_found(what: str, ident: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} {ident!r} not found")


def field_errors(errors: Sequence[Any]) -> list[dict[str, str]]:
    """Pydantic error dicts -> ``[{field: 'query.limit', message, type}]``."""
    out = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ())]
        out.append(
            {
                "field": ".".join(loc) or "request",
                "message": str(err.get("msg", "invalid")),
                "type": str(err.get("type", "value_error")),
            }
        )
    return out


def validation_error(errors: Sequence[Any]) -> JSONResponse:
    fields = field_errors(errors)
    names = ", ".join(f["field"] for f in fields)
    return JSONResponse(
        error_body("validation_error", f"invalid input: {names}", fields=fields), status_code=422
    )


async def _on_validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return validation_error(exc.errors())


async def _on_http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = getattr(exc, "code", None) or _CODES.get(exc.status_code, f"http_{exc.status_code}")
    body = error_body(code, str(exc.detail), fields=getattr(exc, "fields", None))
    body.update(getattr(exc, "extra", None) or {})  # e.g. the nearest recorded time
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


async def _on_access(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AccessError)
    headers = None if exc.retry_after is None else {"Retry-After": str(exc.retry_after)}
    until = getattr(exc, "until", None)
    body = error_body(exc.code, exc.message, until=until)
    return JSONResponse(jsonable_encoder(body), status_code=exc.status, headers=headers)


async def _on_storage(request: Request, exc: Exception) -> JSONResponse:
    """S3 (blobs, recordings) cannot be reached: a 503 the client may retry, not a 500."""
    log.warning("storage unavailable on %s %s: %s", request.method, request.url.path, exc)
    body = error_body("storage_unavailable", "storage is unreachable now; try again later")
    return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse(error_body("internal_error", "internal server error"), status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(AccessError, _on_access)
    app.add_exception_handler(StorageUnavailable, _on_storage)
    app.add_exception_handler(Exception, _on_unexpected)
