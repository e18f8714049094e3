"""Event -> visible in the operator's browser, on the real pipeline.

    .venv/bin/python bench/ui_latency.py [--seconds 20]

The whole service runs (vtest.avi looped, NanoDet, a zone rule on people, store, bus,
incident engine, API) and Chromium shows the education operator's queue. Every new track
starts its own incident (grouping off), and the page records, with a MutationObserver,
when each incident's row enters the DOM; latency = that moment minus the event's frame
time (both clocks are this machine's), split into event -> incident made (server),
incident made -> row on screen, and that again into made -> message on the socket and
message -> row in the DOM. Prints one JSON line: samples, p50, p95, max (s).
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from datetime import datetime
from pathlib import Path

from playwright.sync_api import sync_playwright

from _ui_common import ARGS, CHROMIUM, Server, cheap_access, pct, person, sign_in
from kuzet.assets import ensure
from kuzet.config import CameraConfig, SiteConfig, StoreConfig
from kuzet.config.ops import OpsConfig
from kuzet.config.rules import IntrusionRuleConfig, SceneRuleSetConfig
from kuzet.service import Service

OBSERVE = """
window.__rows = [];
new MutationObserver((muts) => {
  const now = Date.now();
  for (const m of muts) for (const n of m.addedNodes)
    if (n.dataset && n.dataset.eventTs && !window.__rows.some(r => r.id === n.dataset.id))
      window.__rows.push({id: n.dataset.id, ev: Date.parse(n.dataset.eventTs), shown: now});
}).observe(document, {childList: true, subtree: true});
window.__got = {};  // when the socket first brought each incident
const Socket = window.WebSocket;
window.WebSocket = class extends Socket {
  constructor(...a) {
    super(...a);
    this.addEventListener("message", (m) => {
      const id = JSON.parse(m.data).incident?.id;
      if (id && !(id in window.__got)) window.__got[id] = Date.now();
    });
  }
};
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=20.0, help="how long to gather samples")
    ap.add_argument("--quick", action="store_true", help="gather for 5 s")
    args = ap.parse_args()
    if args.quick:
        args.seconds = min(args.seconds, 5.0)
    tmp = Path(tempfile.mkdtemp(prefix="kuzet-ui-latency-"))
    site = SiteConfig(
        data_dir=tmp / "var",
        store=StoreConfig(url=f"sqlite:///{tmp / 'k.db'}", batch_wait_ms=10),
        access=cheap_access(),
        cameras=[CameraConfig(id="school-25", name="School No. 25 yard", category="school",
                              district="Bostandyk", latitude=43.2205, longitude=76.9089,
                              main_url=str(ensure("vtest.avi")), loop=True,
                              rules=[SceneRuleSetConfig(rules=[IntrusionRuleConfig(
                                  name="yard", classes=["person"])])])],
    )  # fmt: skip
    site.ops = OpsConfig(group_window_s=0)  # each new track: an incident, a sample
    svc = Service(site)
    secret = person(svc.access, "aigul", "education")
    with Server(svc.app) as server, sync_playwright() as pw:
        svc.start()
        try:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            ctx = browser.new_context(viewport={"width": 1440, "height": 860})
            ctx.add_init_script(OBSERVE)
            page = ctx.new_page()
            sign_in(page, server.url, "aigul", secret)
            page.wait_for_selector("#queue li[data-id]", timeout=120_000)
            time.sleep(args.seconds)
            rows = page.evaluate("window.__rows")
            got = page.evaluate("window.__got")
            made = {
                i["id"]: i["created_at"]
                for i in page.evaluate(
                    "fetch('/api/ops/incidents?state=all&limit=5000').then(r => r.json())"
                )
            }
            browser.close()
        finally:
            svc.stop()
    lat = sorted((r["shown"] - r["ev"]) / 1000 for r in rows)
    # the two halves: event -> incident made on the server; incident made -> row on screen
    server = sorted(datetime.fromisoformat(made[r["id"]]).timestamp() - r["ev"] / 1000
                    for r in rows if r["id"] in made)  # fmt: skip
    page_s = sorted(r["shown"] / 1000 - datetime.fromisoformat(made[r["id"]]).timestamp()
                    for r in rows if r["id"] in made)  # fmt: skip
    wire = sorted((got[r["id"]] / 1000 - datetime.fromisoformat(made[r["id"]]).timestamp())
                  for r in rows if r["id"] in made and r["id"] in got)  # fmt: skip
    dom = sorted((r["shown"] - got[r["id"]]) / 1000 for r in rows if r["id"] in got)
    print(json.dumps({
        "bench": "ui_latency", "machine": f"{platform.machine()} {platform.system()}",
        "samples": len(lat), "p50_s": round(pct(lat, 0.5), 3), "p95_s": round(pct(lat, 0.95), 3),
        "max_s": round(lat[-1], 3) if lat else None,
        "server_p50_s": round(pct(server, 0.5), 3), "server_p95_s": round(pct(server, 0.95), 3),
        "to_screen_p50_s": round(pct(page_s, 0.5), 3),
        "to_screen_p95_s": round(pct(page_s, 0.95), 3),
        "socket_p50_s": round(pct(wire, 0.5), 3), "socket_p95_s": round(pct(wire, 0.95), 3),
        "dom_p50_s": round(pct(dom, 0.5), 3), "dom_p95_s": round(pct(dom, 0.95), 3),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
