"""``/docs`` (Swagger UI) and ``/redoc`` from files bundled in the package.

FastAPI's own pages load Swagger UI and ReDoc from a CDN: white pages on a city network
without internet, and a third-party request when there is one. These are the same pages
(FastAPI's ``get_swagger_ui_html`` / ``get_redoc_html``) pointed at ``/docs/assets/...``,
vendored from the npm packages by ``tools/vendor_docs_assets.py``, under a Content
Security Policy that allows nothing from outside (the one inline script, the page's
start-up, is allowed by its hash).
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from fastapi import APIRouter
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import FileResponse, HTMLResponse

from kuzet.api.errors import not_found

ASSETS = Path(__file__).resolve().parents[1] / "docs_assets"
PREFIX = "/docs/assets"
_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
_INLINE = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def csp(html: str) -> str:
    """Only this server; inline scripts only those of the page itself, by hash. ReDoc
    styles with inline ``<style>`` and searches in a worker it starts from a blob."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in _INLINE.findall(html)
    )
    return (
        f"default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )


def _page(resp: HTMLResponse) -> HTMLResponse:
    html = bytes(resp.body).decode()
    headers = {"Content-Security-Policy": csp(html), "Cache-Control": "no-cache"}
    return HTMLResponse(html, headers=headers)


def make_router(openapi_url: str, title: str) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/docs")
    def swagger() -> HTMLResponse:
        return _page(
            get_swagger_ui_html(
                openapi_url=openapi_url,
                title=f"{title} - Swagger UI",
                swagger_js_url=f"{PREFIX}/swagger-ui-bundle.js",
                swagger_css_url=f"{PREFIX}/swagger-ui.css",
                swagger_favicon_url=f"{PREFIX}/favicon-32x32.png",
                oauth2_redirect_url="/docs/oauth2-redirect",
                swagger_ui_parameters={"validatorUrl": None},  # no call to the online validator
            )
        )

    @router.get("/docs/oauth2-redirect")
    def oauth2_redirect() -> HTMLResponse:
        return _page(get_swagger_ui_oauth2_redirect_html())

    @router.get("/redoc")
    def redoc() -> HTMLResponse:
        return _page(
            get_redoc_html(
                openapi_url=openapi_url,
                title=f"{title} - ReDoc",
                redoc_js_url=f"{PREFIX}/redoc.standalone.js",
                redoc_favicon_url=f"{PREFIX}/favicon-32x32.png",
                with_google_fonts=False,
            )
        )

    @router.get(PREFIX + "/{name}")
    def asset(name: str) -> FileResponse:
        path = ASSETS / name
        if path.suffix not in _TYPES or path.parent != ASSETS or not path.is_file():
            raise not_found("file", name)
        headers = {"Cache-Control": "public, max-age=86400"}
        return FileResponse(path, media_type=_TYPES[path.suffix], headers=headers)

    return router
