"""One switch for the services tests need (RTSP server, Chromium, NATS, PostgreSQL, ...).

On a developer's machine a missing service skips its tests, with the reason and how to
install it. CI sets ``KUZET_REQUIRE_SERVICES=1`` (``.ci/run``): there the same missing
service is a failure, so a tier cannot go quietly untested. Every test that needs a
service goes through :func:`require_service` (``tests/support/test_require_service.py``
checks that no other skip is left in the suite).
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import NoReturn

import pytest

ENV = "KUZET_REQUIRE_SERVICES"


def services_required() -> bool:
    """True where a missing service must fail the run (CI)."""
    return os.environ.get(ENV, "").strip() not in ("", "0", "false", "no")


def require_service(name: str, why: str) -> NoReturn:
    """The service ``name`` is missing (``why``: what is missing and how to install it):
    fail when :data:`ENV` is set, else skip. Works at module level too."""
    message = f"{name} unavailable: {why}"
    if services_required():
        pytest.fail(f"{message} ({ENV}=1: a missing service fails the run)", pytrace=False)
    pytest.skip(message, allow_module_level=True)


def import_service(module: str, name: str, why: str) -> ModuleType:
    """``import module``, or :func:`require_service` when it is not installed."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        require_service(name, f"{why} ({exc})")
