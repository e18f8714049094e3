// Event search: time range (Almaty clock), camera, district, category, type, class and
// attributes (key:value), newest first, a page at a time; one event's facts, snapshot and
// playback. Cameras come from the map's list (names, districts, categories).
import { api, type CameraPin, can, type Me } from "../api";
import { field, h, mark, say, select, table } from "../admin/dom";
import { fromLocal, timeInput } from "../admin/when";
import { fmtDateTime } from "../i18n/core";
import { errorText } from "../i18n/errors";
import { th, thd } from "../i18n/history";
import { categoryName, districtName, typeName } from "../i18n/terms";
import { latest } from "../latest";
import { type EventQuery, type EventRow, events } from "./api";
import { tp } from "../i18n/playback";
import { openPlayback } from "../playback/open";
import { eventMedia } from "./media";

const TYPES = ["zone_presence", "intrusion", "loitering", "crowd", "line_crossing",
  "stopped_vehicle", "wrong_way", "speeding", "abandoned_object", "object_removed",
  "illegal_dump", "fight", "fire", "smoke", "fall", "plate_read", "plate_match",
  "vehicle_attributes", "red_light", "stop_line", "bus_lane", "solid_line", "illegal_stopping", "average_speed"];
const CLASSES = ["person", "car", "truck", "bus", "motorcycle", "bicycle", "dog", "backpack",
  "handbag", "suitcase"];
const HIDDEN_ATTRS = new Set(["clip"]);
const DAY = 86_400_000;
const uniq = (xs: (string | null)[]): string[] =>
  [...new Set(xs.filter((x): x is string => !!x))].sort();

export const className = (c: string | null): string => (c ? thd(`cls_${c}`) : "—");

function attrText(a: Record<string, unknown>): string {
  return Object.entries(a).filter(([k, v]) => !HIDDEN_ATTRS.has(k) &&
    ["string", "number", "boolean"].includes(typeof v)).map(([k, v]) => `${k}: ${v}`).join(", ");
}

export class SearchView {
  private cams: CameraPin[] = [];
  private rows: EventRow[] = [];
  private cursor: string | null = null;
  private q: EventQuery = {};
  private since = timeInput("srch-since", Date.now() - DAY);
  private until = timeInput("srch-until");
  private camera = select("srch-camera", []);
  private district = select("srch-district", []);
  private category = select("srch-category", []);
  private type = h("input", { id: "srch-type", list: "srch-types", size: 14 });
  private cls = h("input", { id: "srch-class", list: "srch-classes", size: 10 });
  private attr = h("input", { id: "srch-attr", size: 22 });
  private list = h("div", { id: "srch-results" });
  private card = h("section", { class: "adm-card", id: "srch-card" });
  private note = h("div", { id: "srch-note" });
  private more = h("button", { id: "srch-more", hidden: true });
  private fresh = latest();  // the newest search or page: an earlier, slower one is dropped

  constructor(private el: HTMLElement, private me: Me) {}

  async load(): Promise<void> {
    this.cams = await api<CameraPin[]>("/api/ops/cameras");
    this.render();
  }

  private camName(id: string): string {
    return this.cams.find((c) => c.id === id)?.name ?? id;
  }

  render(): void {
    const keep = [this.camera.value, this.district.value, this.category.value];
    this.camera = select("srch-camera", [...this.cams].sort((a, b) =>
      (a.name ?? a.id).localeCompare(b.name ?? b.id)).map((c) => [c.id, c.name ?? c.id]),
    th("allCameras"), keep[0]);
    this.district = select("srch-district", uniq(this.cams.map((c) => c.district)).map((d) =>
      [d, districtName(d)]), th("allDistricts"), keep[1]);
    this.category = select("srch-category", uniq(this.cams.map((c) => c.category)).map((c) =>
      [c, categoryName(c)]), th("allCategories"), keep[2]);
    this.attr.placeholder = th("attrHint");
    this.more.textContent = th("more");
    this.more.onclick = () => void this.page();
    const go = h("button", { id: "srch-go", type: "submit", class: "primary" }, th("search"));
    const form = h("form", { class: "bar", id: "srch-form" },
      field(th("since"), this.since), field(th("until"), this.until),
      field(th("camera"), this.camera), field(th("district"), this.district),
      field(th("category"), this.category), field(th("type"), this.type),
      field(th("objectClass"), this.cls), field(th("attributes"), this.attr), go,
      h("datalist", { id: "srch-types" }, ...TYPES.map((x) =>
        h("option", { value: x, label: typeName(x) }))),
      h("datalist", { id: "srch-classes" }, ...CLASSES.map((x) =>
        h("option", { value: x, label: className(x) }))));
    form.onsubmit = (ev) => { ev.preventDefault(); void this.search(); };
    this.el.replaceChildren(h("div", { class: "adm-cols" },
      h("section", { class: "adm-list" }, form, this.note, this.list, this.more), this.card));
    this.card.replaceChildren(h("p", { class: "meta" }, th("searchHint")));
    this.draw();
  }

