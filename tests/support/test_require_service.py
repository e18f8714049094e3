"""The service switch: skip on a developer's machine, fail in CI; no other skip in tests/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from services import ENV, import_service, require_service

TESTS = Path(__file__).resolve().parents[1]


def test_missing_service_skips_without_the_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="nats unavailable: binary missing"):
        require_service("nats", "binary missing")
    monkeypatch.setenv(ENV, "0")
    with pytest.raises(pytest.skip.Exception):
        require_service("nats", "binary missing")


def test_missing_service_fails_with_the_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "1")
    with pytest.raises(pytest.fail.Exception, match=r"chromium unavailable: .*KUZET_REQUIRE"):
        require_service("chromium", "apt-get install -y chromium")
    with pytest.raises(pytest.fail.Exception, match="no_such_module"):
        import_service("no_such_module_kuzet", "thing", "pip install thing")


def test_import_service_returns_the_module(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "1")
    assert import_service("json", "json", "stdlib").dumps([]) == "[]"


def test_ci_sets_the_switch() -> None:
    ci = (TESTS.parent / ".ci" / "run").read_text()
    assert re.search(rf"^export {ENV}=1$", ci, re.M), ci


_SKIP = re.compile(r"pytest\.skip\(|importorskip\(|mark\.skip(if)?\b|KUZET_REQUIRE_RTSP")


def test_no_service_is_skipped_behind_the_switch() -> None:
    """A raw ``pytest.skip`` would pass CI silently when its service is missing."""
    offenders = [
        f"{path.relative_to(TESTS)}:{n}: {line.strip()}"
        for path in sorted(TESTS.rglob("*.py"))
        if path.name not in {"services.py", Path(__file__).name}
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if _SKIP.search(line)
    ]
    assert not offenders, "use services.require_service:\n" + "\n".join(offenders)
