"""Live view at full frame rate: fMP4 over WebSocket vs low-latency HLS, measured.

A synthetic camera (1280x720, 25 fps, H.264 ultrafast/zerolatency, 1 s GOP, no B-frames)
draws each frame's capture time (Unix ms, 42 bits + checksum, as black/white blocks) into
the picture, and streams MPEG-TS into a FIFO that the Kuzet server reads as the camera's
main URL. Headless Chromium plays it through each transport and, for every presented
frame, reads the stamp back: latency = expected display time - capture time (encode,
relay, network, browser decode and compositing; not the lens/sensor or the monitor).
Then N headless viewers (Python clients) per transport, and the server process's CPU.

Synthetic pictures (the stamp needs them); the latency path does not depend on content.

Usage: .venv/bin/python bench/playback_live.py [--seconds 20] [--viewers 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from fractions import Fraction
from pathlib import Path

import av
import httpx
import numpy as np
import websockets

W, H, FPS, B = 1280, 720, 25, 24
HERE = Path(__file__).parent


def stamp(img: np.ndarray, ms: int) -> None:
    bits = [(ms >> (41 - k)) & 1 for k in range(42)]
    chk = sum(bits) % 64
    bits += [(chk >> (5 - k)) & 1 for k in range(6)]
    for k, bit in enumerate(bits):
        r, c = divmod(k, 8)
        img[r * B : (r + 1) * B, c * B : (c + 1) * B] = 255 if bit else 0


def camera(fifo: Path, stop: threading.Event) -> None:
    """Encode frames in real time into the FIFO (blocks until the server opens it)."""
    sink = open(fifo, "wb", buffering=0)  # noqa: SIM115  (blocks, GIL released, until read)
    out = av.open(sink, "w", format="mpegts", options={"flush_packets": "1"})
    st = out.add_stream("libx264", rate=FPS)
    st.width, st.height, st.pix_fmt = W, H, "yuv420p"
    st.options = {"preset": "ultrafast", "tune": "zerolatency", "g": str(FPS), "bf": "0"}
    st.codec_context.thread_count = 1
    base = np.zeros((H, W, 3), np.uint8)
    base[:, :, 1] = np.linspace(40, 200, W, dtype=np.uint8)[None, :]
    t0 = time.time()
    n = 0
    try:
        while not stop.is_set():
            due = t0 + n / FPS
            if (wait := due - time.time()) > 0:
                time.sleep(wait)
            img = base.copy()
            x = (n * 8) % (W - 200)
            img[300:500, x : x + 200] = 230  # something moving
            stamp(img, int(time.time() * 1000))
            f = av.VideoFrame.from_ndarray(img, format="bgr24")
            f.pts, f.time_base = n, Fraction(1, FPS)
            for p in st.encode(f):
                out.mux(p)
            n += 1
    except (BrokenPipeError, OSError, av.FFmpegError):
        pass
    finally:
        try:
            out.close()
            sink.close()
        except Exception:
            pass


def cpu_s(pid: int) -> float:
    parts = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def browser_latency(port: int, token: str, mode: str, seconds: float) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--autoplay-policy=no-user-gesture-required",
    ]
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        c = b.new_context(viewport={"width": 1280, "height": 720})
        c.add_cookies(
            [{"name": "kuzet_access", "value": token, "domain": "127.0.0.1", "path": "/"}]
        )
        page = c.new_page()
        page.goto(f"http://127.0.0.1:{port}/bench/page.html?mode={mode}")
        page.wait_for_timeout(6000)  # start-up and settling at the live edge
        page.evaluate("() => { window.samples = []; window.frames = 0; window.bad = 0; }")
        page.wait_for_timeout(seconds * 1000)
        res = page.evaluate(
            "() => ({s: window.samples, f: window.frames, b: window.bad, e: window.errors})"
        )
        b.close()
    s = res["s"]
    if not s:
        return {
            "frames": res["f"],
            "errors": len(res["e"]),
            "p50": float("nan"),
            "p95": float("nan"),
        }
    return {
        "p50": statistics.median(s),
        "p95": pct(s, 0.95),
        "max": max(s),
        "fps": res["f"] / seconds,
        "unreadable": res["b"],
        "errors": len(res["e"]),
    }


async def ws_viewer(port: int, token: str, stop: asyncio.Event) -> int:
    n = 0
    url = f"ws://127.0.0.1:{port}/api/ws/recordings/live-1/live"
    async with websockets.connect(
        url, additional_headers={"Authorization": f"Bearer {token}"}, max_size=None
    ) as ws:
        while not stop.is_set():
            try:
                await asyncio.wait_for(ws.recv(), 1)
                n += 1
            except TimeoutError:
                pass
    return n


async def hls_viewer(port: int, stop: asyncio.Event) -> int:
    """What hls.js does at the live edge: blocking reload for the next part, then get it."""
    base = f"http://127.0.0.1:{port}/bench/llhls/"
    n = 0
    async with httpx.AsyncClient(timeout=10) as c:
        await c.get(base + "init.mp4")
        text = (await c.get(base + "index.m3u8")).text
        hint = [ln for ln in text.splitlines() if ln.startswith("#EXT-X-PRELOAD-HINT")][-1]
        msn, idx = (int(x) for x in hint.split("part/")[1].split(".m4s")[0].split("/"))
        while not stop.is_set():
            await c.get(base + "index.m3u8", params={"_HLS_msn": msn, "_HLS_part": idx})
            r = await c.get(base + f"part/{msn}/{idx}.m4s")
            if r.status_code == 404:  # the segment closed: next one
                msn, idx = msn + 1, 0
                continue
            n += 1
            idx += 1
    return n


async def viewers_cpu(pid: int, port: int, token: str, mode: str, n: int, secs: float) -> float:
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(
            ws_viewer(port, token, stop) if mode == "ws" else hls_viewer(port, stop)
        )
        for _ in range(n)
    ]
    await asyncio.sleep(3)
    c0, t0 = cpu_s(pid), time.monotonic()
    await asyncio.sleep(secs)
    used = (cpu_s(pid) - c0) / (time.monotonic() - t0)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.sleep(1)
    return used * 100  # % of one core


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--viewers", type=int, default=10)
    ap.add_argument("--port", type=int, default=18431)
    ap.add_argument("--quick", action="store_true", help="5 s, 2 viewers")
    args = ap.parse_args()
    if args.quick:
        args.seconds, args.viewers = 5.0, 2
    with tempfile.TemporaryDirectory(prefix="kuzet-live-bench-") as tmp:
        fifo = Path(tmp) / "camera.ts"
        os.mkfifo(fifo)
        stop = threading.Event()
        cam = threading.Thread(target=camera, args=(fifo, stop), daemon=True)
        cam.start()
        srv = subprocess.Popen(
            [
                sys.executable,
                str(HERE / "_playback_live_server.py"),
                str(args.port),
                str(fifo),
                tmp,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert srv.stdout is not None
            token = json.loads(srv.stdout.readline())["token"]
            for _ in range(100):
                try:
                    httpx.get(f"http://127.0.0.1:{args.port}/healthz", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            # the LL-HLS packager is a viewer of the relay too: start it (and the relay)
            httpx.get(f"http://127.0.0.1:{args.port}/bench/llhls/index.m3u8", timeout=20)
            print(
                f"machine: {os.cpu_count()} cores; camera {W}x{H} {FPS} fps; "
                f"{args.seconds:.0f} s per figure"
            )
            for mode in ("ws", "llhls"):
                r = browser_latency(args.port, token, mode, args.seconds)
                print(
                    f"{mode:6s} glass-to-glass (capture -> display) ms: p50 {r['p50']:.0f}  "
                    f"p95 {r['p95']:.0f}  max {r.get('max', float('nan')):.0f}  "
                    f"frames/s shown {r.get('fps', 0):.1f}  unreadable {r.get('unreadable')}  "
                    f"errors {r['errors']}"
                )
            for mode in ("ws", "llhls"):
                one = asyncio.run(viewers_cpu(srv.pid, args.port, token, mode, 1, args.seconds))
                many = asyncio.run(
                    viewers_cpu(srv.pid, args.port, token, mode, args.viewers, args.seconds)
                )
                per = (many - one) / max(1, args.viewers - 1)
                print(
                    f"{mode:6s} server CPU: 1 viewer {one:.1f}% of a core, {args.viewers} "
                    f"viewers {many:.1f}%  -> {per:.2f}% per extra viewer"
                )
        finally:
            srv.terminate()
            srv.wait(10)
            stop.set()


if __name__ == "__main__":
    main()
