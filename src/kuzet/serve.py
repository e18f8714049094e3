"""The ``kuzet serve`` / ``kuzet demo`` process around one :class:`~kuzet.service.Service`:
the web server, SIGINT/SIGTERM to a clean stop, the console's event lines and the first
administrator on a fresh database."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType

import uvicorn

from kuzet.access.tls import uvicorn_proxy, uvicorn_ssl
from kuzet.config.models import SiteConfig
from kuzet.events import Subscription
from kuzet.obs.logging import setup_logging
from kuzet.service import Service
from kuzet.vision import Detector

log = logging.getLogger(__name__)


def _bootstrap(svc: Service, username: str) -> str | None:
    """The first administrator's one-time password; None when one exists already."""
    from kuzet.access.errors import Conflict

    try:
        return svc.access.create_first_admin(username)
    except Conflict:
        return None


def _print_events(sub: Subscription, stop: threading.Event) -> None:
    while not stop.is_set():
        for d in sub.fetch(100, 0.5):
            e = d.event
            box = "" if e.box is None else " box=[" + ",".join(f"{v:.0f}" for v in e.box) + "]"
            dwell = e.attributes.get("dwell_s")
            print(
                f"{e.ts:%H:%M:%S} {e.camera_id} {e.type}/{e.phase} rule={e.rule} "
                f"track={e.track_id} {e.class_name} score={e.score}{box}"
                + (f" dwell={dwell}s" if dwell is not None else ""),
                flush=True,
            )


def run_service(
    site: SiteConfig,
    *,
    print_events: bool = True,
    bootstrap_admin: str | None = None,
    announce: Callable[[str | None], object] | None = None,
    detector: Detector | None = None,
) -> None:
    """Run until Ctrl-C (SIGINT) or SIGTERM, then stop every stage cleanly.

    ``bootstrap_admin`` (the demo) creates the first administrator on a fresh database;
    ``announce`` is then called after the start line with its one-time password (None
    when it existed already).
    """
    setup_logging("INFO", json=False)
    svc = Service(site, detector=detector)
    secret = _bootstrap(svc, bootstrap_admin) if bootstrap_admin else None
    stop = threading.Event()
    if print_events:
        sub = svc.bus.subscribe("console", durable=False)
        threading.Thread(target=_print_events, args=(sub, stop), daemon=True).start()
    ssl = uvicorn_ssl(site.access.tls, site.data_dir)
    server = uvicorn.Server(
        uvicorn.Config(
            svc.app,
            host=site.api.host,
            port=site.api.port,
            log_level="warning",
            **uvicorn_proxy(site.access),  # X-Forwarded-For from configured proxies only
            **ssl,  # type: ignore[arg-type]
        )
    )
    # SIGTERM (systemd, docker, `timeout`) stops as Ctrl-C does. uvicorn handles both while
    # it serves, then restores the handlers it found and raises the signal again: without
    # one of ours, SIGTERM's default action would kill the process before the stop below.
    previous = signal.signal(signal.SIGTERM, _terminate)
    t0 = time.monotonic()
    try:
        svc.start()
        scheme = "https" if ssl else "http"
        print(
            f"Kuzet '{site.site}': {len(site.cameras)} cameras. "
            f"API {scheme}://{site.api.host}:{site.api.port}  (docs /docs, health /healthz, "
            f"metrics /metrics, live events ws /api/ws/events). Ctrl-C stops.",
            flush=True,
        )
        if announce is not None:  # the demo: web app address and one-time password, in a box
            announce(secret)
        server.run()  # returns, or raises KeyboardInterrupt, after SIGINT / SIGTERM
    except KeyboardInterrupt:
        pass  # Ctrl-C or SIGTERM: the normal way to stop; exit 0 after the clean stop below
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut it short
        stop.set()
        svc.stop()
        signal.signal(signal.SIGTERM, previous)
        up = time.monotonic() - t0
        log.info("kuzet stopped cleanly", extra={"uptime_s": round(up, 1)})
        print(f"Kuzet stopped after {up:.0f} s.", flush=True)


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # unwinds to run_service's clean stop, as Ctrl-C does
