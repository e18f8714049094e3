// The traffic tab: a road segment's vehicles and mean speed per 15 minutes with the
// forecast for the next hour beside them, and the latest 1/5/15-minute figures of its
// lanes (count by class, speed, occupancy, queue). For whoever may read events.
import { api } from "../api";
import { fmtTime, onLangChange } from "../i18n/core";
import { errorText } from "../i18n/errors";
import { latest } from "../latest";
import { registerScreen } from "../shell";
import { lineChart, type Point } from "./chart";
import { tr } from "./i18n";

interface Lane { camera: string; approach: string; lane: string; segment: string }
interface Row { start: number; count: number; counts: Record<string, number>; mean_speed_kmh: number | null;
  occupancy: number | null; queue_max_veh: number; queue_max_m: number | null }
interface Fc { history: Point[]; forecast: Point[]; model: string | null }

const esc = (s: unknown): string => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

class TrafficView {
  private data: { rows: Row[]; count: Fc; speed: Fc } | null = null;
  private fresh = latest();  // the segment asked for last: a slower earlier one is dropped
  constructor(private pane: HTMLElement) {}

  async load(): Promise<void> {
    const lanes = await api<Lane[]>("/api/traffic/layout");
    const segs = [...new Set(lanes.map((l) => l.segment))].sort();
    this.pane.innerHTML = `<section class="traffic">
      <form id="tr-form" class="filters">
        <label>${esc(tr("segment"))} <select id="tr-segment">${segs.map((s) => `<option>${esc(s)}</option>`).join("")}</select></label>
        <label>${esc(tr("bin"))} <select id="tr-bin"><option value="60">${esc(tr("m1"))}</option>
          <option value="300" selected>${esc(tr("m5"))}</option><option value="900">${esc(tr("m15"))}</option></select></label>
        <button id="tr-show" type="submit">${esc(tr("show"))}</button>
      </form>
      <div id="tr-out" data-state="idle">${segs.length ? "" : `<p class="muted">${esc(tr("none"))}</p>`}</div></section>`;
    this.pane.querySelector("#tr-form")!.addEventListener("submit", (e) => { e.preventDefault(); void this.show(); });
  }

  private async show(): Promise<void> {
    const out = this.pane.querySelector<HTMLElement>("#tr-out")!;
    const seg = this.pane.querySelector<HTMLSelectElement>("#tr-segment")!.value;
    const bin = this.pane.querySelector<HTMLSelectElement>("#tr-bin")!.value;
    if (!seg) return;
    out.dataset.state = "loading";
    const since = new Date(Date.now() - 3 * 3600_000).toISOString();
    const q = (m: string) => `/api/traffic/forecast?segment=${encodeURIComponent(seg)}&metric=${m}`;
    const still = this.fresh();
    try {
      const [rows, count, speed] = await Promise.all([
        api<Row[]>(`/api/traffic/series?segment=${encodeURIComponent(seg)}&bin_s=${bin}&since=${encodeURIComponent(since)}`),
        api<Fc>(q("count")), api<Fc>(q("speed"))]);
      if (!still()) return;
      this.data = { rows, count, speed };
      this.render();
      out.dataset.state = "done";
    } catch (e) {
      if (!still()) return;
      out.innerHTML = `<p class="error">${esc(errorText(e))}</p>`;
      out.dataset.state = "error";
    }
  }

  render(): void {
    const out = this.pane.querySelector<HTMLElement>("#tr-out");
    if (!out || !this.data) return;
    const { rows, count, speed } = this.data;
    const labels = (f: Fc) => ({ measured: tr("measured"), forecast: tr("forecast", { model: f.model ?? "—" }) });
    const note = count.model ? "" : `<p id="tr-no-forecast" class="muted">${esc(tr("noForecast"))}</p>`;
    const table = rows.slice(-12).reverse().map((r) => `<tr data-start="${r.start}">
      <td>${esc(fmtTime(r.start * 1000))}</td><td class="count">${r.count}</td>
      <td>${esc(Object.entries(r.counts).map(([k, v]) => `${k} ${v}`).join(", "))}</td>
      <td class="speed">${r.mean_speed_kmh ?? "—"}</td>
      <td>${r.occupancy == null ? "—" : `${Math.round(r.occupancy * 100)}%`}</td>
      <td>${r.queue_max_veh}${r.queue_max_m == null ? "" : ` · ${esc(tr("metres", { m: Math.round(r.queue_max_m) }))}`}</td></tr>`).join("");
    out.innerHTML = `${note}<div class="tr-charts">
      ${lineChart("count", tr("counts"), tr("perQuarter"), count.history, count.forecast, labels(count))}
      ${lineChart("speed", tr("speed"), tr("kmh"), speed.history, speed.forecast, labels(speed))}</div>
      <h3>${esc(tr("latest"))}</h3>
      <table id="tr-latest"><thead><tr><th>${esc(tr("time"))}</th><th>${esc(tr("count"))}</th><th>${esc(tr("byClass"))}</th>
        <th>${esc(tr("speed"))}</th><th>${esc(tr("occupancy"))}</th><th>${esc(tr("queue"))}</th></tr></thead>
        <tbody>${table}</tbody></table>`;
  }
}

let view: TrafficView | null = null;

registerScreen({
  id: "traffic", label: "tr.tab", order: 40, needs: ["events.read"],
  async mount(pane) {
    view = new TrafficView(pane);
    onLangChange(() => view?.render());
    await view.load();
  },
});
