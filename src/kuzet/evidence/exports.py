"""Evidence exports: a time range of one or several cameras as a signed bundle.

``create`` checks the request, places an evidence hold on each camera's range (so
retention keeps the original segments until the export is released) and queues the
job; one worker thread per node builds the bundles in order (remuxing is I/O bound, a
watermark or blur re-encodes and takes a core). Every step is audited with the reason.
"""

from __future__ import annotations

import logging
import queue
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from kuzet.access.audit import AuditLog
from kuzet.access.blur import BlurError, FaceFinder
from kuzet.access.model import DataClass, Principal
from kuzet.config.evidence import EvidenceConfig
from kuzet.crypto.signing import Signer
from kuzet.evidence.bundle import bundle_files
from kuzet.evidence.manifest import build_manifest, iso, sha256_file, write_bundle
from kuzet.evidence.ports import RecordingPort
from kuzet.evidence.ranges import RangeError, check_range, segments_for
from kuzet.evidence.remux import MediaError
from kuzet.evidence.tables import ExportRow

log = logging.getLogger(__name__)
STATES = ("pending", "running", "done", "failed", "released")


@dataclass(frozen=True, slots=True)
class ExportRequest:
    cameras: Sequence[str]
    start: datetime
    end: datetime
    reason: str
    case_number: str
    watermark: bool = False
    blur: bool = False  # forced on for callers without biometric clearance


def view(r: ExportRow) -> dict[str, Any]:
    return {
        "id": r.id,
        "state": r.state,
        "cameras": list(r.cameras),
        "start": r.start_ts,
        "end": r.end_ts,
        "reason": r.reason,
        "case_number": r.case_number,
        "watermark": r.watermark,
        "faces_blurred": r.blurred,
        "created_by": r.created_by,
        "agency_id": r.agency_id,
        "created_at": r.created_at,
        "finished_at": r.finished_at,
        "error": r.error,
        "bytes": r.bytes,
        "sha256": r.sha256,
        "files": (r.summary or {}).get("files", []),
        "gaps": (r.summary or {}).get("gaps", []),
        "released_at": r.released_at,
        "released_by": r.released_by,
        "release_reason": r.release_reason,
    }


def _visible(who: Principal, r: ExportRow) -> bool:
    return who.platform or r.agency_id == who.agency_id


