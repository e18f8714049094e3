"""Issue 11, blocker 4: /docs and /redoc work offline. Their pages load only files this
server serves (bundled from swagger-ui-dist and redoc), name no outside URL, and their
Content Security Policy allows nothing from elsewhere."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from fastapi.testclient import TestClient

from kuzet.api.routers.docs import ASSETS

_REF = re.compile(r"""(?:src|href|spec-url)\s*=\s*["']([^"']+)["']""")
_URL = re.compile(r"""(?:https?:)?//[A-Za-z0-9.-]+""")


@pytest.mark.parametrize("page", ["/docs", "/redoc", "/docs/oauth2-redirect"])
def test_docs_pages_load_only_local_files(client: TestClient, page: str) -> None:
    r = client.get(page)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert not _URL.search(html.replace("window.location.origin", "")), _URL.findall(html)
    refs = _REF.findall(html)
    if page != "/docs/oauth2-redirect":
        assert refs, "the page loads its script from somewhere"
    for ref in refs:
        assert ref.startswith("/") and not ref.startswith("//"), ref
        got = client.get(ref)
        assert got.status_code == 200, ref
        if ref.endswith(".js"):
            assert got.headers["content-type"].startswith("text/javascript")
    policy = r.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "http" not in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]


def test_bundled_assets_are_the_pinned_packages(client: TestClient) -> None:
    manifest = json.loads((ASSETS / "manifest.json").read_text())
    assert set(manifest["packages"]) == {"swagger-ui-dist", "redoc"}
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((ASSETS / name).read_bytes()).hexdigest() == digest, name
    js = client.get("/docs/assets/swagger-ui-bundle.js")
    assert hashlib.sha256(js.content).hexdigest() == manifest["files"]["swagger-ui-bundle.js"]
    for bad in ("/docs/assets/manifest.json", "/docs/assets/..%2F__init__.py",
                "/docs/assets/LICENSE.redoc"):  # fmt: skip
        assert client.get(bad).status_code == 404, bad
