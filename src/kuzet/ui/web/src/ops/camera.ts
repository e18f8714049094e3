// The camera card: its live picture (with the time of the newest frame), what and where
// it is, "add to wall", and its ten most recent events (click one: its incident, if open).
import { api, type CameraPin } from "../api";
import { fmtTime } from "../i18n/core";
import { errorText } from "../i18n/errors";
import { to } from "../i18n/ops";
import { latest } from "../latest";
import { agencyName, categoryName, districtName, ruleName, statusName, typeName } from "../i18n/terms";
import { cameraExtras } from "../playback/camera";
import { MjpegReader } from "./mjpeg";
import { agencyOf, ops } from "./state";

interface EventRow { id: string; ts: string; type: string; rule: string | null; score: number | null }
const esc = (s: unknown): string => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
export const liveUrl = (id: string): string => `/api/ops/cameras/${encodeURIComponent(id)}/live.mjpeg`;

export class CameraCard {
  private reader: MjpegReader | null = null;
  private clock: number | null = null;
  private extras: (() => void) | null = null;
  private fresh = latest();  // the card on screen: a slower earlier card's events are dropped

  constructor(private el: HTMLElement, private onWall: (id: string) => boolean) {}

  close(): void {
    this.fresh();  // what the closed card still waits for is not drawn into the next one
    this.extras?.();
    this.extras = null;
    this.stopFrames();
  }

  private stopFrames(): void {
    this.reader?.stop();
    this.reader = null;
    if (this.clock !== null) clearInterval(this.clock);
    this.clock = null;
  }

  async open(c: CameraPin): Promise<void> {
    this.close();
    const row = (k: Parameters<typeof to>[0], v: string) => `<dt>${esc(to(k))}</dt><dd>${esc(v)}</dd>`;
    this.el.innerHTML = `<h2 id="d-camera-name"></h2><div class="body" data-camera="${esc(c.id)}">
      <figure class="live"><img class="snap" alt=""><figcaption class="meta" id="d-frame"></figcaption></figure>
      <dl>${row("category", categoryName(c.category))}${row("district", districtName(c.district))}
      ${row("status", statusName(c.status))}${row("agency", agencyName(agencyOf(c.category, c.district, c.agency), ops.settings))}</dl>
      <div class="actions"><button id="d-wall" class="primary"></button></div>
      <p class="error" id="d-error" role="alert"></p>
      <h3>${esc(to("recentEvents"))}</h3><ol class="log" id="d-events"></ol></div>`;
    this.el.querySelector("#d-camera-name")!.textContent = c.name ?? c.id;
    const img = this.el.querySelector<HTMLImageElement>("img.snap")!;
    img.alt = to("live");
    const wallBtn = this.el.querySelector<HTMLButtonElement>("#d-wall")!;
    const label = () => { const on = this.onWall(c.id); wallBtn.textContent = to(on ? "onWall" : "addToWall"); wallBtn.disabled = on; };
    label();
    wallBtn.addEventListener("click", () => { ops.addToWall.emit(c); label(); });
    this.watch(c.id, img);
    this.extras = cameraExtras(c.id, this.el.querySelector<HTMLElement>(".actions")!,
      this.el.querySelector<HTMLElement>("figure.live")!,
      { stop: () => this.stopFrames(), start: () => this.watch(c.id, img) });
    const still = this.fresh();
    try {
      const page = await api<{ items: EventRow[] }>(`/api/events?camera_id=${encodeURIComponent(c.id)}&limit=10`);
      if (!still()) return;
      const list = this.el.querySelector("#d-events");
      if (!list) return;
      list.innerHTML = page.items.length ? page.items.map((e) => `<li data-event="${esc(e.id)}"><time>${esc(fmtTime(e.ts))}</time>
        ${esc(typeName(e.type))} · ${esc(ruleName(e.rule, ops.settings))} · ${esc(e.score?.toFixed(2) ?? "—")}</li>`).join("")
        : `<li class="meta">${esc(to("noEvents"))}</li>`;
      list.querySelectorAll<HTMLElement>("li[data-event]").forEach((li) => li.addEventListener("click", () => {
        const inc = [...ops.incidents.values()].find((i) => i.last_event_id === li.dataset.event || i.first_event_id === li.dataset.event);
        if (inc) ops.select.emit(inc.id);
      }));
    } catch (e) {
      if (!still()) return;
      const p = this.el.querySelector("#d-error");
      if (p) p.textContent = errorText(e);
    }
  }

  private watch(id: string, img: HTMLImageElement): void {
    const cap = this.el.querySelector<HTMLElement>("#d-frame")!;
    let last = 0;
    cap.textContent = to("noFrame");
    const start = () => {
      this.reader = new MjpegReader(liveUrl(id), img, (f) => {
        last = f.frameTime;
        cap.textContent = to("frameAt", { time: fmtTime(f.frameTime) });
        cap.classList.remove("stale");
      }, (why) => {
        cap.textContent = why && why.status !== 0 ? errorText(why) : to("streamEnded");
        cap.classList.add("stale");
        // a refusal (403, 404, 503) will not heal in 3 s: try again in 30
        const wait = why && why.status >= 400 ? 30_000 : 3000;
        if (this.reader && !this.reader.stopped) setTimeout(() => { if (cap.isConnected && this.reader) start(); }, wait);
      });
    };
    start();
    this.clock = window.setInterval(() => {
      if (!cap.isConnected) { this.close(); return; }
      const age = Math.round((Date.now() - last) / 1000);
      if (last && age > 10) { cap.textContent = to("streamStale", { s: age }); cap.classList.add("stale"); }
    }, 1000);
  }
}
