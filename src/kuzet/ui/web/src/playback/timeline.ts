// The timeline under the players: one row per camera with its recorded spans, the
// recorder's gaps, event marks and bookmarks, a strip of thumbnails of the first camera,
// a time axis in the city's clock and the playhead. Click or drag on the rows to scrub;
// the wheel (or the zoom buttons) zooms around the pointer from a day down to seconds;
// drag the axis to pan. Positions are percentages of the visible range: nothing is
// measured except where the pointer is.
import { h } from "../admin/dom";
import { toLocal } from "../admin/when";
import { fmtDateTime, fmtTime } from "../i18n/core";
import { tp } from "../i18n/playback";
import { typeName } from "../i18n/terms";
import { stripUrl, type Timeline } from "./api";

export const MIN_SPAN = 10_000;
export const MAX_SPAN = 86_400_000;
const STEPS = [1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 10800, 21600].map((s) => s * 1000);

export interface Row { camera: string; name: string; data: Timeline | null }

/** The city's offset from UTC at ``ms`` (whole minutes), so ticks fall on its round hours. */
function cityOffset(ms: number): number {
  const m = Math.floor(ms / 60_000) * 60_000;
  return Date.parse(`${toLocal(m)}:00Z`) - m;
}

export class TimelineView {
  readonly el = h("div", { id: "pb-timeline", class: "pb-timeline" });
  v0 = Date.now() - 3_600_000;
  v1 = Date.now();
  t = Date.now();
  private rows: Row[] = [];
  private axis = h("div", { class: "pb-axis" });
  private strip = h("div", { class: "pb-strip" });
  private tracks = h("div", { class: "pb-tracks" });
  private head = h("div", { class: "pb-head" });
  private stripKey = "";

  constructor(private onSeek: (t: number, final: boolean) => void, private onView: () => void) {
    this.el.append(this.axis, this.strip, this.tracks);
    this.tracks.addEventListener("pointerdown", (e) => this.scrub(e));
    this.el.addEventListener("wheel", (e) => {
      e.preventDefault();
      this.zoom(e.deltaY > 0 ? 2 : 0.5, this.timeAt(e.clientX));
    }, { passive: false });
    this.axis.addEventListener("pointerdown", (e) => this.pan(e));
  }

  get span(): number { return this.v1 - this.v0; }

  setRows(rows: Row[]): void { this.rows = rows; this.render(); }

  /** The visible range, kept between 10 s and a day. */
  setView(a: number, b: number): void {
    const span = Math.min(MAX_SPAN, Math.max(MIN_SPAN, b - a));
    const mid = (a + b) / 2;
    this.v0 = Math.round(mid - span / 2);
    this.v1 = this.v0 + span;
    this.render();
    this.onView();
  }

  zoom(factor: number, around = this.t): void {
    const span = Math.min(MAX_SPAN, Math.max(MIN_SPAN, this.span * factor));
    const f = (around - this.v0) / this.span;
    this.setView(around - f * span, around - f * span + span);
  }

  /** Moves the playhead; a playhead leaving the view pages the view along. */
  setTime(t: number): void {
    this.t = t;
    this.el.dataset.t = new Date(t).toISOString();
    if (t < this.v0 || t > this.v1) this.setView(t - this.span * 0.1, t + this.span * 0.9);
    else this.place(this.head, t);
  }

  private pct(t: number): number { return ((t - this.v0) / this.span) * 100; }
  private place(el: HTMLElement, t: number): void { el.style.left = `${this.pct(t)}%`; }

  private timeAt(clientX: number): number {
    const r = this.tracks.getBoundingClientRect();
    const f = Math.min(1, Math.max(0, (clientX - r.left) / Math.max(1, r.width)));
    return Math.round(this.v0 + f * this.span);
  }

  private scrub(e: PointerEvent): void {
    if ((e.target as HTMLElement).closest(".pb-label")) return;
    e.preventDefault();
    this.tracks.setPointerCapture(e.pointerId);
    const move = (ev: PointerEvent) => { this.setTime(this.timeAt(ev.clientX)); this.onSeek(this.t, false); };
    const up = (ev: PointerEvent) => {
      this.tracks.removeEventListener("pointermove", move);
      this.tracks.removeEventListener("pointerup", up);
      this.setTime(this.timeAt(ev.clientX));
      this.onSeek(this.t, true);
    };
    this.tracks.addEventListener("pointermove", move);
    this.tracks.addEventListener("pointerup", up);
    move(e);
  }

