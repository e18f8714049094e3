// The camera wall: 1, 4, 9 or 16 tiles of live pictures, each with its camera's state and
// the time of the newest frame it shows (stale ones say so). A tile fills the screen on
// double-click (Esc returns). Layouts are saved per user on the server as named views.
import { api, del, put, type CameraPin } from "../api";
import { applyStatic, dictionary, fmtTime, onLangChange } from "../i18n/core";
import { errorText } from "../i18n/errors";
import { to } from "../i18n/ops";
import { statusName } from "../i18n/terms";
import { liveUrl } from "./camera";
import { MjpegReader } from "./mjpeg";
import { cameraById, ops } from "./state";

const tw = dictionary({
  en: { layout: "Layout", views: "Saved views", viewNone: "— current wall —", viewName: "View name",
        save: "Save view", deleteView: "Delete view", full: "Full screen", removeTile: "Remove",
        emptyTile: "Empty: add a camera from its card on the map or the list", pickCamera: "Camera…",
        wallFull: "The wall is full: remove a camera or choose a larger layout.", saved: "View “{name}” saved." },
  ru: { layout: "Раскладка", views: "Сохранённые виды", viewNone: "— текущая стена —", viewName: "Название вида",
        save: "Сохранить вид", deleteView: "Удалить вид", full: "Во весь экран", removeTile: "Убрать",
        emptyTile: "Пусто: добавьте камеру из её карточки на карте или в списке", pickCamera: "Камера…",
        wallFull: "Стена заполнена: уберите камеру или выберите раскладку больше.", saved: "Вид «{name}» сохранён." },
  kk: { layout: "Орналасу", views: "Сақталған көріністер", viewNone: "— ағымдағы қабырға —", viewName: "Көрініс атауы",
        save: "Көріністі сақтау", deleteView: "Көріністі жою", full: "Толық экран", removeTile: "Алып тастау",
        emptyTile: "Бос: камераны картадағы немесе тізімдегі карточкасынан қосыңыз", pickCamera: "Камера…",
        wallFull: "Қабырға толы: камераны алып тастаңыз немесе үлкенірек орналасуды таңдаңыз.", saved: "«{name}» көрінісі сақталды." },
});
const LAYOUTS = [1, 4, 9, 16];
interface View { name: string; layout: number; cameras: (string | null)[] }
const esc = (s: unknown): string => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export class Wall {
  layout = 4;
  /** 16 tiles' cameras; the layout shows the first 1, 4, 9 or 16 (a smaller layout hides,
   *  never forgets, the rest: back to a larger one and they are there again). */
  slots: (string | null)[] = Array(16).fill(null);
  private readers = new Map<number, MjpegReader>();
  private frames = new Map<number, number>();
  private visible = false;
  private views: View[] = [];
  private grid: HTMLElement;
  private msg: HTMLElement;
  private clock: number | null = null;

  constructor(private pane: HTMLElement) {
    pane.innerHTML = `<div class="wall-bar"><span data-t="layout"></span>
      ${LAYOUTS.map((n) => `<button data-layout="${n}">${n}</button>`).join("")}
      <label><span data-t="views"></span> <select id="wall-views"></select></label>
      <input id="wall-view-name" data-t-placeholder="viewName" size="14">
      <button id="wall-save" data-t="save"></button><button id="wall-delete" data-t="deleteView"></button>
      <span class="meta" id="wall-msg" role="status"></span></div><div id="wall"></div>`;
    applyStatic(pane);
    this.grid = pane.querySelector("#wall")!;
    this.msg = pane.querySelector("#wall-msg")!;
    pane.querySelectorAll<HTMLButtonElement>("[data-layout]").forEach((b) =>
      b.addEventListener("click", () => this.setLayout(Number(b.dataset.layout))));
    pane.querySelector("#wall-save")!.addEventListener("click", () => void this.save());
    pane.querySelector("#wall-delete")!.addEventListener("click", () => void this.remove());
    pane.querySelector<HTMLSelectElement>("#wall-views")!.addEventListener("change", (e) =>
      this.apply((e.target as HTMLSelectElement).value));
    ops.camerasChanged.on(() => this.captions());
    onLangChange(() => { this.fillViews(); this.render(); });
    document.addEventListener("keydown", (e) => { if (e.key === "Escape") this.unfull(); });
    this.render();
    void this.loadViews();
  }

  has(id: string): boolean { return this.shown().includes(id); }

  private shown(): (string | null)[] { return this.slots.slice(0, this.layout); }

  show(): void { this.visible = true; this.render(); this.clock ??= window.setInterval(() => this.ages(), 1000); }

  hide(): void {
    this.visible = false;
    this.stopAll();
    if (this.clock !== null) clearInterval(this.clock);
    this.clock = null;
  }

  add(c: CameraPin): void {
    if (this.has(c.id)) return;
    this.slots = this.slots.map((x) => (x === c.id ? null : x));  // hidden by a small layout
    let free = this.shown().indexOf(null);
    if (free < 0) {
      const bigger = LAYOUTS.find((n) => n > this.layout && this.slots.slice(0, n).includes(null));
      if (!bigger) { this.say(tw("wallFull")); return; }
      this.layout = bigger;
      free = this.shown().indexOf(null);
    }
    this.slots[free] = c.id;
    this.render();
  }

  setLayout(n: number): void {
    this.layout = n;
    this.render();
  }

  private say(text: string): void { this.msg.textContent = text; }

  private stopAll(): void {
    for (const r of this.readers.values()) r.stop();
    this.readers.clear();
    this.grid.dataset.streams = "0";
  }

  private render(): void {
    this.stopAll();
    this.pane.querySelectorAll<HTMLElement>("[data-layout]").forEach((b) =>
      b.classList.toggle("active", Number(b.dataset.layout) === this.layout));
    this.grid.style.setProperty("--cols", String(Math.sqrt(this.layout)));
    this.grid.dataset.layout = String(this.layout);
    this.grid.replaceChildren(...this.shown().map((id, i) => this.tile(id, i)));
    this.captions();
  }

  private tile(id: string | null, i: number): HTMLElement {
    const fig = document.createElement("figure");
    fig.dataset.slot = String(i);
    if (!id) {
      fig.className = "empty";
      fig.innerHTML = `<p class="meta">${esc(tw("emptyTile"))}</p>`;
      return fig;
    }
    fig.dataset.camera = id;
    fig.innerHTML = `<img alt=""><figcaption><span class="dot"></span><span class="name"></span>
      <span class="frame meta"></span><span class="spacer"></span>
      <button class="full" title="${esc(tw("full"))}" aria-label="${esc(tw("full"))}">⇱</button>
      <button class="remove" title="${esc(tw("removeTile"))}" aria-label="${esc(tw("removeTile"))}">×</button></figcaption>`;
    fig.querySelector(".remove")!.addEventListener("click", () => { this.slots[i] = null; this.render(); });
    fig.querySelector(".full")!.addEventListener("click", () => this.full(fig));
    fig.addEventListener("dblclick", () => (fig.classList.contains("full") ? this.unfull() : this.full(fig)));
    if (this.visible) this.stream(fig, id, i);
    return fig;
  }

  private stream(fig: HTMLElement, id: string, i: number): void {
    const img = fig.querySelector("img")!;
    const frame = fig.querySelector<HTMLElement>(".frame")!;
    frame.textContent = to("noFrame");
    const reader = new MjpegReader(liveUrl(id), img, (f) => {
      // the newest frame's own time (X-Frame-Time) is shown; staleness counts on this
      // console's clock from when that time last moved on (no skew between the clocks)
      if (this.frames.get(i) !== f.frameTime || !fig.dataset.advanced) fig.dataset.advanced = String(f.received);
      this.frames.set(i, f.frameTime);
      fig.dataset.frameTime = String(f.frameTime);
      frame.textContent = to("frameAt", { time: fmtTime(f.frameTime) });
      fig.classList.remove("stale");
    }, (why) => {
      fig.classList.add("stale");
      frame.textContent = why && why.status !== 0 ? errorText(why) : to("streamEnded");
      const wait = why && why.status >= 400 ? 30_000 : 3000;
      setTimeout(() => { if (this.visible && this.readers.get(i) === reader && fig.isConnected) this.stream(fig, id, i); }, wait);
    });
    this.readers.set(i, reader);
    this.grid.dataset.streams = String(this.readers.size);
  }

  /** Each tile's camera name and state (the camera list is re-read every 15 s). */
  private captions(): void {
    this.grid.querySelectorAll<HTMLElement>("figure[data-camera]").forEach((fig) => {
      const cam = cameraById(fig.dataset.camera!);
      fig.querySelector(".name")!.textContent = cam?.name ?? fig.dataset.camera!;
      const dot = fig.querySelector<HTMLElement>(".dot")!;
      dot.className = `dot st-${cam?.status ?? "unknown"}`;
      dot.title = statusName(cam?.status ?? "unknown");
      fig.dataset.status = cam?.status ?? "unknown";
    });
  }

  private ages(): void {
    this.grid.querySelectorAll<HTMLElement>("figure[data-camera]").forEach((fig) => {
      const t = Number(fig.dataset.frameTime ?? 0);
      const age = Math.round((Date.now() - Number(fig.dataset.advanced ?? 0)) / 1000);
      if (t && age > 10) {
        fig.classList.add("stale");
        fig.querySelector(".frame")!.textContent = `${to("frameAt", { time: fmtTime(t) })} · ${to("streamStale", { s: age })}`;
      }
    });
  }

  private full(fig: HTMLElement): void {
    this.unfull();
    fig.classList.add("full");
    void fig.requestFullscreen?.().catch(() => undefined);  // the CSS class alone fills the window
  }

  private unfull(): void {
    this.grid.querySelectorAll(".full").forEach((f) => f.classList.remove("full"));
    if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
  }

  // ---- saved views, per user, on the server -------------------------------------------
  private async loadViews(): Promise<void> {
    try {
      this.views = await api<View[]>("/api/me/views");
    } catch (e) { this.say(errorText(e)); this.views = []; }
    this.fillViews();
    const last = localStorage.getItem("kuzet.wall.view");
    if (last && this.views.some((v) => v.name === last)) this.apply(last);
  }

  private fillViews(): void {
    const sel = this.pane.querySelector<HTMLSelectElement>("#wall-views")!;
    const keep = sel.value;
    sel.replaceChildren(new Option(tw("viewNone"), ""), ...this.views.map((v) => new Option(v.name, v.name)));
    sel.value = this.views.some((v) => v.name === keep) ? keep : "";
  }

  private apply(name: string): void {
    const v = this.views.find((x) => x.name === name);
    const sel = this.pane.querySelector<HTMLSelectElement>("#wall-views")!;
    sel.value = v ? name : "";
    localStorage.setItem("kuzet.wall.view", v ? name : "");
    if (!v) return;
    this.layout = LAYOUTS.includes(v.layout) ? v.layout : 4;
    this.slots = Array.from({ length: 16 }, (_, i) => (i < this.layout ? v.cameras[i] ?? null : null));
    this.pane.querySelector<HTMLInputElement>("#wall-view-name")!.value = name;
    this.render();
  }

  private async save(): Promise<void> {
    const input = this.pane.querySelector<HTMLInputElement>("#wall-view-name")!;
    const name = input.value.trim() || this.pane.querySelector<HTMLSelectElement>("#wall-views")!.value;
    if (!name) { input.focus(); return; }
    try {
      const v = await put<View>(`/api/me/views/${encodeURIComponent(name)}`,
                                { layout: this.layout, cameras: this.shown() });
      this.views = [...this.views.filter((x) => x.name !== name), { ...v, name }]
        .sort((a, b) => a.name.localeCompare(b.name));
      this.fillViews();
      this.apply(name);
      this.say(tw("saved", { name }));
    } catch (e) { this.say(errorText(e)); }
  }

  private async remove(): Promise<void> {
    const name = this.pane.querySelector<HTMLSelectElement>("#wall-views")!.value;
    if (!name) return;
    try {
      await del(`/api/me/views/${encodeURIComponent(name)}`);
      this.views = this.views.filter((x) => x.name !== name);
      this.fillViews();
      this.apply("");
    } catch (e) { this.say(errorText(e)); }
  }
}