  private async search(): Promise<void> {
    const attrs = this.attr.value.split(/[,;]+/).map((s) => s.trim()).filter(Boolean);
    this.q = { since: fromLocal(this.since.value), until: fromLocal(this.until.value),
      camera_id: this.camera.value, district: this.district.value,
      category: this.category.value, type: this.type.value.trim(),
      class_name: this.cls.value.trim(), attr: attrs };
    this.rows = [];
    this.cursor = null;
    this.list.dataset.state = "busy";
    await this.page(true);
  }

  private async page(first = false): Promise<void> {
    if (!first && this.cursor === null) return;
    const still = this.fresh();
    try {
      const p = await events(this.q, this.cursor);
      if (!still()) return;
      this.rows.push(...p.items);
      this.cursor = p.next_cursor;
      this.note.textContent = th("found", { n: this.rows.length }) +
        (this.cursor ? ` ${th("moreExist")}` : "");
      this.note.className = "meta";
    } catch (e) {
      if (!still()) return;
      say(this.note, errorText(e));
    }
    this.draw();
  }

  private draw(): void {
    this.list.dataset.state = "done";
    this.more.hidden = this.cursor === null;
    if (!this.rows.length) {
      this.list.replaceChildren(h("p", { class: "meta" }, th("nothingFound")));
      return;
    }
    this.list.replaceChildren(table(
      [th("time"), th("camera"), th("type"), th("objectClass"), th("score"), th("attributes"), ""],
      this.rows, (e) => e.id,
      (e) => [fmtDateTime(e.ts), this.camName(e.camera_id), typeName(e.type),
        className(e.class_name), e.score?.toFixed(2) ?? "—", attrText(e.attributes),
        (e.snapshot ? "▣" : "") + (e.attributes.clip ? " ▶" : "")],
      (e) => { mark(this.list, e.id); this.show(e); }));
  }

  /** The camera's timeline from just before the event, for those who may play recordings. */
  private recording(e: EventRow): HTMLElement | null {
    if (!can(this.me, "recordings.read")) return null;
    const b = h("button", { id: "srch-recording" }, tp("openRecording"));
    b.onclick = () => openPlayback({ cameras: [e.camera_id], at: Date.parse(e.ts) - 10_000 });
    return b;
  }

  private show(e: EventRow): void {
    const cam = this.cams.find((c) => c.id === e.camera_id);
    const row = (k: string, v: string) => [h("dt", {}, k), h("dd", {}, v)];
    const attrs = Object.entries(e.attributes).filter(([k]) => !HIDDEN_ATTRS.has(k));
    this.card.dataset.event = e.id;
    this.card.replaceChildren(h("h2", {}, typeName(e.type), " · ", this.camName(e.camera_id)),
      eventMedia(e, this.me, "srch"), this.recording(e) ?? "",
      h("dl", {}, ...row(th("time"), fmtDateTime(e.ts)), ...row(th("camera"),
        `${this.camName(e.camera_id)} (${e.camera_id})`),
        ...row(th("district"), districtName(cam?.district ?? null)),
        ...row(th("category"), categoryName(cam?.category ?? null)),
        ...row(th("rule"), e.rule ?? "—"), ...row(th("objectClass"), className(e.class_name)),
        ...row(th("track"), e.track_id == null ? "—" : String(e.track_id)),
        ...row(th("score"), e.score?.toFixed(2) ?? "—"), ...row(th("phase"), e.phase),
        ...attrs.map(([k, v]) => row(k, typeof v === "object" ? JSON.stringify(v) : String(v)))
          .flat()));
  }
}
