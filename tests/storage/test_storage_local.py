"""The local volume: atomic commit, range reads, safe keys, tidy deletes."""

from __future__ import annotations

from pathlib import Path

import pytest

from kuzet.storage import LocalVolume, check_key
from kuzet.storage.base import key_from_staging, staging_name

KEY = "cam-1/2026/12/06/10/cam-1_20261206T100000.000000Z.mp4"


@pytest.mark.parametrize(
    "bad", ["", "/abs", "a//b", "../x", "a/../b", "a/./b", "a b", "a/ü", "a\\b"]
)
def test_bad_keys_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError, match="invalid object key"):
        check_key(bad)
    with pytest.raises(ValueError):
        LocalVolume("v", tmp_path).staging_path(bad)


def test_staging_names_map_back_to_keys() -> None:
    assert key_from_staging(staging_name(KEY)) == KEY
    with pytest.raises(ValueError):
        key_from_staging("cam-1.mp4")


def test_commit_read_list_delete(tmp_path: Path) -> None:
    vol = LocalVolume("v", tmp_path / "rec")
    staged = vol.staging_path(KEY)
    staged.write_bytes(b"0123456789")
    assert list(vol.staged_files()) == [staged]
    assert list(vol.list_keys("cam-1/")) == []  # not committed: invisible
    assert vol.commit(KEY, staged) == "local"
    assert not staged.exists() and list(vol.staged_files()) == []
    assert vol.read(KEY) == b"0123456789"
    assert vol.read(KEY, 3, 4) == b"3456" and vol.read(KEY, 8) == b"89"
    assert vol.size(KEY) == 10 and vol.exists(KEY)
    assert vol.local_path(KEY) == tmp_path / "rec" / KEY
    assert list(vol.list_keys("cam-1/2026/12/")) == [KEY]
    assert list(vol.list_keys("cam-2/")) == []
    vol.delete(KEY)
    vol.delete(KEY)  # twice is fine
    assert not vol.exists(KEY) and vol.local_path(KEY) is None
    with pytest.raises(KeyError):
        vol.read(KEY)
    assert sorted(p.name for p in (tmp_path / "rec").iterdir()) == [".staging"]  # folders tidied


def test_a_symlink_cannot_lead_outside(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    vol = LocalVolume("v", tmp_path / "rec")
    (tmp_path / "rec" / "cam-1").symlink_to(outside)
    with pytest.raises(ValueError, match="escapes"):
        vol.path(KEY)
