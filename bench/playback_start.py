"""Playback start latency: from asking for a recorded range to holding the bytes a player
needs to show its first picture, over real HTTP (uvicorn) with the real access gate.

Footage: vtest.avi (real CCTV) as 1280x720 25 fps H.264, recorded by the real recorder
into 10 s fMP4 segments, 20 passes back to back (~10 min). Each trial picks a random
60 s range and times: HLS = playlist + init bytes + first media byte range (what hls.js
fetches before its first frame); MP4 = the first 1 MiB of ``video.mp4`` (a cold remux of
the range, then cached). Cleared (investigator) and uncleared (operator: faces blurred by
the BlazeFace detector, cold = first viewing of that segment) callers. Then time to first
frame in headless Chromium with hls.js for a few trials.

Usage: .venv/bin/python bench/playback_start.py [--trials 40]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import httpx
import pyotp
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))

from rtsp import make_h264_clip

from kuzet.access.model import Role
from kuzet.access.service import AccessService
from kuzet.api import create_app
from kuzet.config.access import AccessConfig, Argon2Config, PasswordPolicy
from kuzet.config.evidence import EvidenceConfig
from kuzet.config.record import CameraRecordSettings, RecordMode
from kuzet.core.records import CameraInfo
from kuzet.crypto.signing import Signer
from kuzet.events import MemoryBus
from kuzet.evidence.service import Evidence
from kuzet.record import EvidenceHolds, SegmentIndex
from kuzet.record.camera import CameraRecorder
from kuzet.schema import open_store
from kuzet.storage import LocalVolume
from kuzet.store import LocalBlobStore
from kuzet.vision.blazeface import default_detector

CAM = "cam-1"
T0 = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
PASSES = 20


def token(svc: AccessService, name: str, role: Role) -> str:
    _, otp = svc.accounts.create_user(None, name, "city-police", role)
    p = svc.authenticate(svc.sessions.login(name, otp or "").access_token)
    assert p is not None
    secret = svc.accounts.enrol_totp(p).secret
    pw = "Bench-Start-Secret-Phrase-9"
    svc.accounts.confirm_totp(p, pyotp.TOTP(secret).at(time.time()), pw)
    code = pyotp.TOTP(secret).at(time.time() + 30)
    return svc.sessions.login(name, pw, totp_code=code).access_token


def record(tmp: Path, index: SegmentIndex, vol: LocalVolume) -> float:
    clip = make_h264_clip(tmp / "cam.ts", seconds=32, width=1280, height=720)
    st = CameraRecordSettings(
        mode=RecordMode.CONTINUOUS, segment_s=10, pre_s=0, post_s=0, days=None, volume="default"
    )
    t = T0.timestamp()
    for _ in range(PASSES):
        rec = CameraRecorder(CAM, str(clip), st, vol, index, realtime=False, clock=lambda t=t: t)  # type: ignore[misc]
        rec.start()
        assert rec._thread is not None
        rec._thread.join(120)
        last = index.latest(CAM)
        assert last is not None
        t = last.end.timestamp()
    return t - T0.timestamp()


def serve(app: object, port: int) -> uvicorn.Server:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))  # type: ignore[arg-type]
    threading.Thread(target=server.run, daemon=True).start()
    for _ in range(100):
        if server.started:
            return server
        time.sleep(0.05)
    raise RuntimeError("server did not start")


def iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def hls_start(c: httpx.Client, a: datetime, b: datetime) -> float:
    t0 = time.perf_counter()
    base = f"/api/recordings/{CAM}/"
    pl = c.get(base + "playlist.m3u8", params={"start": iso(a), "end": iso(b)})
    pl.raise_for_status()
    text = pl.text
    m = re.search(r'#EXT-X-MAP:URI="([^"?]+)(?:\?part=init)?"(?:,BYTERANGE="(\d+)@0")?', text)
    assert m is not None, text[:400]
    uri = m.group(1)
    if m.group(2):  # as recorded: two byte ranges of one file
        init = int(m.group(2))
        br = re.search(r"#EXT-X-BYTERANGE:(\d+)@(\d+)", text)
        assert br is not None
        n, off = int(br.group(1)), int(br.group(2))
        c.get(base + uri, headers={"Range": f"bytes=0-{init - 1}"}).raise_for_status()
        c.get(base + uri, headers={"Range": f"bytes={off}-{off + n - 1}"}).raise_for_status()
    else:  # blurred copy: init and media parts
        c.get(base + uri, params={"part": "init"}).raise_for_status()
        c.get(base + uri, params={"part": "media"}).raise_for_status()
    return time.perf_counter() - t0


def mp4_start(c: httpx.Client, a: datetime, b: datetime) -> float:
    t0 = time.perf_counter()
    r = c.get(
        f"/api/recordings/{CAM}/video.mp4",
        params={"start": iso(a), "end": iso(b)},
        headers={"Range": "bytes=0-1048575"},
    )
    assert r.status_code == 206, r.text[:200]
    return time.perf_counter() - t0


def summary(name: str, xs: list[float]) -> None:
    xs = sorted(xs)
    p95 = xs[min(len(xs) - 1, int(0.95 * len(xs)))]
    print(
        f"{name:44s} n={len(xs):3d}  p50 {statistics.median(xs) * 1e3:7.1f} ms  "
        f"p95 {p95 * 1e3:7.1f} ms  max {xs[-1] * 1e3:7.1f} ms"
    )


def browser_ttff(port: int, tok: str, starts: list[datetime]) -> list[float]:
    from playwright.sync_api import sync_playwright

    from kuzet.assets import ensure

    hls = ensure("hls.min.js").read_text()
    out = []
    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        ctx = b.new_context()
        ctx.add_cookies(
            [{"name": "kuzet_access", "value": tok, "domain": "127.0.0.1", "path": "/"}]
        )
        page = ctx.new_page()
        page.goto(f"http://127.0.0.1:{port}/healthz")
        page.add_script_tag(content=hls)
        for a in starts:
            url = (
                f"/api/recordings/{CAM}/playlist.m3u8?start={iso(a)}"
                f"&end={iso(a + timedelta(seconds=60))}"
            )
            ms = page.evaluate(
                """(url) => new Promise((ok, bad) => {
                const v = document.createElement('video'); v.muted = true;
                document.body.appendChild(v);
                const t0 = performance.now();
                const h = new Hls(); h.loadSource(url); h.attachMedia(v);
                h.on(Hls.Events.ERROR, (_, d) => { if (d.fatal) bad(d.details); });
                v.requestVideoFrameCallback(() => { ok(performance.now() - t0); h.destroy();
                                                    v.remove(); });
                v.play().catch(() => {});
            })""",
                url,
            )
            out.append(ms / 1000)
        b.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=40)
    ap.add_argument("--port", type=int, default=18432)
    ap.add_argument("--quick", action="store_true", help="5 trials")
    args = ap.parse_args()
    if args.quick:
        args.trials = 5
    rnd = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="kuzet-start-bench-") as tmp_s:
        tmp = Path(tmp_s)
        store = open_store(f"sqlite:///{tmp / 'kuzet.db'}")
        cheap = PasswordPolicy(argon2=Argon2Config(time_cost=1, memory_kib=8, parallelism=1))
        svc = AccessService(store.engine, AccessConfig(passwords=cheap, secure_cookies=False))
        svc.seed_agencies()
        store.upsert_camera(CameraInfo(id=CAM, main_url="file:unused.mp4"))
        index = SegmentIndex(store.engine)
        vol = LocalVolume("default", tmp / "recordings")
        t_rec = time.perf_counter()
        span = record(tmp, index, vol)
        n = len(index.between(CAM, T0, T0 + timedelta(hours=1)))
        took = time.perf_counter() - t_rec
        print(f"recorded {span:.0f} s of 1280x720 25 fps H.264 in {took:.1f} s ({n} segments)")

        rec = SimpleNamespace(
            index=index, holds=EvidenceHolds(store.engine, svc.audit), volumes={"default": vol}
        )
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        ev = Evidence(
            rec,
            store.engine,
            svc.audit,
            Signer(Ed25519PrivateKey.generate(), "b"),
            EvidenceConfig(),
            tmp / "data",
            faces=default_detector,
        )
        app = create_app(
            store=store,
            blobs=LocalBlobStore(tmp / "blobs"),
            bus=MemoryBus(),
            access=svc,
            evidence=ev,
            faces=default_detector,
        )
        serve(app, args.port)
        inv = token(svc, "bench-inv", Role.INVESTIGATOR)
        op = token(svc, "bench-op", Role.OPERATOR)
        base = f"http://127.0.0.1:{args.port}"

        def ranges(n: int) -> list[datetime]:
            return [T0 + timedelta(seconds=rnd.uniform(0, span - 60)) for _ in range(n)]

        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {inv}"}, timeout=120
        ) as c:
            hls_start(c, T0, T0 + timedelta(seconds=60))  # warm the process up
            summary(
                "HLS start, cleared (investigator)",
                [hls_start(c, a, a + timedelta(seconds=60)) for a in ranges(args.trials)],
            )
            starts = ranges(args.trials // 2)
            summary(
                "MP4 start, cleared, cold (remux 60 s)",
                [mp4_start(c, a, a + timedelta(seconds=60)) for a in starts],
            )
            summary(
                "MP4 start, cleared, cached",
                [mp4_start(c, a, a + timedelta(seconds=60)) for a in starts],
            )
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {op}"}, timeout=300
        ) as c:
            starts = ranges(max(3, args.trials // 8))
            summary(
                "HLS start, uncleared (blurred), cold",
                [hls_start(c, a, a + timedelta(seconds=60)) for a in starts],
            )
            summary(
                "HLS start, uncleared (blurred), cached",
                [hls_start(c, a, a + timedelta(seconds=60)) for a in starts],
            )
        ttff = browser_ttff(args.port, inv, ranges(8))
        summary("Chromium + hls.js time to first frame, cleared", ttff)
        ev.close()
        store.close()


if __name__ == "__main__":
    main()
