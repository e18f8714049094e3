"""A tiny RTSP camera for tests: loops an H.264 clip, no re-encoding.

The clip is H.264 (Annex-B) in MPEG-TS: a raw ``.h264`` elementary stream carries no
timestamps, so through ``multifilesrc`` every RTP packet gets time 0 and the whole
file bursts out at once. ``tsdemux`` gives real pts, paced in real time, and they keep
increasing across loops. A raw ``.h264`` is still served (bursty) if given.

Run with the *system* python (python3-gi does not import inside the venv):
``/usr/bin/python3 rtsp_server.py --port 8554 --file clip.h264 --path /cam``.
Prints ``READY <port>`` once it listens; stops on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--file", required=True)
    ap.add_argument("--path", default="/cam")
    ap.add_argument("--fps", type=int, default=25)
    ap.add_argument("--user", help="require RTSP basic auth (with --password)")
    ap.add_argument("--password")
    args = ap.parse_args()

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    factory = GstRtspServer.RTSPMediaFactory()
    caps = f"video/x-h264,stream-format=byte-stream,framerate={args.fps}/1"
    if args.file.endswith(".ts"):
        source = f'multifilesrc location="{args.file}" loop=true ! tsdemux'
    else:
        source = f'multifilesrc location="{args.file}" loop=true caps="{caps}"'
    factory.set_launch(f"( {source} ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=1 )")
    factory.set_shared(True)
    if args.user:  # a camera with a password: anyone else gets 401 Unauthorized
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "viewer")
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, args.password), token)
        server.set_auth(auth)
        role = "viewer, media.factory.access=(boolean)true, media.factory.construct=(boolean)true"
        factory.add_role_from_structure(Gst.Structure.new_from_string(role))
    server.get_mount_points().add_factory(args.path, factory)
    if server.attach(None) == 0:
        print(f"cannot listen on 127.0.0.1:{args.port}", file=sys.stderr, flush=True)
        return 2
    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    print(f"READY {server.get_bound_port()}", flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
