"""``kuzet export verify`` offline: exit 0 intact, 1 altered (named), 2 unusable input;
and where the signing key comes from."""

from __future__ import annotations

import stat
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kuzet.cli import app
from kuzet.crypto.signing import KEY_ENV, KEY_FILE_ENV, Signer, SigningError
from kuzet.evidence.exports import ExportRequest
from kuzet.evidence.service import Evidence

from .conftest import CAMERA, START, person

runner = CliRunner()


def _bundle(ev: Evidence) -> Path:
    req = ExportRequest(cameras=[CAMERA], start=START, end=START + timedelta(seconds=4),
                        reason="hit and run", case_number="T-9")  # fmt: skip
    eid = ev.exports.create(person(), req)["id"]
    ev.exports.wait()
    found = ev.exports.bundle(person(), eid)
    assert found is not None
    return found[1]


def test_verify_cli_names_the_altered_file(evidence: Evidence, tmp_path: Path) -> None:
    path = _bundle(evidence)
    key = evidence.signer.public_b64
    ok = runner.invoke(app, ["export", "verify", str(path), "--key", key])
    assert ok.exit_code == 0, ok.output
    assert "OK: signature valid" in ok.output and "(pinned)" in ok.output
    folder = tmp_path / "x"
    with zipfile.ZipFile(path) as z:
        z.extractall(folder)
        name = next(n for n in z.namelist() if n.endswith(".mp4"))
    f = folder / name
    raw = bytearray(f.read_bytes())
    raw[1000] ^= 0x80
    f.write_bytes(bytes(raw))
    bad = runner.invoke(app, ["export", "verify", str(folder), "--key", key])
    assert bad.exit_code == 1
    assert f"ALTERED  {name}: altered (SHA-256 differs from the manifest)" in bad.output
    unpinned = runner.invoke(app, ["export", "verify", str(path)])
    assert unpinned.exit_code == 0 and "NOT pinned" in unpinned.output


def test_verify_cli_bad_input_is_a_clear_error(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["export", "verify", str(tmp_path / "nope.zip")])
    assert missing.exit_code == 2 and "no such file" in missing.output
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip at all")
    r = runner.invoke(app, ["export", "verify", str(junk)])
    assert r.exit_code == 2 and "not a readable zip" in r.output
    r = runner.invoke(app, ["export", "verify", str(junk), "--key", "!!"])
    assert r.exit_code == 2 and "--key" in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)


def test_signing_key_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)
    with pytest.raises(SigningError, match=KEY_ENV):
        Signer.load(None)
    with pytest.raises(SigningError, match=KEY_ENV):
        Signer.load(tmp_path, generate=False)  # no file yet and told not to make one
    made = Signer.load(tmp_path)  # embedded mode: a 0600 file, the same key next time
    f = tmp_path / "keys" / "export-signing.key"
    assert stat.S_IMODE(f.stat().st_mode) == 0o600
    assert Signer.load(tmp_path).public_b64 == made.public_b64
    seed = Signer.generate_text()
    monkeypatch.setenv(KEY_ENV, seed)
    from_env = Signer.load(tmp_path)
    assert from_env.public_b64 != made.public_b64 and from_env.source == KEY_ENV
    monkeypatch.setenv(KEY_ENV, "not-base64!")
    with pytest.raises(SigningError, match="not an Ed25519 key"):
        Signer.load(tmp_path)
    monkeypatch.delenv(KEY_ENV)
    kf = tmp_path / "k.txt"
    kf.write_text(seed + "\n")
    monkeypatch.setenv(KEY_FILE_ENV, str(kf))
    assert Signer.load(None).public_b64 == from_env.public_b64
