// Forensic search over the track index: a time range; cameras, districts, categories or
// an area drawn on the map; the object's class and what it wore or carried, or a vehicle's
// colour, type, make and model (only the
// attributes /api/archive/info says this person may use); a face photo (cleared roles);
// and a line or zone drawn now on a camera's picture. Results are pages of pictures, each
// opening the recording at its moment.
import { api, ApiError, type CameraPin, can, type Me, type Settings } from "../api";
import { field, h, say, select } from "../admin/dom";
import { fromLocal, timeInput } from "../admin/when";
import { errorText } from "../i18n/errors";
import { tf, tfd } from "../i18n/forensic";
import { className } from "../history/search";
import { categoryName, districtName } from "../i18n/terms";
import { latest } from "../latest";
import { type Hit, type Info, byFace, type Query, info, tracks } from "./api";
import { AreaPicker } from "./area";
import { Drawing } from "./draw";
import { hitCard } from "./results";

const DAY = 86_400_000;
const CLASSES = ["person", "car", "bicycle", "motorcycle", "bus", "truck"];
const VALUES: Record<string, string[]> = {
  upper_colour: ["black", "grey", "white", "red", "orange", "brown", "yellow", "green", "blue", "purple", "pink"],
  carried_bag: ["none", "backpack", "handbag", "suitcase"], gender: ["female", "male"],
  age_band: ["0-17", "18-29", "30-44", "45-59", "60+"],
};
VALUES.lower_colour = VALUES.upper_colour;
// vehicle body colours (kuzet.vehicles.colour.NAMES) and types (vehicles.types' defaults)
VALUES.vehicle_colour = ["white", "grey", "black", "red", "orange", "yellow", "green", "blue", "purple", "brown", "beige"];
VALUES.vehicle_type = ["car", "truck", "bus", "motorcycle", "bicycle"];
const uniq = (xs: (string | null)[]): string[] => [...new Set(xs.filter((x): x is string => !!x))].sort();

function multi(id: string, pairs: [string, string][], keep: string[]): HTMLSelectElement {
  const s = h("select", { id, multiple: true, size: Math.min(5, Math.max(2, pairs.length)) });
  for (const [v, label] of pairs) s.append(new Option(label, v, false, keep.includes(v)));
  return s;
}
const chosen = (s: HTMLSelectElement): string[] => [...s.selectedOptions].map((o) => o.value);

export class ForensicView {
  private info: Info = { attributes: [], max_range_days: 31, max_limit: 1000, directions: [], zone_modes: [] };
  private cams: CameraPin[] = [];
  private settings: Settings = { agencies: [], routing: [] };
  private since = timeInput("fx-since", Date.now() - DAY);
  private until = timeInput("fx-until");
  private cameras = multi("fx-cameras", [], []);
  private districts = multi("fx-districts", [], []);
  private categories = multi("fx-categories", [], []);
  private cls = select("fx-class", []);
  private attrs = new Map<string, HTMLSelectElement | HTMLInputElement>();
  private photo = h("input", { id: "fx-photo", type: "file", accept: "image/jpeg,image/png" });
  private faceReason = h("input", { id: "fx-face-reason", maxlength: 500 });
  private area = new AreaPicker(() => this.settings, () => this.cams);
  private draw: Drawing;
  private list = h("div", { id: "fx-results", class: "fx-results" });
  private note = h("div", { id: "fx-note", class: "meta" });
  private more = h("button", { id: "fx-more", hidden: true });
  private rows: Hit[] = [];
  private cursor: string | null = null;
  private q: Query | null = null;
  private fresh = latest();  // the newest search or page: an earlier, slower one is dropped

  constructor(private el: HTMLElement, private me: Me) {
    this.draw = new Drawing(me);
  }

  async load(): Promise<void> {
    [this.info, this.cams, this.settings] = await Promise.all([info(), api<CameraPin[]>("/api/ops/cameras"),
      api<Settings>("/api/ops/settings")]);
    this.render();
  }

  private name(id: string): string { return this.cams.find((c) => c.id === id)?.name ?? id; }

  private get faceAllowed(): boolean {
    return can(this.me, "faces.search") && (this.me.clearances ?? []).includes("biometrics");
  }

