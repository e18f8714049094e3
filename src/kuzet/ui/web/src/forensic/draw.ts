// A line (with its "in" side) or a zone drawn after the fact on a camera's picture: a
// thumbnail from its recording, or its latest live picture. Points are kept as fractions
// of the picture and turned into the pixels the camera's tracks were analysed at (the
// index's frame size), so a picture of any size (main stream, the wall's 640 px) will do.
import { ApiError, can, type Me } from "../api";
import { h, select } from "../admin/dom";
import { errorText } from "../i18n/errors";
import { tf } from "../i18n/forensic";
import { latest } from "../latest";
import { MjpegReader } from "../ops/mjpeg";
import { thumbnailUrl, timeline } from "../playback/api";
import { info } from "./api";

type P = [number, number];
const SVG = "http://www.w3.org/2000/svg";
export type Mode = "none" | "line" | "zone";

export interface Geometry { line?: string; in_point?: string; direction?: string; zone?: string;
  zone_mode?: string }

export class Drawing {
  readonly el = h("fieldset", { class: "fx-geo", id: "fx-geo" });
  private img = h("img", { id: "fx-pic", alt: "" });
  private svg = document.createElementNS(SVG, "svg");
  private note = h("p", { class: "meta", id: "fx-geo-note" });
  private mode = select("fx-mode", []);
  private direction = select("fx-direction", []);
  private zoneMode = select("fx-zone-mode", []);
  private pts: P[] = [];
  private inPt: P | null = null;
  private camera: string | null = null;
  private reader: MjpegReader | null = null;
  private fresh = latest();  // the picture asked for last: a slower earlier camera's is dropped

  constructor(private me: Me) {
    this.svg.setAttribute("viewBox", "0 0 1 1");
    this.svg.setAttribute("preserveAspectRatio", "none");
    this.svg.id = "fx-svg";
    this.el.classList.add("off");  // no picture until one camera is chosen
    this.svg.addEventListener("click", (e) => this.click(e));
  }

  render(): void {
    const keep = [this.mode.value || "none", this.direction.value || "both", this.zoneMode.value || "enter"];
    this.mode = select("fx-mode", (["none", "line", "zone"] as const).map((m) => [m, tf(`m_${m}`)]), undefined, keep[0]);
    this.direction = select("fx-direction", (["both", "in", "out"] as const).map((d) => [d, tf(`d_${d}`)]), undefined, keep[1]);
    this.zoneMode = select("fx-zone-mode", (["enter", "inside"] as const).map((z) => [z, tf(`z_${z}`)]), undefined, keep[2]);
    this.mode.onchange = () => { this.clear(); this.hint(); };
    const rec = h("button", { type: "button", id: "fx-pic-rec" }, tf("fromRecording"));
    const live = h("button", { type: "button", id: "fx-pic-live" }, tf("latest"));
    const clear = h("button", { type: "button", id: "fx-geo-clear" }, tf("clear"));
    rec.onclick = () => void this.fromRecording();
    live.onclick = () => this.fromLive();
    clear.onclick = () => this.clear();
    rec.hidden = !can(this.me, "recordings.read");
    live.hidden = !can(this.me, "snapshots.read");
    this.el.replaceChildren(h("legend", {}, tf("geometry")),
      h("div", { class: "bar" }, rec, live, h("label", { class: "fld" }, h("span", {}, tf("mode")), this.mode),
        h("label", { class: "fld" }, h("span", {}, tf("direction")), this.direction),
        h("label", { class: "fld" }, h("span", {}, tf("zoneMode")), this.zoneMode), clear),
      this.note, h("div", { class: "fx-pic-box" }, this.img, this.svg));
    this.hint();
    this.paint();
  }

  /** The one camera drawn on (null: none, or several chosen). */
  setCamera(id: string | null, at: number): void {
    if (id === this.camera) return;
    this.camera = id;
    this.fresh();  // the other camera's picture, if still on its way, is not shown
    this.stopLive();
    this.clear();
    this.img.removeAttribute("src");
    this.el.dataset.camera = id ?? "";
    this.el.classList.toggle("off", !id);
    this.hint();
    if (id && can(this.me, "recordings.read")) void this.fromRecording(at);
  }

