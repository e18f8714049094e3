"""Offline check of an export bundle or a violation package (a zip, or the folder it
was unpacked to).

Names what was altered: the manifest (its signature no longer matches), a file (its
SHA-256 or size differs, or the zip's own checksum fails), a file missing, or a file
added. The signature is checked with the public key the caller pins (``--key``); without
one, with the key the manifest carries, and the report says the key was not pinned.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kuzet.crypto.signing import (
    SigningError,
    fingerprint,
    parse_public_key,
    public_raw,
    verify_signature,
)
from kuzet.evidence.manifest import CHUNK, FORMAT, MANIFEST, SIGNATURE

# video exports and violation packages (kuzet.violations.package) share the layout
FORMATS = frozenset({FORMAT, "kuzet-violation-package/1"})


class BundleUnreadable(Exception):
    """The path is not a bundle at all (missing, not a zip or folder)."""


@dataclass(frozen=True, slots=True)
class Finding:
    name: str
    problem: str

    def __str__(self) -> str:
        return f"{self.name}: {self.problem}"


@dataclass(slots=True)
class Report:
    findings: list[Finding] = field(default_factory=list)
    manifest: dict[str, Any] | None = None
    files_ok: int = 0
    key_fingerprint: str | None = None
    key_pinned: bool = False
    signature_ok: bool = False

    @property
    def ok(self) -> bool:
        return not self.findings and self.signature_ok


class _Bundle(Protocol):
    def names(self) -> list[str]: ...
    def open(self, name: str) -> BinaryIO: ...
    def close(self) -> None: ...


class _Zip:
    def __init__(self, path: Path) -> None:
        try:
            self.z = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise BundleUnreadable(f"{path}: not a readable zip ({exc})") from None

    def names(self) -> list[str]:
        return [i.filename for i in self.z.infolist() if not i.is_dir()]

    def open(self, name: str) -> BinaryIO:
        return self.z.open(name)  # type: ignore[return-value]

    def close(self) -> None:
        self.z.close()


class _Dir:
    def __init__(self, path: Path) -> None:
        self.root = path

    def names(self) -> list[str]:
        return sorted(
            p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file()
        )

    def open(self, name: str) -> BinaryIO:
        return (self.root / name).open("rb")

    def close(self) -> None:
        pass


def _read(bundle: _Bundle, name: str) -> bytes:
    with bundle.open(name) as f:
        return f.read()


def _digest(bundle: _Bundle, name: str) -> tuple[int, str]:
    h, n = hashlib.sha256(), 0
    with bundle.open(name) as f:
        chunks: Iterator[bytes] = iter(lambda: f.read(CHUNK), b"")
        for chunk in chunks:
            h.update(chunk)
            n += len(chunk)
    return n, h.hexdigest()


def _safe_name(name: object) -> bool:
    if not isinstance(name, str) or not name or "\\" in name:
        return False
    p = PurePosixPath(name)
    return not p.is_absolute() and ".." not in p.parts and name not in (MANIFEST, SIGNATURE)


def verify_bundle(path: Path, public_key: Ed25519PublicKey | None = None) -> Report:
    """Check ``path``; raises :class:`BundleUnreadable` when it is not a bundle at all."""
    if path.is_dir():
        bundle: _Bundle = _Dir(path)
    elif path.is_file():
        bundle = _Zip(path)
    else:
        raise BundleUnreadable(f"{path}: no such file or folder")
    try:
        return _verify(bundle, public_key)
    finally:
        bundle.close()


def _verify(bundle: _Bundle, pinned: Ed25519PublicKey | None) -> Report:
    rep = Report(key_pinned=pinned is not None)
    present = set(bundle.names())
    if MANIFEST not in present:
        rep.findings.append(Finding(MANIFEST, "missing: this is not an export bundle"))
        return rep
    try:
        body = _read(bundle, MANIFEST)
    except zipfile.BadZipFile as exc:
        rep.findings.append(Finding(MANIFEST, f"altered (zip checksum fails: {exc})"))
        return rep
    try:
        manifest = json.loads(body)
        if not isinstance(manifest, dict):
            raise ValueError("not an object")
    except ValueError as exc:
        rep.findings.append(Finding(MANIFEST, f"altered (not valid JSON: {exc})"))
        manifest = {}
    rep.manifest = manifest or None
    if manifest and manifest.get("format") not in FORMATS:
        rep.findings.append(Finding(MANIFEST, f"unknown format {manifest.get('format')!r}"))
    _check_signature(bundle, present, body, manifest, pinned, rep)
    listed: set[str] = set()
    for i, entry in enumerate(manifest.get("files") or []):
        name = entry.get("name") if isinstance(entry, dict) else None
        if not _safe_name(name):
            rep.findings.append(Finding(f"{MANIFEST} files[{i}]", f"unsafe file name {name!r}"))
            continue
        assert isinstance(name, str) and isinstance(entry, dict)
        listed.add(name)
        if name not in present:
            rep.findings.append(Finding(name, "missing"))
            continue
        try:
            size, digest = _digest(bundle, name)
        except zipfile.BadZipFile as exc:
            rep.findings.append(Finding(name, f"altered (zip checksum fails: {exc})"))
            continue
        if digest != entry.get("sha256"):
            rep.findings.append(Finding(name, "altered (SHA-256 differs from the manifest)"))
        elif size != entry.get("bytes"):
            rep.findings.append(
                Finding(name, f"altered ({size} bytes, manifest says {entry.get('bytes')})")
            )
        else:
            rep.files_ok += 1
    for extra in sorted(present - listed - {MANIFEST, SIGNATURE}):
        rep.findings.append(Finding(extra, "added (not in the manifest)"))
    return rep


def _check_signature(
    bundle: _Bundle,
    present: set[str],
    body: bytes,
    manifest: dict[str, Any],
    pinned: Ed25519PublicKey | None,
    rep: Report,
) -> None:
    if SIGNATURE not in present:
        rep.findings.append(Finding(SIGNATURE, "missing: the manifest is not signed"))
        return
    try:
        sig = base64.b64decode(_read(bundle, SIGNATURE).strip(), validate=True)
    except (binascii.Error, ValueError, zipfile.BadZipFile):
        rep.findings.append(Finding(SIGNATURE, "altered (not a base64 signature)"))
        return
    key = pinned
    if key is None:
        carried = (manifest.get("signing_key") or {}).get("public_key")
        try:
            key = parse_public_key(str(carried or ""))
        except SigningError:
            rep.findings.append(Finding(MANIFEST, "altered (no usable signing_key.public_key)"))
            return
    rep.key_fingerprint = fingerprint(public_raw(key))
    if verify_signature(key, sig, body):
        rep.signature_ok = True
        return
    if pinned is not None and _signed_by_carried_key(manifest, sig, body):
        rep.findings.append(Finding(SIGNATURE, "signed by another key than the one you pinned"))
    else:
        rep.findings.append(Finding(MANIFEST, "altered (the signature does not match it)"))


def _signed_by_carried_key(manifest: dict[str, Any], sig: bytes, body: bytes) -> bool:
    try:
        carried = parse_public_key(str((manifest.get("signing_key") or {}).get("public_key")))
    except SigningError:
        return False
    return verify_signature(carried, sig, body)
