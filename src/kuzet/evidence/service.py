"""The evidence features of one node, built from the recording, the store and the keys."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from kuzet.access.audit import AuditLog
from kuzet.access.blur import FaceFinder
from kuzet.config.evidence import EvidenceConfig
from kuzet.crypto.signing import Signer
from kuzet.evidence.bookmarks import Bookmarks
from kuzet.evidence.exports import Exports
from kuzet.evidence.live import LiveRelays, Tap
from kuzet.evidence.playback import Playback
from kuzet.evidence.ports import RecordingPort


class Evidence:
    """Playback, exports and bookmarks over one recording; ``start``/``close`` the export
    worker like the other stages."""

    def __init__(
        self,
        recording: RecordingPort,
        engine: Engine,
        audit: AuditLog,
        signer: Signer,
        cfg: EvidenceConfig,
        data_dir: Path,
        *,
        faces: Callable[[], FaceFinder] | None = None,
        site: str | None = None,
    ) -> None:
        self.recording, self.cfg, self.signer = recording, cfg, signer
        exports_dir = data_dir / cfg.exports_dir
        exports_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.playback = Playback(recording, cfg, data_dir / cfg.cache_dir, faces)
        self.exports = Exports(
            engine, recording, signer, cfg, exports_dir, audit, faces=faces, site=site
        )
        self.bookmarks = Bookmarks(engine, recording.holds, audit, cfg.bookmark_hold_s)
        self.live = LiveRelays(self._tap)

    def _tap(self, camera_id: str) -> Tap | None:
        """The recorder's packet hook for a recorded camera: live shares its connection."""
        rec = getattr(self.recording, "recorders", {}).get(camera_id)
        return None if rec is None else rec.add_listener

    def start(self) -> Evidence:
        self.exports.start()
        return self

    def close(self) -> None:
        self.exports.close()
        self.live.close()
