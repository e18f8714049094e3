// Plate watchlists: the lists the agency owns or was given, a new list, and one list's
// plates (add one, import a CSV file with the refused rows named, remove) and recent hits.
// Only the owning agency changes a list; a shared one is shown read-only.
import { type Me } from "../api";
import { field, h, mark, say, select, table } from "../admin/dom";
import { fromLocal, timeInput } from "../admin/when";
import { fmtDateTime } from "../i18n/core";
import { errorText } from "../i18n/errors";
import { agencyName } from "../i18n/terms";
import { latest } from "../latest";
import {
  createList, entries, importCsv, lists, matches, type PlateEntry, type PlateList, putEntry,
  removeEntry,
} from "./api";
import { tpl, tpld } from "./strings";

const KINDS = ["stolen", "wanted", "unpaid", "suspect", "other"];

export class PlateListsView {
  private all: PlateList[] = [];
  private chosen: PlateList | null = null;
  private left = h("div", { id: "pwl-lists" });
  private right = h("section", { class: "adm-wide", id: "pwl-card" });
  private note = h("div", { id: "pwl-note" });
  private fresh = latest();  // the list chosen last: a slower earlier one is not drawn

  constructor(private el: HTMLElement, private me: Me) {}

  async load(): Promise<void> {
    this.all = await lists();
    this.render();
  }

  render(): void {
    const name = h("input", { id: "pwl-name", size: 20 });
    const kind = select("pwl-kind", KINDS.map((k) => [k, tpld(`k_${k}`)]), undefined, "stolen");
    const fuzzy = select("pwl-fuzzy", [0, 1, 2].map((d) => [String(d), tpld(`f_${d}`)]), undefined, "0");
    const form = h("form", { class: "bar", id: "pwl-new" }, field(tpl("name"), name),
      field(tpl("kind"), kind), field(tpl("fuzzy"), fuzzy),
      h("button", { id: "pwl-create", type: "submit", class: "primary" }, tpl("create")));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.act(async () => {
        const l = await createList({ name: name.value.trim(), kind: kind.value,
          fuzzy_distance: Number(fuzzy.value) });
        this.all = await lists();
        say(this.note, tpl("created"), true);
        await this.open(l.id);
      });
    });
    this.el.replaceChildren(h("div", { class: "pl-split" },
      h("section", { class: "pl-side" }, h("h3", {}, tpl("lists")), this.left,
        h("h3", {}, tpl("newList")), form, this.note), this.right));
    this.drawLists();
    void this.drawList();
  }

  private async act(f: () => Promise<void>): Promise<void> {
    try { await f(); } catch (e) { say(this.note, errorText(e)); }
  }

  private drawLists(): void {
    this.left.replaceChildren(table([tpl("name"), tpl("kind"), tpl("owner"), tpl("entries")],
      this.all, (l) => l.id,
      (l) => [l.name, tpld(`k_${l.kind}`), agencyName(l.agency_id), l.entries],
      (l) => void this.open(l.id)));
    if (this.chosen) mark(this.left, this.chosen.id);
  }

  private async open(id: string): Promise<void> {
    this.chosen = this.all.find((l) => l.id === id) ?? null;
    this.drawLists();
    await this.drawList();
  }

  private async drawList(): Promise<void> {
    const l = this.chosen;
    const still = this.fresh();
    if (!l) { this.right.replaceChildren(h("p", {}, tpl("chooseList"))); return; }
    const mine = l.agency_id === this.me.agency_id;
    const [rows, hits] = await Promise.all([entries(l.id), matches(l.id)]);
    if (!still()) return;
    const out = h("div", { id: "pwl-out" });
    const parts: (HTMLElement | string)[] = [h("h3", { id: "pwl-title" }, l.name),
      h("p", {}, `${tpl("kind")}: ${tpld(`k_${l.kind}`)} · ${tpl("alertTarget")}: ${agencyName(l.alert_target)} · ${tpl("fuzzy")}: ${tpld(`f_${l.fuzzy_distance}`)}`)];
    if (mine) parts.push(this.addForm(l, out), this.importForm(l, out), out);
    else parts.push(h("p", { class: "note" }, tpl("readOnly")));
    parts.push(table([tpl("plate"), tpl("entryReason"), tpl("validUntil"), tpl("addedBy"), ""],
      rows, (e) => e.id,
      (e) => [h("b", { class: "plate" }, e.plate), e.reason, e.valid_until ? fmtDateTime(e.valid_until) : "—",
        e.added_by, mine ? this.removeButton(l, e, out) : ""]));
    parts.push(h("h3", {}, tpl("hits")), hits.length ? table([tpl("plate"), tpl("when"), tpl("camera"),
      tpl("diff")], hits, (m) => m.event_id,
      (m) => [m.plate, fmtDateTime(m.ts), m.camera_id, String(m.distance)]) : h("p", {}, tpl("noHits")));
    this.right.replaceChildren(...parts);
  }

  private async refresh(): Promise<void> {
    this.all = await lists();
    this.chosen = this.all.find((x) => x.id === this.chosen?.id) ?? null;
    this.drawLists();
    await this.drawList();
  }

  private addForm(l: PlateList, out: HTMLElement): HTMLFormElement {
    const plate = h("input", { id: "pwl-plate", size: 12, autocomplete: "off" });
    const reason = h("input", { id: "pwl-reason", size: 24 });
    const until = timeInput("pwl-until");
    const f = h("form", { class: "bar", id: "pwl-add" }, field(tpl("plate"), plate),
      field(tpl("entryReason"), reason), field(tpl("validUntil"), until),
      h("button", { id: "pwl-add-go", type: "submit", class: "primary" }, tpl("add")));
    f.addEventListener("submit", (e) => {
      e.preventDefault();
      void (async () => {
        try {
          const got = await putEntry(l.id, { plate: plate.value, reason: reason.value,
            valid_until: fromLocal(until.value) });
          await this.refresh();
          say(document.querySelector<HTMLElement>("#pwl-out") ?? out,
            tpl("added", { plate: got.entry.plate, outcome: got.outcome }), true);
        } catch (err) { say(out, errorText(err)); }
      })();
    });
    return f;
  }

  private importForm(l: PlateList, out: HTMLElement): HTMLElement {
    const file = h("input", { id: "pwl-csv", type: "file", accept: ".csv,text/csv" });
    file.addEventListener("change", () => void (async () => {
      const f = file.files?.[0];
      if (!f) return;
      try {
        const rep = await importCsv(l.id, await f.text());
        await this.refresh();
        const box = document.querySelector<HTMLElement>("#pwl-out") ?? out;
        say(box, tpl("imported", { ...rep, errors: rep.errors.length }), true);
        box.append(h("ul", { id: "pwl-errors" }, ...rep.errors.map((x) =>
          h("li", {}, tpl("rowError", { line: x.line, field: x.field ?? "—", error: x.error })))));
      } catch (err) { say(out, errorText(err)); }
    })());
    return field(tpl("importCsv"), file);
  }

  private removeButton(l: PlateList, e: PlateEntry, out: HTMLElement): HTMLButtonElement {
    return h("button", { class: "pwl-remove", "data-plate": e.plate, onclick: () => void (async () => {
      try {
        await removeEntry(l.id, e.id);
        await this.refresh();
        say(document.querySelector<HTMLElement>("#pwl-out") ?? out, tpl("removed", { plate: e.plate }), true);
      } catch (err) { say(out, errorText(err)); }
    })() }, tpl("remove"));
  }
}
