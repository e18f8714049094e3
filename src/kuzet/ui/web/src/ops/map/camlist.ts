// The camera list beside the map: district -> category -> cameras, each with a status dot,
// a search box over names and ids, and counts (failed ones too). Groups render their rows
// only when opened, so 5,000 cameras cost a few dozen DOM nodes until someone looks.
import type { CameraPin } from "../../api";
import { dictionary } from "../../i18n/core";
import { categoryName, districtName, statusName } from "../../i18n/terms";
import { cameraShown, ops } from "../state";

const tl = dictionary({
  en: { camSearch: "Find a camera (name or id)", camCount: "{n} cameras", camFailed: "{n} not working",
        noDistrict: "No district", camMore: "…and {n} more: narrow the search", camNone: "No camera matches." },
  ru: { camSearch: "Найти камеру (название или id)", camCount: "камер: {n}", camFailed: "не работают: {n}",
        noDistrict: "Без района", camMore: "…и ещё {n}: уточните поиск", camNone: "Камеры не найдены." },
  kk: { camSearch: "Камераны табу (атауы немесе id)", camCount: "камералар: {n}", camFailed: "жұмыс істемейді: {n}",
        noDistrict: "Ауданы жоқ", camMore: "…тағы {n}: іздеуді нақтылаңыз", camNone: "Камера табылмады." },
});
const MAX_HITS = 200;
const BAD = new Set(["failed", "reconnecting", "stopped"]);

export class CameraList {
  private search: HTMLInputElement;
  private tree: HTMLElement;
  private summary: HTMLElement;
  private open = new Set<string>();   // group keys the operator opened
  private selected: string | null = null;

  constructor(private el: HTMLElement, private onPick: (c: CameraPin) => void) {
    el.innerHTML = `<input type="search" class="cam-search" data-t-placeholder="camSearch"
      placeholder="${tl("camSearch")}"><p class="meta cam-summary"></p><div class="cam-tree"></div>`;
    this.search = el.querySelector("input")!;
    this.tree = el.querySelector(".cam-tree")!;
    this.summary = el.querySelector(".cam-summary")!;
    this.search.addEventListener("input", () => this.render());
  }

  select(id: string | null): void {
    this.selected = id;
    this.tree.querySelectorAll<HTMLElement>("li[data-camera]").forEach((li) =>
      li.classList.toggle("sel", li.dataset.camera === id));
  }

  /** Redraws the list (filters, search, the 15-s camera refresh) where the operator had
   *  scrolled it, with the groups they had opened. */
  render(): void {
    const top = this.el.scrollTop;
    this.draw();
    this.el.scrollTop = top;
  }

  private draw(): void {
    const cams = ops.cameras.filter(cameraShown);
    const bad = cams.filter((c) => BAD.has(c.status)).length;
    this.summary.textContent = tl("camCount", { n: cams.length }) + (bad ? ` · ${tl("camFailed", { n: bad })}` : "");
    const q = this.search.value.trim().toLowerCase();
    if (q) { this.renderHits(cams.filter((c) => c.id.toLowerCase().includes(q) ||
                                          (c.name ?? "").toLowerCase().includes(q))); return; }
    const byDistrict = new Map<string, Map<string, CameraPin[]>>();
    for (const c of cams) {
      const d = c.district ?? "";
      if (!byDistrict.has(d)) byDistrict.set(d, new Map());
      const cats = byDistrict.get(d)!;
      if (!cats.has(c.category)) cats.set(c.category, []);
      cats.get(c.category)!.push(c);
    }
    const districts = [...byDistrict.keys()].sort((a, b) =>
      (a ? districtName(a) : "\uffff").localeCompare(b ? districtName(b) : "\uffff"));
    this.tree.replaceChildren(...districts.map((d) => {
      const cats = byDistrict.get(d)!;
      const all = [...cats.values()].flat();
      const det = this.group(`d:${d}`, d ? districtName(d) : tl("noDistrict"), all);
      const body = det.querySelector(".group-body")!;
      const fill = () => body.replaceChildren(...[...cats.keys()].sort().map((cat) => {
        const sub = this.group(`d:${d}/c:${cat}`, categoryName(cat), cats.get(cat)!);
        const subBody = sub.querySelector(".group-body")!;
        const rows = () => subBody.replaceChildren(this.rows(cats.get(cat)!));
        if (sub.open) rows();
        sub.addEventListener("toggle", () => { if (sub.open) rows(); });
        return sub;
      }));
      if (det.open) fill();
      det.addEventListener("toggle", () => { if (det.open) fill(); });
      return det;
    }));
  }

  private group(key: string, title: string, cams: CameraPin[]): HTMLDetailsElement {
    const det = document.createElement("details");
    det.dataset.group = key;
    det.open = this.open.has(key);
    const bad = cams.filter((c) => BAD.has(c.status)).length;
    det.innerHTML = `<summary><span class="dot ${bad ? "st-failed" : "st-online"}"></span>
      <span class="g-title"></span> <span class="meta"></span></summary><div class="group-body"></div>`;
    det.querySelector(".g-title")!.textContent = title;
    det.querySelector(".meta")!.textContent = bad ? `${cams.length} · ${tl("camFailed", { n: bad })}`
      : String(cams.length);
    det.addEventListener("toggle", () => { if (det.open) this.open.add(key); else this.open.delete(key); });
    return det;
  }

  private renderHits(hits: CameraPin[]): void {
    const shown = hits.slice(0, MAX_HITS);
    const parts: Node[] = [this.rows(shown)];
    if (!hits.length) parts.push(Object.assign(document.createElement("p"), { className: "meta", textContent: tl("camNone") }));
    if (hits.length > MAX_HITS) parts.push(Object.assign(document.createElement("p"),
      { className: "meta", textContent: tl("camMore", { n: hits.length - MAX_HITS }) }));
    this.tree.replaceChildren(...parts);
  }

  private rows(cams: CameraPin[]): HTMLOListElement {
    const ol = document.createElement("ol");
    ol.className = "cam-rows";
    for (const c of [...cams].sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id))) {
      const li = document.createElement("li");
      li.dataset.camera = c.id;
      li.tabIndex = 0;
      li.className = c.id === this.selected ? "sel" : "";
      li.innerHTML = `<span class="dot st-${c.status}"></span><span class="c-name"></span>`;
      li.title = statusName(c.status);
      li.querySelector(".c-name")!.textContent = c.name ?? c.id;
      li.addEventListener("click", () => this.onPick(c));
      li.addEventListener("keydown", (e) => { if (e.key === "Enter") this.onPick(c); });
      ol.appendChild(li);
    }
    return ol;
  }
}
