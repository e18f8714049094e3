"""Live view at the camera's full frame rate: its main stream as fMP4 fragments, one per
frame, for Media Source Extensions in the browser (sent over a WebSocket).

One :class:`LiveRelay` per watched camera demuxes the stream once (no decoding, no
re-encoding) and muxes each packet into a fragment every viewer gets; it stops when the
last viewer leaves. A viewer joining mid-stream gets the init segment, then fragments
from the next keyframe. A viewer that reads too slowly loses fragments up to the next
keyframe (a jump, never a smeared picture) and never slows the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import queue
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from kuzet.sources.urls import SourceKind, ffmpeg_options, file_path, redact, source_kind

log = logging.getLogger(__name__)
MOVFLAGS = "frag_every_frame+empty_moov+default_base_moof"
QUEUE = 150  # fragments a viewer may lag behind (6 s at 25 fps)


def codec_string(stream: Any) -> str:
    """RFC 6381 ``codecs`` value for MSE: ``avc1.PPCCLL`` from the avcC record."""
    ctx = stream.codec_context
    extra = bytes(ctx.extradata or b"")
    if ctx.name == "h264":
        if len(extra) >= 4 and extra[0] == 1:
            return f"avc1.{extra[1]:02x}{extra[2]:02x}{extra[3]:02x}"
        return "avc1.640028"
    if ctx.name == "hevc":
        return "hvc1.1.6.L120.90"
    return ctx.name


def init_codec(init: bytes) -> str | None:
    """``avc1.PPCCLL`` read from the init segment's avcC box (the muxer always writes one,
    whatever form the camera's parameter sets came in)."""
    at = init.find(b"avcC")
    if at < 0 or len(init) < at + 8 or init[at + 4] != 1:
        return None
    return f"avc1.{init[at + 5]:02x}{init[at + 6]:02x}{init[at + 7]:02x}"


def split_boxes(data: bytes) -> tuple[list[tuple[str, bytes]], bytes]:
    """Whole top-level boxes of ``data`` and the incomplete rest."""
    out, pos = [], 0
    while pos + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if size < 8 or pos + size > len(data):
            break
        out.append((kind.decode("latin-1"), data[pos : pos + size]))
        pos += size
    return out, data[pos:]


class _Sink(io.RawIOBase):
    def __init__(self) -> None:
        self.buf = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        self.buf += bytes(b)
        return len(b)

    def take(self) -> bytes:
        out, self.buf = bytes(self.buf), bytearray()
        return out


@dataclass(eq=False)
class Viewer:
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[bytes | None] = field(default_factory=lambda: asyncio.Queue(QUEUE))
    synced: bool = False  # has had a keyframe since joining (or since it lagged)
    dropped: int = 0

    def offer(self, chunk: bytes | None, key: bool) -> None:
        """Called on the viewer's event loop."""
        if chunk is None:
            with contextlib.suppress(asyncio.QueueFull):
                self.queue.put_nowait(None)
            return
        if not self.synced and not key:
            return
        if self.queue.full():
            self.synced = False  # skip to the next keyframe
            self.dropped += 1
            return
        self.synced = True
        self.queue.put_nowait(chunk)


PacketListener = Callable[[Any, Any], None]
Tap = Callable[[PacketListener], Callable[[], None]]  # CameraRecorder.add_listener


