// The camera registry: every camera with what the pipeline says about it now, a search
// (text, category, district, status) and a form to add, change or remove one. Passwords in
// stream URLs come back masked (user:***@); sent back unchanged, the server keeps them.
import { ta } from "../i18n/admin";
import { fmtDateTime } from "../i18n/core";
import { errorText } from "../i18n/errors";
import { categoryName, districtName, statusName } from "../i18n/terms";
import { type Camera, cameras } from "./api";
import { field, h, mark, say, select, table } from "./dom";

const stateOf = (c: Camera): string => (!c.enabled ? "disabled" : c.status?.state ?? "unknown");
const uniq = (xs: (string | null)[]): string[] =>
  [...new Set(xs.filter((x): x is string => !!x))].sort();

export class RegistryView {
  private all: Camera[] = [];
  private chosen: string | null = null;
  private q = h("input", { id: "reg-q", type: "search" });
  private cat = select("reg-cat", []);
  private dis = select("reg-dis", []);
  private st = select("reg-st", []);
  private list = h("div", { id: "reg-list" });
  private card = h("section", { class: "adm-card", id: "reg-card" });
  private count = h("span", { id: "reg-count", class: "meta" });

  constructor(private el: HTMLElement) {}

  async load(): Promise<void> {
    this.all = await cameras.list();
    this.render();
  }

  render(): void {
    const keep = [this.cat.value, this.dis.value, this.st.value];
    this.cat = select("reg-cat", uniq(this.all.map((c) => c.category)).map((c) =>
      [c, categoryName(c)]), ta("allCategories"), keep[0]);
    this.dis = select("reg-dis", uniq(this.all.map((c) => c.district)).map((d) =>
      [d, districtName(d)]), ta("allDistricts"), keep[1]);
    this.st = select("reg-st", uniq(this.all.map(stateOf)).map((s) =>
      [s, s === "disabled" ? ta("disabled") : statusName(s)]), ta("allStates"), keep[2]);
    this.q.placeholder = ta("searchCameras");
    for (const c of [this.q, this.cat, this.dis, this.st]) c.oninput = () => this.renderList();
    const add = h("button", { id: "reg-new", class: "primary" }, ta("newCamera"));
    add.onclick = () => { this.chosen = null; mark(this.list, ""); this.form(null); };
    const again = h("button", { id: "reg-refresh" }, ta("refresh"));
    again.onclick = () => void this.load().catch((e) => say(this.count, errorText(e)));
    this.el.replaceChildren(h("div", { class: "adm-cols" },
      h("section", { class: "adm-list" },
        h("div", { class: "bar" }, this.q, this.cat, this.dis, this.st, add, again, this.count),
        this.list), this.card));
    this.renderList();
    this.form(this.all.find((c) => c.id === this.chosen) ?? null);
  }

  private renderList(): void {
    const q = this.q.value.trim().toLowerCase();
    const shown = this.all.filter((c) =>
      (!this.cat.value || c.category === this.cat.value) &&
      (!this.dis.value || c.district === this.dis.value) &&
      (!this.st.value || stateOf(c) === this.st.value) &&
      (!q || [c.id, c.name ?? "", c.district ?? "", districtName(c.district), c.category,
        categoryName(c.category)].some((s) => s.toLowerCase().includes(q))));
    this.count.textContent = ta("shownOf", { n: shown.length, all: this.all.length });
    this.list.replaceChildren(table(
      [ta("cameraId"), ta("name"), ta("category"), ta("district"), ta("state"), ta("fps"),
        ta("lastFrame")], shown, (c) => c.id,
      (c) => [c.id, c.name ?? "", categoryName(c.category), districtName(c.district),
        h("span", { class: `st st-${stateOf(c)}` },
          stateOf(c) === "disabled" ? ta("disabled") : statusName(stateOf(c))),
        c.status ? c.status.fps.toFixed(1) : "—", fmtDateTime(c.status?.last_frame_at)],
      (c) => { this.chosen = c.id; mark(this.list, c.id); this.form(c); }));
    if (this.chosen) mark(this.list, this.chosen);
  }

