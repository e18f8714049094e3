// The alert queue: open incidents by priority then age. Updates arrive in bursts (100/s
// and more), so they are folded into one DOM pass per animation frame and only the top
// rows are in the DOM. Keyboard next/previous walk the same order.
import type { Incident } from "../api";
import { dictionary, fmtClock, fmtTime, onLangChange } from "../i18n/core";
import { agencyName, districtName, stateName, typeName } from "../i18n/terms";
import { incidentShown, isOpen, ops } from "./state";

const MAX_ROWS = 200;
const tq = dictionary({
  en: { slaAck: "acknowledge within", slaResolve: "resolve within", overdue: "overdue by",
        escalated: "escalated", scoreShort: "score", queueEmpty: "No open alerts." },
  ru: { slaAck: "принять за", slaResolve: "решить за", overdue: "просрочено на",
        escalated: "эскалация", scoreShort: "оценка", queueEmpty: "Открытых тревог нет." },
  kk: { slaAck: "қабылдау мерзімі", slaResolve: "шешу мерзімі", overdue: "мерзімі өтті",
        escalated: "эскалация", scoreShort: "баға", queueEmpty: "Ашық дабылдар жоқ." },
});

export class Queue {
  private rows = new Map<string, HTMLLIElement>();
  private dirty = new Set<string>();
  private queued = false;
  private order: string[] = [];

  constructor(private list: HTMLOListElement, private count: HTMLElement) {
    setInterval(() => this.tickSla(), 1000);
    ops.incident.on((inc) => { this.dirty.add(inc.id); this.schedule(); });
    ops.filtersChanged.on(() => this.refilter());
    ops.select.on((id) => this.select(id));
    onLangChange(() => this.refilter());
    this.refilter();  // what was loaded before the queue existed
  }

  schedule(): void {
    if (this.queued) return;
    this.queued = true;
    requestAnimationFrame(() => { this.queued = false; this.flush(); });
  }

  refilter(): void {
    for (const id of ops.incidents.keys()) this.dirty.add(id);
    this.schedule();
  }

  /** The incident after (+1) or before (-1) the selected one, in queue order. */
  neighbour(step: 1 | -1): string | null {
    if (!this.order.length) return null;
    const i = ops.selected ? this.order.indexOf(ops.selected) : -1;
    if (i < 0) return this.order[step === 1 ? 0 : this.order.length - 1];
    return this.order[Math.min(this.order.length - 1, Math.max(0, i + step))];
  }

  /** The first alert still waiting for acknowledgement, in queue order (else the first). */
  firstWaiting(): string | null {
    return this.order.find((id) => ops.incidents.get(id)?.state === "new") ?? this.order[0] ?? null;
  }

  private flush(): void {
    const open = [...ops.incidents.values()].filter((i) => isOpen(i) && incidentShown(i));
    // ISO times of one zone compare as strings; localeCompare (ICU) is far slower
    open.sort((a, b) => a.priority - b.priority || (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0));
    this.order = open.map((i) => i.id);
    const top = open.slice(0, MAX_ROWS);
    const keep = new Set(top.map((i) => i.id));
    for (const [id, li] of this.rows) if (!keep.has(id)) { li.remove(); this.rows.delete(id); }
    const nodes: HTMLLIElement[] = [];
    for (const inc of top) {
      let li = this.rows.get(inc.id);
      if (!li) {
        li = this.row(inc);
        if (inc.priority === 1 && inc.state === "new") li.classList.add("flash");
        this.rows.set(inc.id, li);
      } else if (this.dirty.has(inc.id)) {
        this.fill(li, inc);
      }
      nodes.push(li);
    }
    this.dirty.clear();
    const current = this.list.children;
    let same = current.length === nodes.length;
    for (let i = 0; same && i < nodes.length; i++) same = current[i] === nodes[i];
    if (!same) this.list.replaceChildren(...nodes);
    this.count.textContent = `(${open.length})`;
    this.list.dataset.empty = open.length ? "" : tq("queueEmpty");
  }

  private row(inc: Incident): HTMLLIElement {
    const li = document.createElement("li");
    li.dataset.id = inc.id;
    li.dataset.eventTs = inc.event_ts;
    li.innerHTML = `<img alt="" loading="lazy"><div><div class="title"></div>
      <div class="meta m1"></div><div class="meta sla"></div></div>`;
    li.addEventListener("click", () => ops.select.emit(inc.id));
    this.fill(li, inc);
    return li;
  }

  private fill(li: HTMLLIElement, inc: Incident): void {
    li.className = `p${inc.priority}` + (inc.escalated_at ? " escalated" : "") +
      (ops.selected === inc.id ? " sel" : "") + (li.classList.contains("flash") ? " flash" : "") +
      (inc.state === "new" ? " unacked" : "");
    li.dataset.state = inc.state;
    const img = li.querySelector("img")!;
    const src = inc.snapshot_event_id ? `/api/events/${inc.snapshot_event_id}/snapshot` : "";
    if (src && img.getAttribute("src") !== src) img.src = src;
    li.querySelector(".title")!.textContent = `${typeName(inc.type)} · ${inc.camera_name ?? inc.camera_id}`;
    li.querySelector(".m1")!.textContent =
      `${fmtTime(inc.created_at)} · ${stateName(inc.state)} · ${agencyName(inc.agency_id, ops.settings)}` +
      `${inc.unit ? " / " + inc.unit : ""} · ${districtName(inc.district)} · ${tq("scoreShort")} ` +
      `${inc.score?.toFixed(2) ?? "-"} · ×${inc.event_count}`;
    this.slaText(li, inc);
  }

  private slaText(li: HTMLLIElement, inc: Incident): void {
    const ack = inc.state === "new";
    const due = Date.parse(ack ? inc.ack_due_at : inc.resolve_due_at);
    const left = Math.round((due - Date.now()) / 1000);
    const esc = inc.escalated_at ? ` · ${tq("escalated")}` : "";
    const sla = li.querySelector(".sla")!;
    sla.textContent = left >= 0 ? `${ack ? tq("slaAck") : tq("slaResolve")} ${fmtClock(left)}${esc}`
      : `${tq("overdue")} ${fmtClock(-left)}${esc}`;
    sla.classList.toggle("late", left < 0);
  }

  private tickSla(): void {
    for (const [id, li] of this.rows) {
      const inc = ops.incidents.get(id);
      if (inc) this.slaText(li, inc);
    }
  }

  private select(id: string): void {
    for (const li of this.list.querySelectorAll("li.sel")) li.classList.remove("sel");
    const li = this.rows.get(id);
    li?.classList.add("sel");
    li?.scrollIntoView({ block: "nearest" });
  }
}
