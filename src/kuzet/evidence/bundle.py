"""The files of an export bundle: one MP4 per camera and contiguous run, and the gaps.

Copied packets unless the export is blurred or watermarked (then re-encoded); a gap in
the recording starts a new file and is listed with the recorder's reason for it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from kuzet.access.blur import BlurError, FaceFinder
from kuzet.evidence.manifest import BundleFile, iso
from kuzet.evidence.overlay import blur_faces, chain, watermark
from kuzet.evidence.ports import RecordingPort
from kuzet.evidence.ranges import runs
from kuzet.evidence.remux import FrameFn, remux, segment_files
from kuzet.evidence.tables import ExportRow


def bundle_files(
    r: ExportRow, recording: RecordingPort, work: Path, faces: Callable[[], FaceFinder] | None
) -> tuple[list[BundleFile], list[dict[str, Any]]]:
    """The export's MP4s under ``work`` (one per camera and contiguous run) and its gaps."""
    fns: list[FrameFn] = []
    if r.blurred:
        if faces is None:
            raise BlurError("no face detector configured")
        fns.append(blur_faces(faces()))
    if r.watermark:
        fns.append(
            watermark(
                [
                    f"KUZET EVIDENCE {r.id[:8]}  case {r.case_number}",
                    f"exported by {r.created_by} ({r.agency_id}) {r.created_at:%Y-%m-%d %H:%M} UTC",
                ]
            )
        )
    fn = chain(fns)
    files: list[BundleFile] = []
    gaps: list[dict[str, Any]] = []
    idx = recording.index
    for cam in r.cameras:
        cursor = r.start_ts
        segs = idx.between(cam, r.start_ts, r.end_ts)
        for n, run in enumerate(runs(segs), 1):
            a, b = max(r.start_ts, run[0].start), min(r.end_ts, run[-1].end)
            name = f"{cam}/{cam}_{a:%Y%m%dT%H%M%S}Z_{n:02d}.mp4"
            dst = work / name
            dst.parent.mkdir(parents=True, exist_ok=True)
            with segment_files(recording.volumes, run) as parts:
                w = remux(parts, a, b, dst, frame_fn=fn)
            first = run[0]
            files.append(
                BundleFile(
                    name,
                    dst,
                    cam,
                    w.start,
                    w.end,
                    w.frames,
                    "h264" if fn else first.codec,
                    first.width,
                    first.height,
                    tuple(s.id for s in run),
                )
            )
            if run[0].start > cursor:
                gaps.append(_gap(recording, cam, cursor, run[0].start))
            cursor = max(cursor, run[-1].end)
        if cursor < r.end_ts:
            gaps.append(_gap(recording, cam, cursor, r.end_ts))
    return files, gaps


def _gap(recording: RecordingPort, cam: str, a: datetime, b: datetime) -> dict[str, Any]:
    rows = recording.index.gaps(cam, a, b)
    reason = "; ".join(dict.fromkeys(g.reason for g in rows)) or "no recording"
    return {"camera_id": cam, "start": iso(a), "end": iso(b), "reason": reason}