  private form(c: Camera | null): void {
    const inp = (k: string, v: string | number | null | undefined, extra = {}) =>
      h("input", { id: `reg-${k}`, value: v ?? "", ...extra });
    const id = inp("id", c?.id, { required: true, pattern: "[A-Za-z0-9_.-]+", readonly: !!c });
    const name = inp("name", c?.name), cat = inp("category", c?.category ?? "public_safety",
      { required: true, list: "reg-cats" });
    const dis = inp("district", c?.district, { list: "reg-diss" });
    const lat = inp("lat", c?.latitude, { type: "number", step: "any", min: -90, max: 90 });
    const lon = inp("lon", c?.longitude, { type: "number", step: "any", min: -180, max: 180 });
    const dir = inp("dir", c?.direction_deg, { type: "number", step: "any", min: 0, max: 360 });
    const fov = inp("fov", c?.fov_deg, { type: "number", step: "any", min: 1, max: 360 });
    const main = inp("main", c?.main_url, { required: true, size: 40 });
    const sub = inp("sub", c?.sub_url, { size: 40 });
    const on = h("input", { id: "reg-enabled", type: "checkbox", checked: c ? c.enabled : true });
    const out = h("div", { id: "reg-result" });
    const lists = [h("datalist", { id: "reg-cats" }, ...uniq(this.all.map((x) => x.category))
      .map((v) => h("option", { value: v }))), h("datalist", { id: "reg-diss" },
      ...uniq(this.all.map((x) => x.district)).map((v) => h("option", { value: v })))];
    const del = c ? h("button", { id: "reg-delete", type: "button", class: "danger" },
      ta("deleteCamera")) : null;
    let armed = false;
    if (del && c) del.onclick = async () => {
      if (!armed) { armed = true; del.textContent = ta("confirmDelete"); return; }
      try {
        await cameras.remove(c.id);
        this.chosen = null;
        await this.load();
      } catch (e) { say(out, errorText(e)); }
    };
    const live = c?.status ? h("p", { class: "meta" }, ta("liveState", {
      state: statusName(c.status.state), fps: c.status.fps.toFixed(1),
      n: c.status.reconnects }), c.status.reason ? ` · ${c.status.reason}` : "") : null;
    const f = h("form", { class: "adm-form", id: "reg-form" },
      h("h2", {}, c ? c.name ?? c.id : ta("newCamera")), live, field(ta("cameraId"), id),
      field(ta("name"), name), field(ta("category"), cat), field(ta("district"), dis),
      h("div", { class: "row" }, field(ta("latitude"), lat), field(ta("longitude"), lon)),
      h("div", { class: "row" }, field(ta("direction"), dir), field(ta("fov"), fov)),
      field(ta("mainUrl"), main), field(ta("subUrl"), sub),
      h("label", { class: "chk" }, on, ta("enabled")), ...lists,
      h("div", { class: "actions" },
        h("button", { id: "reg-save", type: "submit", class: "primary" }, ta("save")), del), out);
    f.onsubmit = async (ev) => {
      ev.preventDefault();
      const num = (v: string) => (v.trim() === "" ? null : Number(v));
      const body: Camera = { id: id.value.trim(), name: name.value.trim() || null,
        category: cat.value.trim(), district: dis.value.trim() || null, latitude: num(lat.value),
        longitude: num(lon.value), direction_deg: num(dir.value), fov_deg: num(fov.value),
        main_url: main.value.trim(), sub_url: sub.value.trim() || null,
        enabled: on.checked };
      try {
        const saved = await (c ? cameras.replace(body) : cameras.create(body));
        this.chosen = saved.id;
        await this.load();
        say(this.card.querySelector<HTMLElement>("#reg-result")!, ta("saved"), true);
      } catch (e) {
        say(out, errorText(e));
      }
    };
    this.card.replaceChildren(f);
  }
}
