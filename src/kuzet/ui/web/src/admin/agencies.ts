// Agencies: the list and a form to add one or change its name and scope (the widest view
// its people may get). Only the platform's administrators may save; the server says so.
import { ta } from "../i18n/admin";
import { errorText } from "../i18n/errors";
import { agencyName, categoryName, districtName } from "../i18n/terms";
import { type Agency, agencies, type ScopeJson } from "./api";
import { field, h, mark, say, table, words } from "./dom";

const names = (v: string[] | null, f: (s: string) => string = (s) => s): string =>
  v === null ? "∞" : v.map(f).join(", ") || "—";

export class AgenciesView {
  private all: Agency[] = [];
  private card = h("section", { class: "adm-card", id: "adm-agency-card" });
  private list = h("div", { id: "adm-agencies" });

  constructor(private el: HTMLElement) {}

  async load(): Promise<void> {
    this.all = await agencies.list();
    this.render();
  }

  render(chosen?: string): void {
    const add = h("button", { id: "adm-agency-new", class: "primary" }, ta("newAgency"));
    add.onclick = () => { mark(this.list, ""); this.form(null); };
    this.list.replaceChildren(table(
      [ta("agencyId"), ta("name"), ta("platform"), ta("categories"), ta("districts")],
      this.all, (a) => a.id,
      (a) => [a.id, agencyName(a.id, { agencies: this.all, routing: [] }),
        a.platform ? "✓" : "", names(a.scope.categories, categoryName),
        names(a.scope.districts, districtName)],
      (a) => { mark(this.list, a.id); this.form(a); }));
    this.el.replaceChildren(h("div", { class: "adm-cols" },
      h("section", { class: "adm-list" }, h("div", { class: "bar" }, add), this.list), this.card));
    const a = this.all.find((x) => x.id === chosen);
    if (a) mark(this.list, a.id);
    this.form(a ?? null);
  }

  private form(a: Agency | null): void {
    const id = h("input", { id: "adm-ag-id", value: a?.id ?? "", required: true,
      pattern: "[a-z0-9_-]+", readonly: !!a });
    const name = h("input", { id: "adm-ag-name", value: a?.name ?? "", required: true });
    const platform = h("input", { id: "adm-ag-platform", type: "checkbox", checked: !!a?.platform });
    const sc: Partial<ScopeJson> = a?.scope ?? {};
    const txt = (k: string, v: string[] | null | undefined) => h("input", { id: `adm-ag-${k}`,
      value: (v ?? []).join(", "), placeholder: ta("noLimit") });
    const cats = txt("cats", sc.categories), dis = txt("dis", sc.districts);
    const cams = txt("cams", sc.camera_ids), types = txt("types", sc.event_types);
    const out = h("div", { id: "adm-ag-result" });
    const f = h("form", { class: "adm-form", id: "adm-ag-form" },
      h("h2", {}, a ? a.name : ta("newAgency")), field(ta("agencyId"), id), field(ta("name"), name),
      h("label", { class: "chk" }, platform, ta("platformHint")),
      h("fieldset", {}, h("legend", {}, ta("scope")), field(ta("categories"), cats),
        field(ta("districts"), dis), field(ta("cameraIds"), cams), field(ta("eventTypes"), types)),
      h("button", { id: "adm-ag-save", type: "submit", class: "primary" }, ta("save")), out);
    f.onsubmit = async (ev) => {
      ev.preventDefault();
      try {
        const saved = await agencies.put(id.value.trim(), { name: name.value.trim(),
          platform: platform.checked, scope: { categories: words(cats.value),
            districts: words(dis.value), camera_ids: words(cams.value),
            event_types: words(types.value) } });
        this.all = await agencies.list();
        this.render(saved.id);
        say(this.card.querySelector<HTMLElement>("#adm-ag-result")!, ta("saved"), true);
      } catch (e) {
        say(out, errorText(e));
      }
    };
    this.card.replaceChildren(f);
  }
}