class LiveRelay:
    """``tap``: the camera's recorder's packet listener hook; given, the relay shares the
    recorder's connection instead of opening its own."""

    def __init__(self, camera_id: str, url: str, *, loop_files: bool = True,
                 tap: Tap | None = None) -> None:  # fmt: skip
        self.camera_id, self.url, self.loop_files, self.tap = camera_id, url, loop_files, tap
        self.source = "recorder" if tap is not None else "own connection"
        self.viewers: set[Viewer] = set()
        self.init: bytes | None = None
        self.codec = ""
        self.size = (0, 0)
        self.error: str | None = None
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._flags: deque[bool] = deque()  # keyframe or not, per packet not yet emitted
        self._head = b""
        self._rest = b""
        self._next_s = 0.0
        self._ost: Any = None
        self._thread = threading.Thread(target=self._run, name=f"live-{camera_id}", daemon=True)
        self._thread.start()

    def wait_ready(self, timeout: float) -> bool:
        """True once the init segment exists (or the relay failed: see ``error``)."""
        return self._ready.wait(timeout)

    def join(self, loop: asyncio.AbstractEventLoop) -> Viewer:
        v = Viewer(loop)
        with self._lock:
            self.viewers.add(v)
        return v

    def leave(self, v: Viewer) -> int:
        with self._lock:
            self.viewers.discard(v)
            return len(self.viewers)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    # ------------------------------------------------------------ the demux thread
    def _broadcast(self, chunk: bytes | None, key: bool) -> None:
        with self._lock:
            viewers = list(self.viewers)
        for v in viewers:
            with contextlib.suppress(RuntimeError):  # its loop closed
                v.loop.call_soon_threadsafe(v.offer, chunk, key)

    def _run(self) -> None:
        sink = _Sink()
        out: Any = None
        try:
            if self.tap is not None:
                out = self._from_tap(self.tap, sink)
            while self.tap is None and not self._stop.is_set():
                out = self._session(sink, out)
                if source_kind(self.url) is SourceKind.FILE and not self.loop_files:
                    break
                if source_kind(self.url) is not SourceKind.FILE and self._stop.wait(2.0):
                    break  # else: a live camera dropped, reconnect
        except Exception as exc:  # an unreadable stream: viewers are told, not left hanging
            self.error = str(exc) or type(exc).__name__
            log.warning("live relay %s failed: %s", self.camera_id, self.error,
                        extra={"url": redact(self.url)})  # fmt: skip
        finally:
            with contextlib.suppress(Exception):
                if out is not None:
                    out.close()
            self._ready.set()
            self._broadcast(None, False)

    def _session(self, sink: _Sink, out: Any) -> Any:
        """One connection (or one pass over a file); the muxer outlives it, so viewers
        see one continuous stream across file loops and reconnects."""
        kind = source_kind(self.url)
        target = file_path(self.url) if kind is SourceKind.FILE else self.url
        with av.open(target, options=ffmpeg_options(kind, read_timeout_s=10.0)) as src:
            st = src.streams.video[0]
            if out is None:
                opts = {"movflags": MOVFLAGS, "flush_packets": "1"}
                out = av.open(sink, "w", format="mp4", options=opts)
                self._ost = out.add_stream_from_template(st)
                self.codec, self.size = codec_string(st), (st.width, st.height)
            # a recorded file plays at its own rate; a pipe or device is live already
            paced = kind is SourceKind.FILE and Path(target).is_file()
            self._pump(src, st, out, sink, realtime=paced)
        return out

    def _pump(self, src: Any, st: Any, out: Any, sink: _Sink, *, realtime: bool) -> None:
        tb = st.time_base or Fraction(1, 90000)
        step = 1 / float(st.average_rate or st.guessed_rate or 25)
        base: int | None = None
        offset = self._next_s  # media seconds already sent (continuity across sessions)
        t0 = time.monotonic()
        for pkt in src.demux(st):
            if self._stop.is_set():
                return
            if pkt.dts is None or pkt.size == 0:
                continue
            if base is None:
                if not pkt.is_keyframe:
                    continue
                base = pkt.dts
            media = float((pkt.dts - base) * tb)
            ahead = media - (time.monotonic() - t0)
            if realtime and ahead > 0 and self._stop.wait(ahead):
                return
            shift = round(offset / tb) - base
            self._flags.append(bool(pkt.is_keyframe))
            pkt.dts += shift
            pkt.pts = None if pkt.pts is None else pkt.pts + shift
            pkt.stream = self._ost
            out.mux(pkt)
            self._next_s = offset + media + step
            self._emit(sink.take())

    def _from_tap(self, tap: Tap, sink: _Sink) -> Any:
        """Packets from the recorder's demux thread (copied there, never blocking it)."""
        q: queue.Queue[tuple[Any, ...]] = queue.Queue(maxsize=QUEUE * 4)
        lost = threading.Event()

        def listen(packet: Any, stream: Any) -> None:
            if packet is None:
                item: tuple[Any, ...] = (None, stream)
            elif packet.dts is None or packet.size == 0:
                return
            else:
                item = (bytes(packet), packet.pts, packet.dts, bool(packet.is_keyframe),
                        packet.time_base, stream)  # fmt: skip
            try:
                q.put_nowait(item)
            except queue.Full:
                lost.set()  # resync at the next keyframe

        remove = tap(listen)
        out: Any = None
        base: int | None = None
        offset = 0.0
        try:
            while not self._stop.is_set():
                try:
                    item = q.get(timeout=0.5)
                except queue.Empty:
                    continue
                if item[0] is None:  # a new session: its clock starts over
                    base, offset = None, self._next_s
                    continue
                data, pts, dts, key, tb, stream = item
                if out is None:
                    opts = {"movflags": MOVFLAGS, "flush_packets": "1"}
                    out = av.open(sink, "w", format="mp4", options=opts)
                    self._ost = out.add_stream_from_template(stream)
                    self.codec, self.size = codec_string(stream), (stream.width, stream.height)
                if lost.is_set() or base is None:
                    if not key:
                        continue
                    lost.clear()
                    if base is None:
                        base = dts
                    else:  # packets were lost: continue the clock from here
                        base, offset = dts, self._next_s
                tb = tb or Fraction(1, 90000)
                shift = round(offset / tb) - base
                pkt = av.Packet(data)
                pkt.dts, pkt.pts = dts + shift, None if pts is None else pts + shift
                pkt.time_base, pkt.is_keyframe, pkt.stream = tb, key, self._ost
                self._flags.append(key)
                out.mux(pkt)
                step = 1 / float(stream.average_rate or stream.guessed_rate or 25)
                self._next_s = offset + float((dts - base) * tb) + step
                self._emit(sink.take())
        finally:
            remove()
        return out

    def _emit(self, data: bytes) -> None:
        boxes, self._rest = split_boxes(self._rest + data)
        frag = b""
        for kind, box in boxes:
            if kind in ("ftyp", "moov"):
                self._head += box
                if kind == "moov":
                    self.init = bytes(self._head)
                    self.codec = init_codec(self.init) or self.codec
                    self._ready.set()
                continue
            frag += box
            if kind == "mdat":
                self._broadcast(frag, self._flags.popleft() if self._flags else False)
                frag = b""
        self._rest = frag + self._rest


