"""The server side of bench/playback_live.py (run as its own process, so its CPU is its own).

Serves the real Kuzet app (access control, the live relay behind
``/api/ws/recordings/{camera}/live``) plus, for the comparison only, a minimal low-latency
HLS packager over the same relay (``/bench/llhls/...``: 0.2 s parts, 1 s segments,
blocking playlist reload, preload hints) and the measuring page.

Usage (by the driver): _playback_live_server.py PORT SOURCE WORKDIR
Prints one JSON line ``{"token": ...}`` when it listens.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pyotp
import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import APIRouter, Request, Response

from kuzet.access.model import Role
from kuzet.access.service import AccessService
from kuzet.api import create_app
from kuzet.api.policy_table import ROUTES, Gate, Rule
from kuzet.api.security import compile_rules
from kuzet.assets import ensure
from kuzet.config.access import AccessConfig, Argon2Config, PasswordPolicy
from kuzet.config.evidence import EvidenceConfig
from kuzet.core.records import CameraInfo
from kuzet.crypto.signing import Signer
from kuzet.events import MemoryBus
from kuzet.evidence.live import LiveRelays, Viewer
from kuzet.evidence.service import Evidence
from kuzet.record import EvidenceHolds, SegmentIndex
from kuzet.schema import open_store
from kuzet.store import LocalBlobStore

CAMERA = "live-1"
PART_FRAMES = 5  # 0.2 s at 25 fps
PAGE = Path(__file__).with_name("playback_live_page.html")


@dataclass
class Part:
    msn: int
    idx: int
    data: bytes
    frames: int
    independent: bool


@dataclass
class Seg:
    msn: int
    parts: list[Part] = field(default_factory=list)
    done: bool = False


class Packager(Viewer):
    """Low-latency HLS over the relay's per-frame fragments (bench only)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self.segs: dict[int, Seg] = {}
        self.msn = -1
        self.frames: list[bytes] = []
        self.indep = False
        self.changed = asyncio.Event()
        self.fps = 25.0

    def offer(self, chunk: bytes | None, key: bool) -> None:
        if chunk is None:
            return
        if self.msn < 0 and not key:
            return
        if key:
            self._close_part()
            if self.msn >= 0:
                self.segs[self.msn].done = True
            self.msn += 1
            self.segs[self.msn] = Seg(self.msn)
            for old in [m for m in self.segs if m < self.msn - 8]:
                del self.segs[old]
            self.indep = True
        self.frames.append(chunk)
        if len(self.frames) >= PART_FRAMES:
            self._close_part()

    def _close_part(self) -> None:
        if not self.frames or self.msn < 0:
            return
        seg = self.segs[self.msn]
        seg.parts.append(
            Part(self.msn, len(seg.parts), b"".join(self.frames), len(self.frames), self.indep)
        )
        self.frames, self.indep = [], False
        self.changed.set()
        self.changed = asyncio.Event()

    async def wait_for(self, msn: int, part: int, timeout: float = 3.0) -> None:
        end = time.monotonic() + timeout
        while not self._has(msn, part) and time.monotonic() < end:
            ev = self.changed
            try:
                await asyncio.wait_for(ev.wait(), max(0.01, end - time.monotonic()))
            except TimeoutError:
                break

    def _has(self, msn: int, part: int) -> bool:
        seg = self.segs.get(msn)
        if seg is None:
            return msn < self.msn - 8
        return len(seg.parts) > part or seg.done

    def playlist(self) -> str:
        msns = sorted(m for m in self.segs if self.segs[m].parts)
        dur = PART_FRAMES / self.fps
        lines = [
            "#EXTM3U",
            "#EXT-X-VERSION:9",
            "#EXT-X-TARGETDURATION:1",
            f"#EXT-X-PART-INF:PART-TARGET={dur:.3f}",
            f"#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK={3 * dur:.3f}",
            f"#EXT-X-MEDIA-SEQUENCE:{msns[0] if msns else 0}",
            '#EXT-X-MAP:URI="init.mp4"',
        ]
        for m in msns:
            seg = self.segs[m]
            if m >= self.msn - 2:  # parts of the last segments
                for p in seg.parts:
                    ind = ",INDEPENDENT=YES" if p.independent else ""
                    lines.append(
                        f"#EXT-X-PART:DURATION={p.frames / self.fps:.3f},"
                        f'URI="part/{m}/{p.idx}.m4s"{ind}'
                    )
            if seg.done:
                total = sum(p.frames for p in seg.parts) / self.fps
                lines += [f"#EXTINF:{total:.3f},", f"seg/{m}.m4s"]
        if self.msn >= 0:
            nxt = len(self.segs[self.msn].parts)
            lines.append(f'#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part/{self.msn}/{nxt}.m4s"')
        return "\n".join(lines) + "\n"


