"""Local snapshot storage: atomic writes, keys that cannot escape the root."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from kuzet.store import BlobStore, LocalBlobStore, snapshot_key


def test_put_get_round_trip(tmp_path: Path) -> None:
    blobs = LocalBlobStore(tmp_path / "blobs")
    assert isinstance(blobs, BlobStore)
    key = "snapshots/2026/11/26/cam-1/abc.jpg"
    blobs.put(key, b"\xff\xd8jpeg")
    assert blobs.get(key) == b"\xff\xd8jpeg"
    blobs.put(key, b"new")  # overwrite is atomic too
    assert blobs.get(key) == b"new"
    assert blobs.path(key) == (tmp_path / "blobs" / key).resolve()
    assert blobs.get("snapshots/none.jpg") is None
    leftovers = [p for p in (tmp_path / "blobs").rglob("*") if p.name.startswith(".tmp-")]
    assert leftovers == []
    assert blobs.delete(key) and not blobs.delete(key)


@pytest.mark.parametrize(
    "key",
    ["../x.jpg", "a/../../x.jpg", "/etc/passwd", "a/./b", "a//b", "", "a\\..\\b", "a/b\x00", "a/"],
)
def test_traversal_and_odd_keys_are_rejected(tmp_path: Path, key: str) -> None:
    blobs = LocalBlobStore(tmp_path)
    with pytest.raises(ValueError):
        blobs.put(key, b"x")
    with pytest.raises(ValueError):
        blobs.get(key)


def test_symlink_out_of_root_is_rejected(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    outside.mkdir()
    blobs = LocalBlobStore(root)
    os.symlink(outside, root / "link")
    with pytest.raises(ValueError):
        blobs.put("link/x.jpg", b"x")
    assert not (outside / "x.jpg").exists()


def test_snapshot_key_uses_the_utc_day() -> None:
    ts = datetime(2026, 11, 27, 1, 30, tzinfo=timezone(timedelta(hours=5)))  # 26th in UTC
    assert snapshot_key("cam-1", "e1", ts) == "snapshots/2026/11/26/cam-1/e1.jpg"
    assert snapshot_key("c", "e", datetime(2026, 1, 2, tzinfo=UTC), "png").endswith("01/02/c/e.png")


def test_the_site_s_blobs_section_picks_the_store(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from kuzet.config.blobs import LocalBlobsConfig
    from kuzet.config.models import SiteConfig
    from kuzet.store.blobs import open_blobs

    site = SiteConfig.model_validate({"data_dir": str(tmp_path)})
    assert isinstance(site.blobs, LocalBlobsConfig)  # the default: files under data_dir
    local = open_blobs(site.blobs, site.data_dir)
    assert isinstance(local, LocalBlobStore) and local.root == tmp_path.resolve()
    with pytest.raises(ValidationError, match="access_key and secret_key"):
        SiteConfig.model_validate({"blobs": {"type": "s3", "bucket": "kuzet", "access_key": "a"}})
    with pytest.raises(ValidationError, match="blobs"):
        SiteConfig.model_validate({"blobs": {"type": "ftp"}})


def test_purge_with_s3_unreachable_says_so_and_exits_1(tmp_path: Path) -> None:
    import socket

    from typer.testing import CliRunner

    from kuzet.cli import app as cli

    with socket.socket() as s:  # a port nobody listens on: S3 is down
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    site = tmp_path / "site.yaml"
    site.write_text(
        f"data_dir: {tmp_path / 'var'}\nstore: {{url: 'sqlite:///{tmp_path / 'k.db'}'}}\n"
        "access: {retention: {snapshots_days: 30}}\n"
        f"blobs: {{type: s3, endpoint: 'http://127.0.0.1:{port}', bucket: kuzet-blobs,\n"
        "        access_key: a, secret_key: b, timeout_s: 1}\n"
    )
    r = CliRunner().invoke(cli, ["purge", "--site", str(site)])
    assert r.exit_code == 1, r.output
    assert "blob storage" in r.output and "Traceback" not in r.output