  private hint(): void {
    const m = this.mode.value as Mode;
    this.direction.parentElement!.hidden = m !== "line";
    this.zoneMode.parentElement!.hidden = m !== "zone";
    this.note.textContent = !this.camera ? tf("geometryOne") : m === "line" ? tf("lineHint")
      : m === "zone" ? tf("zoneHint") : "";
  }

  /** A thumbnail where the camera last recorded (up to a week back from ``until``). */
  private async fromRecording(until = Date.now()): Promise<void> {
    const cam = this.camera;
    if (!cam) return;
    const still = this.fresh();
    try {
      const tl = await timeline(cam, until - 7 * 86_400_000, until);
      if (!still()) return;
      const last = tl.spans[tl.spans.length - 1];
      if (!last) { this.fromLive(); return; }
      const t = Math.max(Date.parse(last.start), Date.parse(last.end) - 1000);
      this.show(thumbnailUrl(cam, t, 960));
    } catch {
      if (still()) this.fromLive();  // not recorded here (or recording off): the live picture instead
    }
  }

  private fromLive(): void {
    this.fresh();  // the live picture: a recording still being looked up is not shown
    const cam = this.camera;
    if (!cam || !can(this.me, "snapshots.read")) { this.note.textContent = tf("noPicture"); return; }
    this.stopLive();
    const url = `/api/ops/cameras/${encodeURIComponent(cam)}/live.mjpeg`;
    // the picture stays live while it is drawn on; the reader stops with the screen
    this.reader = new MjpegReader(url, this.img, () => undefined, (why) => {
      if (why) this.note.textContent = errorText(why);
    });
  }

  stopLive(): void {
    this.reader?.stop();
    this.reader = null;
  }

  private show(src: string): void {
    this.img.onerror = () => this.fromLive();
    this.img.src = src;
  }

  private click(e: MouseEvent): void {
    const m = this.mode.value as Mode;
    if (!this.camera || m === "none") return;
    const r = this.svg.getBoundingClientRect();
    const p: P = [(e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height];
    if (m === "line") {
      if (this.pts.length < 2) this.pts.push(p);
      else this.inPt = p;
    } else {
      this.pts.push(p);
    }
    this.paint();
  }

  clear(): void { this.pts = []; this.inPt = null; this.paint(); }

  private paint(): void {
    const kids: SVGElement[] = [];
    const el = (tag: string, attrs: Record<string, string | number>) => {
      const x = document.createElementNS(SVG, tag);
      for (const [k, v] of Object.entries(attrs)) x.setAttribute(k, String(v));
      kids.push(x);
      return x;
    };
    const pts = this.pts.map(([x, y]) => `${x},${y}`).join(" ");
    if (this.mode.value === "zone" && this.pts.length) el("polygon", { points: pts, class: "fx-zone" });
    if (this.mode.value === "line" && this.pts.length) el("polyline", { points: pts, class: "fx-line" });
    for (const [x, y] of this.pts) el("circle", { cx: x, cy: y, r: 0.008, class: "fx-pt" });
    if (this.inPt) el("circle", { cx: this.inPt[0], cy: this.inPt[1], r: 0.012, class: "fx-in" });
    this.svg.replaceChildren(...kids);
    this.el.dataset.points = String(this.pts.length);
  }

  /** The drawing in the camera's analysed pixels; {} when nothing (complete) is drawn.
   *  Throws a translated error when the index knows nothing of the camera's picture. */
  async geometry(): Promise<Geometry> {
    const m = this.mode.value as Mode;
    const enough = m === "line" ? this.pts.length >= 2 : m === "zone" ? this.pts.length >= 3 : false;
    if (!this.camera || !enough) return {};
    const frame = (await info(this.camera)).frame;
    if (!frame) throw new ApiError(422, "no_frame", tf("noFrame"));
    const px = ([x, y]: P) => `${Math.round(x * frame.width)},${Math.round(y * frame.height)}`;
    if (m === "line") {
      return { line: `${px(this.pts[0])},${px(this.pts[1])}`, direction: this.direction.value,
        ...(this.inPt ? { in_point: px(this.inPt) } : {}) };
    }
    return { zone: this.pts.map(px).join(","), zone_mode: this.zoneMode.value };
  }
}
