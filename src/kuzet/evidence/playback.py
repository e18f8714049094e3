"""Playback of recorded video: HLS (fMP4) playlists, one MP4 of a range, thumbnails.

Recorded segments are self-contained fragmented MP4s, so a playlist points straight at
them: ``EXT-X-MAP`` is the first ``init_size`` bytes (ftyp+moov) and the media is the
byte range after it; nothing is copied. Each segment's clock starts at 0, hence an
``EXT-X-DISCONTINUITY`` between segments, and ``EXT-X-PROGRAM-DATE-TIME`` gives the
wall clock. For callers without biometric clearance the same playlist names a blurred
copy of each segment, made on first request and cached (``part=init`` / ``part=media``,
since its header size is only known once it is made).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from kuzet.access.blur import BlurError, FaceFinder, blur_regions
from kuzet.config.evidence import EvidenceConfig
from kuzet.evidence.cache import FileCache
from kuzet.evidence.manifest import iso
from kuzet.evidence.overlay import blur_faces
from kuzet.evidence.ports import RecordingPort
from kuzet.evidence.ranges import check_range, runs, segments_for
from kuzet.evidence.remux import MediaError, remux, segment_file, segment_files
from kuzet.record import Segment
from kuzet.record.fmp4 import init_size


class _NoSlot(Exception):
    """Every blur slot is busy: a prefetch gives way."""


@dataclass(frozen=True, slots=True)
class SegmentMedia:
    path: Path
    init_size: int
    size: int


class Playback:
    def __init__(
        self,
        recording: RecordingPort,
        cfg: EvidenceConfig,
        cache_dir: Path,
        faces: Callable[[], FaceFinder] | None = None,
    ) -> None:
        self.recording, self.cfg, self.faces = recording, cfg, faces
        self.cache = FileCache(cache_dir, int(cfg.cache_max_mb * (1 << 20)))
        self._blur_slots = threading.Semaphore(cfg.blur_concurrency)
        self._finder: FaceFinder | None = None
        self._finder_lock = threading.Lock()
        self._prefetch_lock = threading.Lock()
        self._prefetching: set[int] = set()

    # ------------------------------------------------------------ ranges
    def segments(self, camera_id: str, start: datetime, end: datetime) -> list[Segment]:
        check_range(start, end, self.cfg.playback_max_s, "playback range")
        return segments_for(self.recording.index, camera_id, start, end)

    def segment(self, camera_id: str, segment_id: int) -> Segment | None:
        seg = self.recording.index.get(segment_id)
        return seg if seg is not None and seg.camera_id == camera_id else None

    # ------------------------------------------------------------ HLS
    def playlist(self, camera_id: str, start: datetime, end: datetime, *, blurred: bool) -> str:
        segs = self.segments(camera_id, start, end)
        target = max(1, math.ceil(max(s.duration_s for s in segs)))
        latest = self.recording.index.latest(camera_id)
        ended = (
            latest is None
            or end <= latest.end
            or end <= datetime.now(UTC) - timedelta(seconds=2 * target)
        )
        lines = [
            "#EXTM3U",
            "#EXT-X-VERSION:7",
            f"#EXT-X-TARGETDURATION:{target}",
            "#EXT-X-MEDIA-SEQUENCE:0",
            "#EXT-X-INDEPENDENT-SEGMENTS",
            f"#EXT-X-PLAYLIST-TYPE:{'VOD' if ended else 'EVENT'}",
        ]
        offset = max(0.0, (start - segs[0].start).total_seconds())
        if offset:
            lines.append(f"#EXT-X-START:TIME-OFFSET={offset:.3f},PRECISE=YES")
        for i, s in enumerate(segs):
            uri = f"segments/{s.id}"
            if i:
                lines.append("#EXT-X-DISCONTINUITY")
            if blurred:
                lines.append(f'#EXT-X-MAP:URI="{uri}?part=init"')
            else:
                lines.append(f'#EXT-X-MAP:URI="{uri}",BYTERANGE="{s.init_size}@0"')
            lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{iso(s.start)}")
            lines.append(f"#EXTINF:{s.duration_s:.3f},")
            if blurred:
                lines.append(f"{uri}?part=media")
            else:
                lines.append(f"#EXT-X-BYTERANGE:{s.bytes - s.init_size}@{s.init_size}")
                lines.append(uri)
        if ended:
            lines.append("#EXT-X-ENDLIST")
        return "\n".join(lines) + "\n"

    def media(self, seg: Segment, *, blurred: bool) -> SegmentMedia:
        """A local file of the segment as the caller may see it, with its header size."""
        if not blurred:
            vol = self.recording.volumes.get(seg.volume)
            local = vol.local_path(seg.key) if vol is not None else None
            if local is not None:
                return SegmentMedia(local, seg.init_size, local.stat().st_size)
            path = self.cache.get(f"raw|{seg.volume}|{seg.key}", lambda p: self._download(seg, p))
            return SegmentMedia(path, seg.init_size, path.stat().st_size)
        path = self.cache.get(f"blur|{seg.volume}|{seg.key}", lambda p: self._blur(seg, p))
        self._prefetch(seg)  # after: the segment asked for never waits behind the next one
        return SegmentMedia(path, init_size(path), path.stat().st_size)

    def _prefetch(self, seg: Segment) -> None:
        """Start blurring the next segment too: a player asks for it next, and making a
        blurred copy takes about as long as playing it (docs/recording.md). Only into a
        free blur slot: a prefetch never delays a segment someone is waiting for."""
        later = self.recording.index.between(seg.camera_id, seg.end, seg.end + timedelta(seconds=2))
        nxt = next((s for s in later if s.start >= seg.start and s.id != seg.id), None)
        if nxt is None or self.cache.path(f"blur|{nxt.volume}|{nxt.key}").is_file():
            return
        with self._prefetch_lock:
            if nxt.id in self._prefetching:
                return
            self._prefetching.add(nxt.id)

        def run() -> None:
            try:
                self.cache.get(
                    f"blur|{nxt.volume}|{nxt.key}", lambda p: self._blur(nxt, p, wait=False)
                )
            except Exception:  # _NoSlot: the request itself makes it (or reports why)
                pass
            finally:
                with self._prefetch_lock:
                    self._prefetching.discard(nxt.id)

        threading.Thread(target=run, name=f"blur-{nxt.id}", daemon=True).start()

    def _download(self, seg: Segment, out: Path) -> None:
        with segment_file(self.recording.volumes, seg) as src:
            tmp = out.with_name(out.name + ".part")
            tmp.write_bytes(src.read_bytes())
            tmp.replace(out)

    def _blur(self, seg: Segment, out: Path, *, wait: bool = True) -> None:
        fn = blur_faces(self.finder())
        if not self._blur_slots.acquire(blocking=wait):
            raise _NoSlot
        try:
            with segment_file(self.recording.volumes, seg) as src:
                remux(
                    [(seg, src)],
                    seg.start,
                    seg.end + timedelta(seconds=1),
                    out,
                    frame_fn=fn,
                    fragmented=True,
                    preset="ultrafast",  # a viewing copy: the cheapest encode, made while one waits
                )
        finally:
            self._blur_slots.release()

    def finder(self) -> FaceFinder:
        if self.faces is None:
            raise BlurError("no face detector configured")
        with self._finder_lock:  # one detector, however many first requests arrive at once
            if self._finder is None:
                self._finder = self.faces()
            return self._finder

    # ------------------------------------------------------------ one MP4
    def mp4(
        self, camera_id: str, start: datetime, end: datetime, *, blurred: bool
    ) -> tuple[Path, datetime, datetime]:
        """The range as one MP4 (its first contiguous run), made once and cached; with the
        stretch it covers (less than asked where the range starts or runs into a gap)."""
        run = runs(self.segments(camera_id, start, end))[0]
        covered = (max(start, run[0].start), min(end, run[-1].end))
        key = f"mp4|{camera_id}|{iso(start)}|{iso(end)}|{blurred}|" + ",".join(
            f"{s.id}:{s.bytes}" for s in run
        )

        def make(out: Path) -> None:
            if blurred:  # from the blurred segments (cached themselves), copied not re-encoded
                parts = [(s, self.media(s, blurred=True).path) for s in run]
                remux(parts, start, end, out)
                return
            with segment_files(self.recording.volumes, run) as parts:
                remux(parts, start, end, out)

        return self.cache.get(key, make), *covered

    # ------------------------------------------------------------ thumbnails
    def frame_at(self, camera_id: str, t: datetime) -> tuple[np.ndarray, datetime]:
        """The picture shown at ``t`` (decoded from the keyframe before it)."""
        seg = self.recording.index.at(camera_id, t)
        if seg is None:
            segments_for(self.recording.index, camera_id, t, t + timedelta(milliseconds=1))
            raise MediaError(f"no recording of {camera_id!r} at {iso(t)}")  # pragma: no cover
        with segment_file(self.recording.volumes, seg) as path, av.open(str(path)) as src:
            st = src.streams.video[0]
            tb = st.time_base or Fraction(1, 90000)
            target = int((t - seg.start).total_seconds() / tb)
            src.seek(max(0, target), stream=st, backward=True, any_frame=False)
            best: tuple[np.ndarray, datetime] | None = None
            for frame in src.decode(st):
                ft = seg.start + timedelta(seconds=float((frame.pts or 0) * tb))
                if best is not None and ft > t:
                    break
                best = (frame.to_ndarray(format="bgr24"), ft)
            if best is None:
                raise MediaError(f"segment {seg.id}: no picture decodes")
            return best

    def thumbnail(self, camera_id: str, t: datetime, width: int, *, blurred: bool) -> bytes:
        img, _ = self.frame_at(camera_id, t)
        if blurred:
            img = blur_regions(img, self.finder().detect(img))
        return _jpeg(_resize(img, width))

    def sprite(
        self,
        camera_id: str,
        start: datetime,
        end: datetime,
        count: int,
        width: int,
        *,
        blurred: bool,
    ) -> tuple[bytes, list[datetime | None]]:
        """``count`` thumbnails evenly along the range in one JPEG row; a time without
        recording is a grey tile (its entry in the returned times is None)."""
        self.segments(camera_id, start, end)
        step = (end - start) / count
        tiles: list[np.ndarray] = []
        times: list[datetime | None] = []
        for i in range(count):
            t = start + step * (i + 0.5)
            try:
                img, _ = self.frame_at(camera_id, t)
            except LookupError:
                tiles.append(np.full((max(2, width * 9 // 16), width, 3), 96, np.uint8))
                times.append(None)
                continue
            if blurred:
                img = blur_regions(img, self.finder().detect(img))
            tiles.append(_resize(img, width))
            times.append(t)
        h = max(x.shape[0] for x in tiles)
        row = np.hstack(
            [cv2.copyMakeBorder(x, 0, h - x.shape[0], 0, 0, cv2.BORDER_CONSTANT) for x in tiles]
        )
        return _jpeg(row), times


def _resize(img: np.ndarray, width: int) -> np.ndarray:
    h, w = img.shape[:2]
    if w == width:
        return img
    return cv2.resize(img, (width, max(2, round(h * width / w))), interpolation=cv2.INTER_AREA)


def _jpeg(img: np.ndarray) -> bytes:
    ok, enc = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 80])
    if not ok:
        raise MediaError("JPEG encoding failed")
    return enc.tobytes()