class Exports:
    def __init__(
        self,
        engine: Engine,
        recording: RecordingPort,
        signer: Signer,
        cfg: EvidenceConfig,
        root: Path,
        audit: AuditLog,
        *,
        faces: Callable[[], FaceFinder] | None = None,
        site: str | None = None,
    ) -> None:
        self.engine, self.recording, self.signer, self.cfg = engine, recording, signer, cfg
        self.root = root
        self.audit, self.faces, self.site = audit, faces, site
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------ requests
    def create(self, who: Principal, req: ExportRequest) -> dict[str, Any]:
        cams = list(dict.fromkeys(req.cameras))
        if not cams:
            raise RangeError("cameras", "name at least one camera")
        if len(cams) > self.cfg.export_max_cameras:
            raise RangeError(
                "cameras",
                f"at most {self.cfg.export_max_cameras} cameras "
                "in one export (evidence.export_max_cameras)",
            )
        check_range(req.start, req.end, self.cfg.export_max_s, "export")
        if len(req.reason.strip()) < 3:
            raise RangeError("reason", "say why the video is exported")
        if not req.case_number.strip():
            raise RangeError("case_number", "give the case number the export is for")
        blur = req.blur or not who.cleared(DataClass.BIOMETRICS)
        if blur and self.faces is None:
            raise BlurError("no face detector configured: cannot blur the export")
        for cam in cams:  # NoRecording (with the nearest time) before anything is written
            segments_for(self.recording.index, cam, req.start, req.end)
        eid = str(uuid.uuid4())
        now = datetime.now(UTC)
        row = ExportRow(
            id=eid,
            state="pending",
            cameras=cams,
            start_ts=req.start.astimezone(UTC),
            end_ts=req.end.astimezone(UTC),
            reason=req.reason.strip()[:512],
            case_number=req.case_number.strip()[:64],
            watermark=req.watermark,
            blurred=blur,
            created_by=who.username,
            agency_id=who.agency_id,
            created_at=now,
            finished_at=None,
            error=None,
            file=None,
            bytes=None,
            sha256=None,
            summary=None,
            released_at=None,
            released_by=None,
            release_reason=None,
        )
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            s.add(row)
        for cam in cams:
            self.recording.holds.place(
                cam,
                req.start,
                req.end,
                kind="export",
                ref=eid,
                reason=f"export {eid}: {row.reason}",
                actor=who.username,
            )
        self.audit.record(
            who.username,
            "evidence.export.create",
            target=f"export:{eid}",
            agency_id=who.agency_id,
            ip=who.ip,
            reason=row.reason,
            detail={
                "cameras": cams,
                "start": iso(req.start),
                "end": iso(req.end),
                "case_number": row.case_number,
                "watermark": req.watermark,
                "faces_blurred": blur,
            },
        )
        self._submit(eid)
        got = self._row(eid)
        assert got is not None
        return view(got)

    def get(self, who: Principal, export_id: str) -> dict[str, Any] | None:
        r = self._row(export_id)
        return view(r) if r is not None and _visible(who, r) else None

    def recent(self, who: Principal, limit: int = 100) -> list[dict[str, Any]]:
        q = select(ExportRow).order_by(ExportRow.created_at.desc()).limit(limit)
        if not who.platform:
            q = q.where(ExportRow.agency_id == who.agency_id)
        with Session(self.engine) as s:
            return [view(r) for r in s.scalars(q)]

    def bundle(self, who: Principal, export_id: str) -> tuple[dict[str, Any], Path] | None:
        """The finished bundle's file, or None (unknown, not visible, not done)."""
        r = self._row(export_id)
        if r is None or not _visible(who, r) or r.state != "done" or r.file is None:
            return None
        path = self.root / r.file
        return (view(r), path) if path.is_file() else None

    def release(self, who: Principal, export_id: str, reason: str) -> dict[str, Any] | None:
        """End the export's holds and delete its bundle; the record (and audit) stay."""
        r = self._row(export_id)
        if r is None or not _visible(who, r):
            return None
        if len(reason.strip()) < 3:
            raise RangeError("reason", "say why the export is released")
        if r.state != "released":
            self.recording.holds.release_ref("export", export_id, actor=who.username, reason=reason)
            with Session(self.engine) as s, s.begin():
                s.execute(
                    update(ExportRow)
                    .where(ExportRow.id == export_id)
                    .values(
                        state="released",
                        released_at=datetime.now(UTC),
                        released_by=who.username,
                        release_reason=reason[:512],
                    )
                )
            if r.file:
                (self.root / r.file).unlink(missing_ok=True)
            self.audit.record(
                who.username,
                "evidence.export.release",
                target=f"export:{export_id}",
                agency_id=who.agency_id,
                ip=who.ip,
                reason=reason,
            )
        out = self._row(export_id)
        assert out is not None
        return view(out)

    # ------------------------------------------------------------ the worker
    def start(self) -> Exports:
        """Requeue exports a previous process left unfinished."""
        with Session(self.engine) as s:
            left = s.scalars(
                select(ExportRow.id)
                .where(ExportRow.state.in_(("pending", "running")))
                .order_by(ExportRow.created_at)
            ).all()
        for eid in left:
            self._submit(eid)
        return self

    def close(self) -> None:
        with self._lock:
            t, self._thread = self._thread, None
        if t is not None:
            self._queue.put(None)
            t.join(30)

    def wait(self, timeout: float = 60.0) -> None:
        """Block until the queue is empty (tests, the CLI)."""
        done = threading.Event()

        def join() -> None:
            self._queue.join()
            done.set()

        threading.Thread(target=join, daemon=True).start()
        done.wait(timeout)

    def _submit(self, eid: str) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="exports", daemon=True)
                self._thread.start()
        self._queue.put(eid)

    def _loop(self) -> None:
        while (eid := self._queue.get()) is not None:
            try:
                self.build(eid)
            except Exception:
                log.exception("export %s failed", eid)
            finally:
                self._queue.task_done()
        self._queue.task_done()

    def build(self, eid: str) -> None:
        r = self._row(eid)
        if r is None or r.state not in ("pending", "running"):
            return
        self._set(eid, state="running")
        work = self.root / f".{eid}"
        try:
            files, gaps = bundle_files(r, self.recording, work, self.faces)
            manifest = build_manifest(
                export_id=eid,
                cameras=r.cameras,
                start=r.start_ts,
                end=r.end_ts,
                reason=r.reason,
                case_number=r.case_number,
                actor=r.created_by,
                agency_id=r.agency_id,
                created_at=r.created_at,
                watermark=r.watermark,
                blurred=r.blurred,
                files=files,
                gaps=gaps,
                signer=self.signer,
                site=self.site,
            )
            out = self.root / f"{eid}.zip"
            write_bundle(out, files, manifest, self.signer)
        except (MediaError, BlurError, OSError, LookupError) as exc:
            self._fail(r, str(exc))
            return
        finally:
            for p in sorted(work.rglob("*"), reverse=True) if work.exists() else []:
                p.unlink() if p.is_file() else p.rmdir()
            if work.exists():
                work.rmdir()
        summary = {
            "files": [
                {k: e[k] for k in ("name", "camera_id", "start", "end", "bytes", "sha256")}
                for e in manifest["files"]
            ],
            "gaps": gaps,
        }
        self._set(
            eid,
            state="done",
            finished_at=datetime.now(UTC),
            file=out.name,
            bytes=out.stat().st_size,
            sha256=sha256_file(out),
            summary=summary,
        )
        self.audit.record(
            r.created_by,
            "evidence.export.done",
            target=f"export:{eid}",
            agency_id=r.agency_id,
            reason=r.reason,
            detail={
                "files": len(files),
                "bytes": out.stat().st_size,
                "key": self.signer.fingerprint,
            },
        )

    def _fail(self, r: ExportRow, error: str) -> None:
        log.warning("export %s failed: %s", r.id, error)
        self._set(r.id, state="failed", finished_at=datetime.now(UTC), error=error[:512])
        self.recording.holds.release_ref(
            "export", r.id, actor="system", reason=f"export failed: {error}"[:512]
        )
        self.audit.record(
            r.created_by,
            "evidence.export.failed",
            target=f"export:{r.id}",
            agency_id=r.agency_id,
            outcome="error",
            detail={"error": error[:512]},
        )

    def _row(self, eid: str) -> ExportRow | None:
        with Session(self.engine, expire_on_commit=False) as s:
            return s.get(ExportRow, eid)

    def _set(self, eid: str, **values: Any) -> None:
        with Session(self.engine) as s, s.begin():
            s.execute(update(ExportRow).where(ExportRow.id == eid).values(**values))