class LiveRelays:
    """The node's relays, one per watched camera."""

    def __init__(self, taps: Callable[[str], Tap | None] | None = None) -> None:
        self.taps = taps  # camera id -> its recorder's packet hook, if it is recorded
        self._relays: dict[str, LiveRelay] = {}
        self._lock = threading.Lock()

    def join(self, camera_id: str, url: str, loop: asyncio.AbstractEventLoop
             ) -> tuple[LiveRelay, Viewer]:  # fmt: skip
        with self._lock:
            relay = self._relays.get(camera_id)
            if relay is None or relay.error is not None or relay.url != url:
                tap = self.taps(camera_id) if self.taps is not None else None
                relay = self._relays[camera_id] = LiveRelay(camera_id, url, tap=tap)
            return relay, relay.join(loop)

    def leave(self, relay: LiveRelay, viewer: Viewer) -> None:
        with self._lock:
            if relay.leave(viewer) == 0 and self._relays.get(relay.camera_id) is relay:
                del self._relays[relay.camera_id]
            else:
                return
        relay.stop()

    def viewers(self) -> int:
        with self._lock:
            return sum(len(r.viewers) for r in self._relays.values())

    def close(self) -> None:
        with self._lock:
            relays, self._relays = list(self._relays.values()), {}
        for r in relays:
            r.stop()
