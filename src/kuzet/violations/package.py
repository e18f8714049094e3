"""One violation's evidence package: its parts, the manifest, the signed zip.

Parts are the pictures (before/at/after at full resolution, the plate crop, or the
annotated snapshot when no full-resolution frames were captured), the capture record
and the violation and plate-read events as JSON. The manifest states the facts (signal,
speed with uncertainty, calibration, camera, time and clock), lists every part with its
SHA-256 and size, and, once reviewed, the officer's decision and public key;
``manifest.sig`` is the officer's Ed25519 signature of its exact bytes. The zip layout
is the export bundle's, so :func:`kuzet.evidence.verify.verify_bundle` checks both.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kuzet.core import CameraInfo, Event
from kuzet.core.clock import clock_state
from kuzet.evidence.manifest import MANIFEST, SIGNATURE, iso, manifest_bytes
from kuzet.violations.model import FORMAT, NOT_RECORDED, facts_of

GetBlob = Callable[[str], bytes | None]
_FRAMES = ("before", "at", "after")


@dataclass(frozen=True, slots=True)
class Part:
    name: str  # inside the zip
    role: str
    data: bytes
    ts: str | None = None
    width: int | None = None
    height: int | None = None

    def entry(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "role": self.role,
            "bytes": len(self.data),
            "sha256": hashlib.sha256(self.data).hexdigest(),
        }
        for k in ("ts", "width", "height"):
            if (v := getattr(self, k)) is not None:
                out[k] = v
        return out


def _event_json(ev: Event) -> bytes:
    return json.dumps(ev.model_dump(mode="json"), indent=2, sort_keys=True).encode() + b"\n"


def _frames(ev: Event, get: GetBlob) -> tuple[list[Part], list[dict[str, str]], dict[str, Any]]:
    prefix = ev.attributes.get("evidence_frames")
    parts: list[Part] = []
    missing: list[dict[str, str]] = []
    record: dict[str, Any] = {}
    if isinstance(prefix, str):
        raw = get(f"{prefix}/frames.json")
        if raw is not None:
            record = json.loads(raw)
            parts.append(Part("frames.json", "capture record (times, sizes, clock)", raw))
        for which in _FRAMES:
            info = record.get(which) or {}
            data = get(str(info.get("key") or f"{prefix}/{which}.jpg"))
            if data is None:
                why = info.get("missing") or "the picture is not in the blob store"
                missing.append({"part": f"frame_{which}.jpg", "why": str(why)})
                continue
            parts.append(
                Part(
                    f"frame_{which}.jpg",
                    f"frame {which} (full resolution)",
                    data,
                    info.get("ts"),
                    info.get("width"),
                    info.get("height"),
                )
            )
    else:
        missing.append(
            {
                "part": "frame_before.jpg, frame_at.jpg, frame_after.jpg",
                "why": "no full-resolution frames were captured for this event",
            }
        )
    if not any(p.name.startswith("frame_") for p in parts) and ev.snapshot:
        data = get(ev.snapshot)
        if data is not None:
            parts.append(
                Part("snapshot.jpg", "snapshot at the event (annotated)", data, iso(ev.ts))
            )
    return parts, missing, record


def _plate(read: Event | None, get: GetBlob) -> tuple[dict[str, Any], list[Part]]:
    if read is None:
        return {"status": NOT_RECORDED, "why": "no plate read of this track"}, []
    a = read.attributes
    if read.type == "plate_unread":
        return {
            "status": "unread",
            "no_read_reason": a.get("no_read_reason", NOT_RECORDED),
            "read_event_id": read.id,
        }, [Part("plate_read_event.json", "plate_unread event", _event_json(read))]
    plate = {
        k: a.get(k, NOT_RECORDED)
        for k in (
            "plate",
            "plate_display",
            "plate_format",
            "plate_country",
            "plate_confidence",
            "plate_reads",
            "plate_votes",
        )
    }
    plate |= {"status": "read", "read_event_id": read.id, "read_at": iso(read.ts)}
    parts = [Part("plate_read_event.json", "plate_read event", _event_json(read))]
    crop = a.get("plate_crop")
    data = get(crop) if isinstance(crop, str) else None
    if data is not None:
        parts.append(Part("plate_crop.jpg", "plate crop (best read)", data, iso(read.ts)))
    else:
        plate["crop"] = NOT_RECORDED
    return plate, parts


def _camera(ev: Event, cam: CameraInfo | None) -> dict[str, Any]:
    if cam is None:
        return {"id": ev.camera_id, "name": NOT_RECORDED, "location": NOT_RECORDED}
    loc: dict[str, Any] | str = NOT_RECORDED
    if cam.latitude is not None and cam.longitude is not None:
        loc = {
            "latitude": cam.latitude,
            "longitude": cam.longitude,
            "direction_deg": cam.direction_deg,
        }
    return {
        "id": cam.id,
        "name": cam.name or NOT_RECORDED,
        "category": cam.category,
        "district": cam.district or NOT_RECORDED,
        "location": loc,
    }


def assemble(
    ev: Event, read: Event | None, cam: CameraInfo | None, get: GetBlob
) -> tuple[dict[str, Any], list[Part]]:
    """The unsigned manifest (no review yet) and the parts it lists."""
    frames, missing, record = _frames(ev, get)
    plate, plate_parts = _plate(read, get)
    parts = [Part("violation_event.json", "violation event", _event_json(ev)), *frames]
    parts += plate_parts
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "violation": {
            "id": ev.id,
            "type": ev.type,
            "rule": ev.rule,
            "ts": iso(ev.ts),
            "pts": ev.pts,
            "track_id": ev.track_id,
            "box": ev.box,
        },
        "facts": facts_of(ev.type, ev.attributes, ev.class_name),
        "plate": plate,
        "camera": _camera(ev, cam),
        "time": {
            "event_ts": iso(ev.ts),
            "clock": "host CLOCK_REALTIME of the analysing node (the frame's decode time)",
            "clock_at_capture": record.get("clock_at_capture", NOT_RECORDED),
            "clock_at_packaging": clock_state(),
        },
        "files": [p.entry() for p in parts],
        "missing": missing,
    }
    return manifest, parts


def signed_manifest(
    manifest: dict[str, Any], review: dict[str, Any], key_view: dict[str, Any]
) -> dict[str, Any]:
    out = dict(manifest)
    out["review"] = review
    out["signing_key"] = {k: key_view[k] for k in ("algorithm", "public_key", "fingerprint")}
    out["signing_key"]["owner"] = key_view["owner"]
    out["signed_at"] = iso(datetime.now(UTC))
    return out


def write_zip(body: bytes, signature: bytes, parts: list[Part]) -> bytes:
    """The package: ``manifest.json``, ``manifest.sig`` and the parts, stored (JPEG does
    not compress), so a reader can hash without inflating."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr(MANIFEST, body)
        z.writestr(SIGNATURE, base64.b64encode(signature) + b"\n")
        for p in parts:
            z.writestr(p.name, p.data)
    return buf.getvalue()


__all__ = ["Part", "assemble", "manifest_bytes", "signed_manifest", "write_zip"]