  private pan(e: PointerEvent): void {
    e.preventDefault();
    this.axis.setPointerCapture(e.pointerId);
    const x0 = e.clientX, a = this.v0, b = this.v1;
    const w = this.axis.getBoundingClientRect().width || 1;
    const move = (ev: PointerEvent) => {
      const dt = ((ev.clientX - x0) / w) * (b - a);
      this.setView(a - dt, b - dt);
    };
    const up = () => {
      this.axis.removeEventListener("pointermove", move);
      this.axis.removeEventListener("pointerup", up);
    };
    this.axis.addEventListener("pointermove", move);
    this.axis.addEventListener("pointerup", up);
  }

  render(): void {
    this.el.dataset.v0 = new Date(this.v0).toISOString();
    this.el.dataset.v1 = new Date(this.v1).toISOString();
    this.renderAxis();
    this.renderStrip();
    this.tracks.replaceChildren(...this.rows.map((r) => this.row(r)), this.head);
    this.place(this.head, this.t);
  }

  private renderAxis(): void {
    const width = this.axis.getBoundingClientRect().width || 800;
    const step = STEPS.find((s) => (s / this.span) * width >= 90) ?? STEPS[STEPS.length - 1];
    const off = cityOffset(this.v0);
    const ticks: HTMLElement[] = [];
    for (let x = Math.ceil((this.v0 + off) / step) * step - off; x <= this.v1; x += step) {
      const label = step >= 60_000 ? fmtTime(x).slice(0, 5) : fmtTime(x);
      const tick = h("span", { class: "pb-tick" }, label);
      this.place(tick, x);
      ticks.push(tick);
    }
    this.axis.replaceChildren(...ticks);
    this.axis.title = `${fmtDateTime(this.v0)} – ${fmtDateTime(this.v1)}`;
  }

  /** Thumbnails of the first camera across the view (one request, one audit record). */
  private renderStrip(): void {
    const first = this.rows[0];
    const has = first?.data?.spans.some((s) => Date.parse(s.start) < this.v1 && Date.parse(s.end) > this.v0);
    if (!first || !has) { this.strip.replaceChildren(); this.stripKey = ""; return; }
    const count = Math.max(1, Math.min(24, Math.floor((this.strip.getBoundingClientRect().width || 960) / 96)));
    const key = `${first.camera}|${this.v0}|${this.v1}|${count}`;
    if (key === this.stripKey) return;
    this.stripKey = key;
    const img = h("img", { alt: "", src: stripUrl(first.camera, this.v0, this.v1, count) });
    img.onerror = () => img.remove();
    this.strip.replaceChildren(img);
  }

  private row(r: Row): HTMLElement {
    const track = h("div", { class: "pb-track" });
    const box = (cls: string, a: number, b: number, title: string) => {
      const x0 = Math.max(a, this.v0), x1 = Math.min(b, this.v1);
      if (x1 <= x0) return;
      const el = h("div", { class: cls, title });
      el.style.left = `${this.pct(x0)}%`;
      el.style.width = `${Math.max(0.2, this.pct(x1) - this.pct(x0))}%`;
      track.append(el);
    };
    const d = r.data;
    for (const s of d?.spans ?? []) box("pb-span", Date.parse(s.start), Date.parse(s.end), tp("recorded"));
    for (const g of d?.gaps ?? [])
      box("pb-gap", Date.parse(g.start), g.end ? Date.parse(g.end) : Date.now(), `${tp("gap")}: ${g.reason}`);
    for (const m of d?.marks ?? []) {
      const ts = Date.parse(m.ts);
      if (ts < this.v0 || ts > this.v1) continue;
      const el = h("div", { class: `pb-mark ph-${m.phase}`, "data-id": m.id, "data-ts": m.ts,
        title: `${typeName(m.type)} · ${fmtTime(ts)}${m.rule ? ` · ${m.rule}` : ""}` });
      this.place(el, ts);
      track.append(el);
    }
    for (const b of d?.bookmarks ?? []) {
      const ts = Date.parse(b.ts);
      if (ts < this.v0 || ts > this.v1) continue;
      const el = h("div", { class: "pb-bm", "data-id": b.id, title: `${fmtTime(ts)} · ${b.note}` });
      this.place(el, ts);
      track.append(el);
    }
    return h("div", { class: "pb-row", "data-camera": r.camera },
      h("span", { class: "pb-label", title: r.camera }, r.name), track);
  }
}