def build(source: str, work: Path) -> tuple[object, str]:
    store = open_store(f"sqlite:///{work / 'kuzet.db'}")
    cfg = AccessConfig(
        passwords=PasswordPolicy(argon2=Argon2Config(time_cost=1, memory_kib=8, parallelism=1)),
        secure_cookies=False,
    )
    svc = AccessService(store.engine, cfg)
    svc.seed_agencies()
    store.upsert_camera(CameraInfo(id=CAMERA, main_url=source))
    _, otp = svc.accounts.create_user(None, "bench-investigator", "city-police", Role.INVESTIGATOR)
    p = svc.authenticate(svc.sessions.login("bench-investigator", otp or "").access_token)
    assert p is not None
    secret = svc.accounts.enrol_totp(p).secret
    pw = "Bench-Live-Secret-Phrase-7"
    svc.accounts.confirm_totp(p, pyotp.TOTP(secret).at(time.time()), pw)
    token = svc.sessions.login(
        "bench-investigator", pw, totp_code=pyotp.TOTP(secret).at(time.time() + 30)
    ).access_token

    rec = SimpleNamespace(
        index=SegmentIndex(store.engine), holds=EvidenceHolds(store.engine, svc.audit), volumes={}
    )
    ev = Evidence(
        rec,
        store.engine,
        svc.audit,
        Signer(Ed25519PrivateKey.generate(), "bench"),
        EvidenceConfig(),
        work,
    )
    app = create_app(
        store=store, blobs=LocalBlobStore(work / "blobs"), bus=MemoryBus(), access=svc, evidence=ev
    )
    app.include_router(bench_router(ev.live, source))
    app.state.kuzet_rules = compile_rules(app)
    return app, token


def bench_router(relays: LiveRelays, source: str) -> APIRouter:
    r = APIRouter(prefix="/bench")
    state: dict[str, Packager] = {}
    hls = ensure("hls.min.js").read_bytes()

    async def pk() -> Packager:
        if "p" not in state:
            loop = asyncio.get_running_loop()
            relay, _ = relays.join(CAMERA, source, loop)
            p = Packager(loop)
            relay.leave(_)
            with relay._lock:
                relay.viewers.add(p)
            state["p"], state["relay"] = p, relay  # type: ignore[assignment]
            await asyncio.to_thread(relay.wait_ready, 10)
        return state["p"]

    @r.get("/page.html")
    def page() -> Response:
        return Response(PAGE.read_text(), media_type="text/html")

    @r.get("/hls.min.js")
    def hlsjs() -> Response:
        return Response(hls, media_type="text/javascript")

    @r.get("/llhls/index.m3u8")
    async def playlist(request: Request) -> Response:
        p = await pk()
        q = request.query_params
        if "_HLS_msn" in q:
            await p.wait_for(int(q["_HLS_msn"]), int(q.get("_HLS_part", 0)))
        return Response(
            p.playlist(),
            media_type="application/vnd.apple.mpegurl",
            headers={"Cache-Control": "no-cache"},
        )

    @r.get("/llhls/init.mp4")
    async def init() -> Response:
        await pk()
        relay = state["relay"]
        return Response(relay.init, media_type="video/mp4")  # type: ignore[attr-defined]

    @r.get("/llhls/part/{msn}/{idx}.m4s")
    async def part(msn: int, idx: int) -> Response:
        p = await pk()
        await p.wait_for(msn, idx)
        seg = p.segs.get(msn)
        if seg is None or idx >= len(seg.parts):
            return Response(status_code=404)
        return Response(seg.parts[idx].data, media_type="video/mp4")

    @r.get("/llhls/seg/{msn}.m4s")
    async def seg(msn: int) -> Response:
        p = await pk()
        s = p.segs.get(msn)
        if s is None or not s.done:
            return Response(status_code=404)
        return Response(b"".join(x.data for x in s.parts), media_type="video/mp4")

    for route in r.routes:
        ROUTES[("GET", route.path)] = Rule(Gate.PUBLIC)  # type: ignore[attr-defined]
    return r


def main() -> None:
    port, source, work = int(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    app, token = build(source, work)
    print(json.dumps({"token": token}), flush=True)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
