"""TOTP secrets at rest: AES-256-GCM sealed, bound to the user, plain rows from before
sealing still work and are sealed on use and at start, key rotation, the key sources."""

from __future__ import annotations

import logging
import stat
import time
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select, update

from kuzet.access.model import Role
from kuzet.access.sealing import PREFIX, TotpSecrets, is_sealed, load_keys
from kuzet.access.service import AccessService
from kuzet.access.tables import UserRow
from kuzet.config.access import AccessConfig
from kuzet.crypto import KeyRing, KeyRingError
from kuzet.schema import open_store

from .conftest import PASSWORD, City, cheap_config

K1, K2 = KeyRing.generate("a1"), KeyRing.generate("a2")


def _stored(svc: AccessService, name: str) -> tuple[str, str]:
    with svc.sessions._s() as s:
        row = s.scalar(select(UserRow).where(UserRow.username == name))
        assert row is not None and row.totp_secret is not None
        return row.id, row.totp_secret


def _set(svc: AccessService, name: str, **values: object) -> None:
    with svc.sessions._s.begin() as s:
        s.execute(update(UserRow).where(UserRow.username == name).values(**values))


def _login(svc: AccessService, name: str, secret: str) -> bool:
    """A full login with the current code; the replay guard is reset first, so one test
    can log in several times within one 30 s step."""
    from kuzet.access.errors import AuthFailed

    _set(svc, name, totp_last_step=0)
    try:
        svc.sessions.login(name, PASSWORD, totp_code=pyotp.TOTP(secret).now())
    except AuthFailed:
        return False
    return True


def _person(svc: AccessService, name: str) -> str:
    """Create, enrol and confirm; returns the TOTP secret (as the enrolment shows it)."""
    _, otp = svc.accounts.create_user(None, name, "city-police", Role.OPERATOR)
    p = svc.authenticate(svc.sessions.login(name, otp or "").access_token)
    assert p is not None
    secret = svc.accounts.enrol_totp(p).secret
    svc.accounts.confirm_totp(p, pyotp.TOTP(secret).at(time.time()), PASSWORD)
    return secret


@pytest.fixture
def svc(tmp_path: Path) -> AccessService:
    store = open_store(f"sqlite:///{tmp_path / 'k.db'}")
    s = AccessService(store.engine, cheap_config(), keys=KeyRing.parse(K1))
    s.seed_agencies()
    return s


