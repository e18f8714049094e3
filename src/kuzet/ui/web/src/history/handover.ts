// The shift hand-over report: what happened during the shift (events, incidents opened and
// closed, by type, agency and priority, SLA misses) and what is still open, with its owner,
// its last step and its notes: what the next shift takes over. Printable; CSV too.
import { api, can, type Incident, type Me, type Settings } from "../api";
import { field, h, say, table } from "../admin/dom";
import { fromLocal, timeInput } from "../admin/when";
import { fmtDateTime } from "../i18n/core";
import { errorText } from "../i18n/errors";
import { th } from "../i18n/history";
import { actionName, agencyName, districtName, priorityName, stateName,
  typeName } from "../i18n/terms";
import { latest } from "../latest";
import { type HandOver, handover, handoverCsv, journal } from "./api";
import { owner, took } from "./journal";

const SHIFT = 12 * 3_600_000;

function counts(title: string, data: Record<string, number>, name: (k: string) => string,
                id: string): HTMLElement {
  const items = Object.entries(data).sort((a, b) => b[1] - a[1]);
  return h("div", { class: "counts", id }, items.length
    ? table([title, th("count")], items, ([k]) => k, ([k, v]) => [name(k), v])
    : h("p", { class: "meta" }, `${title}: —`));
}

export class HandoverView {
  private settings: Settings = { agencies: [], routing: [] };
  private since = timeInput("ho-since", Date.now() - SHIFT);
  private until = timeInput("ho-until");
  private report = h("div", { id: "ho-report" });
  private csv = h("a", { id: "ho-csv", download: "kuzet-handover.csv" });
  private last: HandOver | null = null;
  private closedRows: Incident[] | null = null;
  private fresh = latest();  // the shift asked for last: an earlier, slower report is dropped

  constructor(private el: HTMLElement, private me: Me) {}

  async load(): Promise<void> {
    this.settings = await api<Settings>("/api/ops/settings");
    this.render();
    await this.build();
  }

  render(): void {
    const go = h("button", { id: "ho-go", type: "submit", class: "primary" }, th("buildReport"));
    const print = h("button", { id: "ho-print", type: "button" }, th("print"));
    print.onclick = () => window.print();
    this.csv.textContent = th("exportCsv");
    const form = h("form", { class: "bar no-print", id: "ho-form" },
      field(th("shiftStart"), this.since), field(th("shiftEnd"), this.until), go, print, this.csv);
    form.onsubmit = (ev) => { ev.preventDefault(); void this.build(); };
    this.el.replaceChildren(h("section", { class: "adm-wide" }, form, this.report));
    if (this.last) this.draw(this.last);  // a language switch: the same report, new words
  }

  private async build(): Promise<void> {
    const since = fromLocal(this.since.value), until = fromLocal(this.until.value);
    this.csv.href = handoverCsv(since, until);
    this.report.dataset.state = "busy";
    const still = this.fresh();
    try {
      const r = await handover(since, until);
      const closed = can(this.me, "events.read")
        ? (await journal({ since: r.since, until: r.until }, 0, 200)).items : null;
      if (!still()) return;
      this.closedRows = closed;
      this.last = r;
      this.draw(r);
    } catch (e) {
      if (!still()) return;
      say(this.report, errorText(e));
    }
    this.report.dataset.state = "done";
  }

  private draw(r: HandOver): void {
    const s = this.settings;
    const fig = (id: string, label: string, v: number | string) =>
      h("div", { class: "fig", id }, h("b", {}, v), h("span", {}, label));
    const open = table([th("priority"), th("type"), th("camera"), th("district"), th("state"),
      th("owner"), th("opened"), th("lastStep"), th("notes")], r.open, (o) => o.incident.id,
    ({ incident: i, notes, last_step: ls }) => [priorityName(i.priority), typeName(i.type),
      i.camera_name ?? i.camera_id, districtName(i.district), stateName(i.state),
      h("span", { class: "owner" }, owner(i, s)), fmtDateTime(i.created_at),
      ls ? `${fmtDateTime(ls.ts)} · ${actionName(ls.action)} · ${ls.actor}` : "—",
      h("ul", { class: "notes" }, ...notesOf(notes))]);
    open.id = "ho-open";
    const missed = r.missed.length ? table([th("type"), th("owner"), th("escalation"),
      th("escalatedAt")], r.missed, (m) => m.id, (m) => [typeName(m.type),
      agencyName(m.agency_id, s), m.escalation ?? "—", fmtDateTime(m.escalated_at)])
      : h("p", { class: "meta" }, th("noneMissed"));
    this.report.replaceChildren(
      h("h2", {}, th("handoverTitle", { since: fmtDateTime(r.since), until: fmtDateTime(r.until) })),
      h("p", { class: "meta" }, th("generatedAt", { at: fmtDateTime(r.generated_at) })),
      h("div", { class: "figs" }, fig("ho-events", th("events"), r.events),
        fig("ho-opened", th("openedInShift"), r.opened), fig("ho-closed-n", th("closedInShift"),
          r.closed), fig("ho-open-n", th("stillOpen"), r.open.length),
        fig("ho-missed-n", th("slaMissed"), `${r.sla_missed.ack} / ${r.sla_missed.resolve}`)),
      h("h3", {}, th("stillOpen")), r.open.length ? open : h("p", { class: "meta" }, th("noneOpen")),
      h("h3", {}, th("whatHappened")),
      h("div", { class: "counts-row" },
        counts(th("type"), r.by_type, typeName, "ho-by-type"),
        counts(th("agency"), r.by_agency, (a) => agencyName(a, s), "ho-by-agency"),
        counts(th("priority"), r.by_priority, (p) => priorityName(Number(p)), "ho-by-priority"),
        counts(th("outcome"), r.closed_by_state, stateName, "ho-by-state")),
      h("h3", {}, th("slaMissedTitle")), missed);
    const closed = this.closed();
    if (closed) this.report.append(closed);
  }

  /** The incidents closed in the shift, from the journal (same period), if one may read it. */
  private closed(): HTMLElement | null {
    const rows = this.closedRows;
    if (rows === null) return null;
    return h("div", { id: "ho-closed" }, h("h3", {}, th("closedInShift")), rows.length
      ? table([th("closedAt"), th("type"), th("camera"), th("owner"), th("outcome"), th("took")],
        rows, (i) => i.id, (i) => [fmtDateTime(i.closed_at), typeName(i.type),
          i.camera_name ?? i.camera_id, owner(i, this.settings), stateName(i.state), took(i)])
      : h("p", { class: "meta" }, th("nothingFound")));
  }
}

function notesOf(notes: { ts: string; actor: string; note: string }[]): HTMLElement[] {
  return notes.slice(-3).map((n) => h("li", {}, `${fmtDateTime(n.ts)} ${n.actor}: ${n.note}`));
}
