"""The export bundle: MP4 files + ``manifest.json`` + ``manifest.sig`` in one zip.

The manifest names every file with its camera, times, size and SHA-256, and says who
exported what, when, why and for which case. ``manifest.sig`` is the base64 Ed25519
signature of the exact bytes of ``manifest.json``. Changing a byte of any file changes
its hash; changing the manifest breaks the signature. See :mod:`kuzet.evidence.verify`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kuzet.crypto.signing import Signer

FORMAT = "kuzet-evidence-export/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
CHUNK = 1 << 20


def iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class BundleFile:
    """One MP4 of the bundle: ``name`` inside the zip, ``path`` where it is now."""

    name: str
    path: Path
    camera_id: str
    start: datetime
    end: datetime
    frames: int
    codec: str
    width: int
    height: int
    segments: tuple[int, ...]

    def entry(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "camera_id": self.camera_id,
            "start": iso(self.start),
            "end": iso(self.end),
            "frames": self.frames,
            "codec": self.codec,
            "width": self.width,
            "height": self.height,
            "bytes": self.path.stat().st_size,
            "sha256": sha256_file(self.path),
            "source_segments": list(self.segments),
        }


def build_manifest(
    *,
    export_id: str,
    cameras: Sequence[str],
    start: datetime,
    end: datetime,
    reason: str,
    case_number: str,
    actor: str,
    agency_id: str,
    created_at: datetime,
    watermark: bool,
    blurred: bool,
    files: Sequence[BundleFile],
    gaps: Sequence[dict[str, Any]],
    signer: Signer,
    site: str | None = None,
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "export_id": export_id,
        "site": site,
        "case_number": case_number,
        "reason": reason,
        "exported_by": {"user": actor, "agency": agency_id},
        "created_at": iso(created_at),
        "signed_at": iso(datetime.now(UTC)),
        "requested": {"cameras": list(cameras), "start": iso(start), "end": iso(end)},
        "processing": {
            "re_encoded": watermark or blurred,
            "watermark": watermark,
            "faces_blurred": blurred,
            "note": "packets copied from the recording, not re-encoded"
            if not (watermark or blurred)
            else "decoded and re-encoded (H.264) to draw the watermark / blur faces",
        },
        "files": [f.entry() for f in files],
        "gaps": list(gaps),
        "signing_key": {
            "algorithm": "Ed25519",
            "public_key": signer.public_b64,
            "fingerprint": signer.fingerprint,
        },
    }


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """Stable text: the signature covers exactly these bytes, stored as they are."""
    return json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False).encode() + b"\n"


def write_bundle(
    out: Path, files: Sequence[BundleFile], manifest: dict[str, Any], signer: Signer
) -> None:
    """The zip, written under a temporary name and renamed when complete."""
    body = manifest_bytes(manifest)
    sig = base64.b64encode(signer.sign(body)) + b"\n"
    tmp = out.with_name(out.name + ".part")
    try:
        # MP4 does not compress: stored, so a reader can seek and hash without inflating
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as z:
            z.writestr(MANIFEST, body)
            z.writestr(SIGNATURE, sig)
            for f in files:
                z.write(f.path, f.name)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