def test_secret_is_sealed_at_rest_and_never_shown(
    city: City, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    city.user("op.sealed", "city-police", Role.OPERATOR)
    secret = city.secrets["op.sealed"]
    user_id, stored = _stored(city.svc, "op.sealed")
    assert stored.startswith(PREFIX) and secret not in stored and len(stored) <= 256
    assert city.svc.totp_secrets.open(stored, user_id).secret == secret
    # not in the audit log, the logs, or any account view
    assert secret not in str(city.svc.audit.rows()) and secret not in caplog.text
    city.user("admin.a", "situation-centre", Role.ADMINISTRATOR)
    users = city.client.get("/api/users", headers=city.h("admin.a"))
    assert users.status_code == 200 and "op.sealed" in users.text
    assert secret not in users.text and PREFIX not in users.text


def test_sealed_secret_is_bound_to_its_user(svc: AccessService) -> None:
    secret_a = _person(svc, "op.alice")
    _person(svc, "op.bob")
    alice_id, sealed_a = _stored(svc, "op.alice")
    bob_id, _ = _stored(svc, "op.bob")
    # someone with database access copies Alice's secret (whose codes they know) to Bob
    _set(svc, "op.bob", totp_secret=sealed_a)
    assert not _login(svc, "op.bob", secret_a)
    with pytest.raises(KeyRingError):
        svc.totp_secrets.open(sealed_a, bob_id)
    assert _login(svc, "op.alice", secret_a)
    assert svc.totp_secrets.open(sealed_a, alice_id).secret == secret_a


def test_tampered_or_foreign_key_secret_fails_like_a_wrong_code(
    svc: AccessService, caplog: pytest.LogCaptureFixture
) -> None:
    secret = _person(svc, "op.tamper")
    _, sealed = _stored(svc, "op.tamper")
    head, _, b64 = sealed.rpartition(":")
    _set(svc, "op.tamper", totp_secret=f"{head}:{'A' if b64[0] != 'A' else 'B'}{b64[1:]}")
    assert not _login(svc, "op.tamper", secret)
    assert "does not open" in caplog.text and secret not in caplog.text
    other = AccessService(svc.engine, cheap_config(), keys=KeyRing.parse(K2))  # key a1 unknown
    _set(svc, "op.tamper", totp_secret=sealed)
    assert not _login(other, "op.tamper", secret)
    assert _login(svc, "op.tamper", secret)


def test_plain_secret_from_before_sealing_works_and_is_sealed_on_use(svc: AccessService) -> None:
    secret = _person(svc, "op.legacy")
    user_id, _ = _stored(svc, "op.legacy")
    _set(svc, "op.legacy", totp_secret=secret)  # a row written before revision 0006
    assert _login(svc, "op.legacy", secret)
    _, stored = _stored(svc, "op.legacy")
    assert is_sealed(stored) and secret not in stored
    assert svc.totp_secrets.open(stored, user_id).secret == secret
    assert _login(svc, "op.legacy", secret)  # and works sealed
    # a wrong code does not re-seal (nothing changes on a failed login)
    _set(svc, "op.legacy", totp_secret=secret)
    with pytest.raises(Exception, match="wrong code"):
        svc.sessions.login("op.legacy", PASSWORD, totp_code="000000")
    assert _stored(svc, "op.legacy")[1] == secret


def test_plain_secret_during_enrolment_is_sealed_at_confirm(svc: AccessService) -> None:
    _, otp = svc.accounts.create_user(None, "op.midway", "city-police", Role.OPERATOR)
    p = svc.authenticate(svc.sessions.login("op.midway", otp or "").access_token)
    assert p is not None
    secret = svc.accounts.enrol_totp(p).secret
    _set(svc, "op.midway", totp_secret=secret)  # enrolment begun before the upgrade
    svc.accounts.confirm_totp(p, pyotp.TOTP(secret).now(), PASSWORD)
    assert is_sealed(_stored(svc, "op.midway")[1])


def test_service_start_seals_plain_secrets(svc: AccessService) -> None:
    secrets = {n: _person(svc, n) for n in ("op.one", "op.two", "op.three")}
    for n in ("op.one", "op.two"):
        _set(svc, n, totp_secret=secrets[n])
    _set(svc, "op.three", totp_secret="not base32!")  # unreadable: skipped, logged
    assert svc.reseal_totp_secrets() == 2
    for n in ("op.one", "op.two"):
        uid, stored = _stored(svc, n)
        assert svc.totp_secrets.open(stored, uid).secret == secrets[n]
        assert _login(svc, n, secrets[n])
    assert svc.reseal_totp_secrets() == 0  # idempotent
    [rec] = svc.audit.rows(action="access.totp_resealed")
    assert rec["detail"] == {"count": 2, "key_id": "a1", "unreadable": 1}
    assert all(s not in str(rec) for s in secrets.values())


def test_key_rotation(svc: AccessService) -> None:
    secrets = {n: _person(svc, n) for n in ("op.early", "op.late")}
    rotated = AccessService(svc.engine, cheap_config(), keys=KeyRing.parse(f"{K2},{K1}"))
    # a login re-seals with the new first key...
    assert _login(rotated, "op.early", secrets["op.early"])
    assert _stored(svc, "op.early")[1].startswith(f"{PREFIX}a2:")
    assert _stored(svc, "op.late")[1].startswith(f"{PREFIX}a1:")
    # ...and the start-up pass does the rest, after which the old key can go
    assert rotated.reseal_totp_secrets() == 1
    only_new = AccessService(svc.engine, cheap_config(), keys=KeyRing.parse(K2))
    assert only_new.reseal_totp_secrets() == 0
    assert all(_login(only_new, n, s) for n, s in secrets.items())


def test_key_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = AccessConfig()
    monkeypatch.delenv(cfg.keys_env, raising=False)
    monkeypatch.delenv(cfg.key_file_env, raising=False)
    monkeypatch.setenv(cfg.keys_env, f"{K2},{K1}")
    assert load_keys(cfg, tmp_path).active == "a2"
    monkeypatch.setenv(cfg.keys_env, "a1:not-base64!")
    with pytest.raises(KeyRingError, match=cfg.keys_env):
        load_keys(cfg, tmp_path)
    monkeypatch.setenv(cfg.keys_env, " , ")
    with pytest.raises(KeyRingError, match="no key"):
        load_keys(cfg, tmp_path)
    monkeypatch.delenv(cfg.keys_env)
    key_file = tmp_path / "ring.txt"
    key_file.write_text(f"# comment\n{K2}\n")
    monkeypatch.setenv(cfg.key_file_env, str(key_file))
    assert load_keys(cfg, tmp_path).active == "a2"
    monkeypatch.setenv(cfg.key_file_env, str(tmp_path / "missing"))
    with pytest.raises(KeyRingError, match=cfg.key_file_env):
        load_keys(cfg, tmp_path)
    monkeypatch.delenv(cfg.key_file_env)
    with pytest.raises(KeyRingError, match="no access key"):
        load_keys(cfg, None, generate=False)  # what the migrations use
    assert not (tmp_path / "keys").exists()  # env keys never write a file


def test_embedded_mode_makes_one_key_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    cfg = AccessConfig()
    monkeypatch.delenv(cfg.keys_env, raising=False)
    monkeypatch.delenv(cfg.key_file_env, raising=False)
    first = load_keys(cfg, tmp_path / "data")
    path = tmp_path / "data" / "keys" / "access.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) & 0o077 == 0
    assert str(path) in caplog.text and "in production set KUZET_ACCESS_KEYS" in caplog.text
    text = path.read_text()
    again = load_keys(cfg, tmp_path / "data")  # the next start: the same key, not a new one
    assert path.read_text() == text and again.active == first.active
    box1, box2 = TotpSecrets(first), TotpSecrets(again)
    assert box2.open(box1.seal("JBSWY3DPEHPK3PXP", "u1"), "u1").secret == "JBSWY3DPEHPK3PXP"
    path.chmod(0o644)
    load_keys(cfg, tmp_path / "data")
    assert "readable by other users" in caplog.text
    # the key never reaches the log
    assert text.strip().splitlines()[-1].partition(":")[2] not in caplog.text


def test_access_service_loads_the_ring_lazily(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = cheap_config()
    monkeypatch.delenv(cfg.keys_env, raising=False)
    monkeypatch.delenv(cfg.key_file_env, raising=False)
    store = open_store(f"sqlite:///{tmp_path / 'l.db'}")
    try:
        svc = AccessService(store.engine, cfg, data_dir=tmp_path / "data")
        svc.seed_agencies()
        assert not (tmp_path / "data" / "keys").exists()  # commands that need no key make none
        secret = _person(svc, "op.lazy")
        assert (tmp_path / "data" / "keys" / "access.key").exists()
        restarted = AccessService(store.engine, cfg, data_dir=tmp_path / "data")
        assert restarted.reseal_totp_secrets() == 0 and _login(restarted, "op.lazy", secret)
    finally:
        store.close()


class _NoDetector:
    labels = ("person",)

    def detect(self, images: list[object]) -> list[object]:  # pragma: no cover - no cameras
        return []


def test_service_start_seals_with_the_embedded_key_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """``kuzet serve`` / ``make demo`` without a key setting: the key file under the data
    dir, a warning naming it, and rows from before sealing sealed at start."""
    from kuzet.config.models import SiteConfig, StoreConfig
    from kuzet.service import Service

    cfg = cheap_config()
    monkeypatch.delenv(cfg.keys_env, raising=False)
    monkeypatch.delenv(cfg.key_file_env, raising=False)
    url = f"sqlite:///{tmp_path / 'k.db'}"
    store = open_store(url)
    before = AccessService(store.engine, cfg, keys=KeyRing.parse(K1))
    before.seed_agencies()
    secret = _person(before, "op.demo")
    _set(before, "op.demo", totp_secret=secret)  # as revision 0005 left it
    store.close()

    site = SiteConfig(data_dir=tmp_path / "var", store=StoreConfig(url=url), access=cfg)
    svc = Service(site, detector=_NoDetector(), realtime=False)  # type: ignore[arg-type]
    try:
        key_file = tmp_path / "var" / "keys" / "access.key"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert str(key_file) in caplog.text and secret not in caplog.text
        user_id, stored = _stored(svc.access, "op.demo")
        assert stored.startswith(f"{PREFIX}a1:")
        ring = KeyRing.parse(key_file.read_text())
        assert TotpSecrets(ring).open(stored, user_id).secret == secret
        assert _login(svc.access, "op.demo", secret)
    finally:
        svc.bus.close()
        svc.store.close()