  render(): void {
    this.cameras = multi("fx-cameras", [...this.cams].sort((a, b) => this.name(a.id).localeCompare(this.name(b.id)))
      .map((c) => [c.id, this.name(c.id)]), chosen(this.cameras));
    this.districts = multi("fx-districts", uniq(this.cams.map((c) => c.district)).map((d) => [d, districtName(d)]),
      chosen(this.districts));
    this.categories = multi("fx-categories", uniq(this.cams.map((c) => c.category)).map((c) => [c, categoryName(c)]),
      chosen(this.categories));
    this.cameras.onchange = () => this.pickCamera();
    this.cls = select("fx-class", CLASSES.map((c) => [c, className(c)]), tf("any"), this.cls.value);
    const attrFields = this.info.attributes.map((k) => {
      const old = this.attrs.get(k)?.value ?? "";
      const label = (v: string): string => (k === "age_band" ? v : k === "vehicle_type" ? className(v) : tfd(`v_${v}`));
      const input = VALUES[k] ? select(`fx-attr-${k}`, VALUES[k].map((v) => [v, label(v)]),
        tf("any"), old) : h("input", { id: `fx-attr-${k}`, size: 10, value: old });
      this.attrs.set(k, input);
      return field(tfd(`attr_${k}`), input);
    });
    this.faceReason.placeholder = tf("faceReason");
    const face = this.faceAllowed ? h("fieldset", { class: "fx-face" }, h("legend", {}, tf("face")),
      this.photo, this.faceReason) : null;
    const go = h("button", { id: "fx-go", type: "submit", class: "primary" }, tf("search"));
    this.more.textContent = tf("more");
    this.more.onclick = () => void this.page();
    const form = h("form", { class: "fx-form", id: "fx-form" },
      h("div", { class: "bar" }, field(tf("since"), this.since), field(tf("until"), this.until),
        field(tf("cameras"), this.cameras), field(tf("districts"), this.districts),
        field(tf("categories"), this.categories), field(tf("objectClass"), this.cls), ...attrFields),
      this.area.el, this.draw.el, face, h("div", { class: "bar" }, go));
    form.onsubmit = (e) => { e.preventDefault(); void this.search(); };
    this.area.render();
    this.draw.render();
    this.el.replaceChildren(h("div", { class: "fx" }, h("section", { class: "fx-left" }, form),
      h("section", { class: "fx-right" }, this.note, this.list, this.more)));
    this.pickCamera();
    this.drawRows();
  }

  private pickCamera(): void {
    const c = chosen(this.cameras);
    const until = fromLocal(this.until.value);
    this.draw.setCamera(c.length === 1 ? c[0] : null, until ? Date.parse(until) : Date.now());
  }

  private async search(): Promise<void> {
    const since = fromLocal(this.since.value), until = fromLocal(this.until.value) ?? new Date().toISOString();
    if (!since) { say(this.note, errorText(new ApiError(422, "validation_error", ""))); return; }
    const attr = [...this.attrs].filter(([, el]) => el.value.trim()).map(([k, el]) => `${k}:${el.value.trim()}`);
    const q: Query = { since, until, camera_id: chosen(this.cameras), district: chosen(this.districts),
      category: chosen(this.categories), area: this.area.value(), class_name: this.cls.value || undefined, attr };
    this.list.dataset.state = "busy";
    const still = this.fresh();
    try {
      Object.assign(q, await this.draw.geometry());
      if (!still()) return;  // a later search was started meanwhile
    } catch (e) {
      if (!still()) return;
      this.list.dataset.state = "done";
      say(this.note, e instanceof ApiError && e.code === "no_frame" ? e.message : errorText(e));
      return;
    }
    this.q = q;
    this.rows = [];
    this.cursor = null;
    await this.page(true);
  }

  private async page(first = false): Promise<void> {
    const q = this.q;
    if (!q || (!first && this.cursor === null)) return;
    const still = this.fresh();
    try {
      const file = this.faceAllowed ? this.photo.files?.[0] : undefined;
      let p;
      if (file) {
        if (this.faceReason.value.trim().length < 3) throw new ApiError(422, "face_reason", tf("faceNeedsReason"));
        p = await byFace(file, { ...q, camera_id: this.faceCameras(q) }, this.faceReason.value.trim());
      } else {
        p = await tracks(q, this.cursor);
      }
      if (!still()) return;
      this.rows.push(...p.items);
      this.cursor = p.next_cursor;
      this.note.className = "meta";
      this.note.textContent = tf("found", { n: this.rows.length }) + (this.cursor ? ` ${tf("moreExist")}` : "");
    } catch (e) {
      if (!still()) return;
      say(this.note, e instanceof ApiError && e.code === "face_reason" ? e.message : errorText(e));
    }
    this.drawRows();
  }

  /** The face search takes camera ids only: districts and categories name them here. */
  private faceCameras(q: Query): string[] | undefined {
    if (!q.district?.length && !q.category?.length) return q.camera_id;
    return this.cams.filter((c) => (!q.camera_id?.length || q.camera_id.includes(c.id)) &&
      (!q.district?.length || q.district.includes(c.district ?? "")) &&
      (!q.category?.length || q.category.includes(c.category))).map((c) => c.id);
  }

  private drawRows(): void {
    this.list.dataset.state = "done";
    this.more.hidden = this.cursor === null;
    this.list.replaceChildren(...(this.rows.length ? this.rows.map((x) => hitCard(x, this.me, (id) => this.name(id)))
      : [h("p", { class: "meta" }, this.q ? tf("nothingFound") : "")]));
  }

  hide(): void { this.draw.stopLive(); }
}
