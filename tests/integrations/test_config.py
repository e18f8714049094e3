"""The site file's ``integrations:`` section: secrets from the environment, strict
checks with the line named."""

from __future__ import annotations

from pathlib import Path

import pytest

from kuzet.config import ConfigError, load_site

SITE = """site: t
integrations:
  webhooks:
    - name: d112
      url: https://dispatch.example/kuzet
      secret: ${KUZET_TEST_HOOK}
      cap: true
      incidents: {types: [fire], max_priority: 1}
"""


def test_secret_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "site.yaml"
    f.write_text(SITE)
    monkeypatch.setenv("KUZET_TEST_HOOK", "a-long-enough-secret-1")
    site = load_site(f)
    [hook] = site.integrations.webhooks
    assert hook.secret.get_secret_value() == "a-long-enough-secret-1"
    assert "a-long-enough" not in repr(site)  # never printed in logs or errors
    monkeypatch.delenv("KUZET_TEST_HOOK")
    with pytest.raises(ConfigError, match="KUZET_TEST_HOOK is not set"):
        load_site(f)


def test_short_secret_refused(tmp_path: Path) -> None:
    f = tmp_path / "site.yaml"
    f.write_text(SITE.replace("${KUZET_TEST_HOOK}", "short"))
    with pytest.raises(ConfigError, match="shorter than 16"):
        load_site(f)


def test_target_without_filters_and_duplicate_names_refused(tmp_path: Path) -> None:
    f = tmp_path / "site.yaml"
    f.write_text(
        "integrations:\n  webhooks:\n"
        "    - {name: a, url: 'https://h/', secret: 0123456789abcdefgh}\n"
    )
    with pytest.raises(ConfigError, match="give events and/or incidents"):
        load_site(f)
    hook = "    - {name: a, url: 'https://h/', secret: 0123456789abcdefgh, events: {}}\n"
    f.write_text("integrations:\n  webhooks:\n" + hook + hook)
    with pytest.raises(ConfigError, match="appears twice"):
        load_site(f)
    f.write_text("integrations:\n  mqtt: {enabled: true, topic_prefix: 'kuzet/#'}\n")
    with pytest.raises(ConfigError, match="line 2"):
        load_site(f)
