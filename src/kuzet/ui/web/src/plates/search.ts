// Plate search: a plate, a pattern (123*02) or similar plates (1-2 differences), camera and
// time range, and the reason that goes to the audit log with every query. Newest first, a
// page at a time.
import { api, type CameraPin, type Me } from "../api";
import { field, h, mark, say, select, table } from "../admin/dom";
import { eventMedia } from "../history/media";
import { fromLocal, timeInput } from "../admin/when";
import { fmtDateTime } from "../i18n/core";
import { errorText } from "../i18n/errors";
import { latest } from "../latest";
import { type PlateRead, type SearchQuery, searchReads } from "./api";
import { tpl } from "./strings";

const DAY = 86_400_000;

export class PlateSearchView {
  private cams: CameraPin[] = [];
  private rows: PlateRead[] = [];
  private cursor: string | null = null;
  private q: SearchQuery | null = null;
  private plate = h("input", { id: "pl-q", size: 16, autocomplete: "off" });
  private mode = select("pl-mode", []);
  private distance = select("pl-distance", [["1", "1"], ["2", "2"]], undefined, "1");
  private camera = select("pl-camera", []);
  private since = timeInput("pl-since", Date.now() - 7 * DAY);
  private until = timeInput("pl-until");
  private reason = h("input", { id: "pl-reason", size: 28 });
  private note = h("div", { id: "pl-note" });
  private list = h("div", { id: "pl-results" });
  private more = h("button", { id: "pl-more", hidden: true });
  private fresh = latest();  // the newest search or page: an earlier, slower one is dropped

  private card = h("section", { id: "pl-card" });

  constructor(private el: HTMLElement, private me: Me) {}

  async load(): Promise<void> {
    this.cams = await api<CameraPin[]>("/api/ops/cameras");
    this.render();
  }

  private camName(id: string): string {
    return this.cams.find((c) => c.id === id)?.name ?? id;
  }

  render(): void {
    const keep = [this.mode.value || "exact", this.camera.value];
    this.mode = select("pl-mode", ["exact", "wildcard", "fuzzy"].map((m) => [m, tpl(`m_${m}` as "m_exact")]),
      undefined, keep[0]);
    this.camera = select("pl-camera", this.cams.map((c) => [c.id, c.name ?? c.id]),
      tpl("allCameras"), keep[1]);
    const dist = field(tpl("distance"), this.distance);
    const fuzzyOnly = () => { dist.hidden = this.mode.value !== "fuzzy"; };
    this.mode.addEventListener("change", fuzzyOnly);
    fuzzyOnly();
    this.plate.placeholder = tpl("plateHint");
    this.more.textContent = tpl("more");
    this.more.onclick = () => void this.page();
    const form = h("form", { class: "bar", id: "pl-form" },
      field(tpl("plate"), this.plate), field(tpl("mode"), this.mode),
      dist, field(tpl("camera"), this.camera),
      field(tpl("since"), this.since), field(tpl("until"), this.until),
      field(tpl("reason"), this.reason),
      h("button", { id: "pl-go", type: "submit", class: "primary" }, tpl("search")));
    form.addEventListener("submit", (e) => { e.preventDefault(); void this.start(); });
    this.el.replaceChildren(h("section", { class: "adm-wide" }, form, this.note, this.list, this.more, this.card));
    this.draw();
  }

  private async start(): Promise<void> {
    const reason = this.reason.value.trim();
    if (reason.length < 3) { say(this.note, tpl("needReason")); return; }
    this.q = {
      q: this.plate.value.trim(), mode: this.mode.value, distance: Number(this.distance.value),
      camera: this.camera.value, since: fromLocal(this.since.value),
      until: fromLocal(this.until.value), reason,
    };
    this.rows = [];
    this.cursor = null;
    await this.page();
  }

  private async page(): Promise<void> {
    if (!this.q) return;
    const still = this.fresh();
    try {
      const got = await searchReads(this.q, this.cursor);
      if (!still()) return;
      this.rows = [...this.rows, ...got.reads];
      this.cursor = got.next_cursor;
      this.draw();
    } catch (e) {
      if (still()) say(this.note, errorText(e));
    }
  }

  private draw(): void {
    if (!this.q) { this.note.textContent = ""; return; }
    const n = this.rows.length;
    say(this.note, n ? tpl("found", { n }) + (this.cursor ? " " + tpl("moreExist") : "")
      : tpl("nothingFound"), true);
    this.more.hidden = !this.cursor;
    this.list.replaceChildren(table(
      [tpl("plate"), tpl("when"), tpl("camera"), tpl("vehicle"), tpl("country"), tpl("confidence"),
        tpl("diff")],
      this.rows, (r) => r.event_id,
      (r) => [h("b", { class: "plate" }, r.plate_display ?? r.plate), fmtDateTime(r.ts),
        this.camName(r.camera_id), r.vehicle_class ?? "—", r.plate_country ?? "—",
        r.confidence == null ? "—" : r.confidence.toFixed(2), String(r.distance)],
      (r) => this.open(r)));
  }

  /** One read: its plate, time, camera and the vehicle's picture (snapshots.read). */
  private open(r: PlateRead): void {
    mark(this.list, r.event_id);
    this.card.replaceChildren(h("h3", { id: "pl-card-plate" }, r.plate_display ?? r.plate),
      h("p", {}, `${fmtDateTime(r.ts)} · ${this.camName(r.camera_id)} · ${r.plate_format ?? ""}`),
      eventMedia({ id: r.event_id, snapshot: r.has_snapshot ? r.event_id : null }, this.me, "pl"));
  }
}
