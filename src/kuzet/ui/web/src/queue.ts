// The alert queue: open incidents by priority then age. Updates arrive in bursts (100/s
// and more), so they are folded into one DOM pass per animation frame and only the top
// rows are in the DOM.
import type { Incident } from "./api";
import { t } from "./i18n";

const MAX_ROWS = 200;
const CLOSED = new Set(["resolved", "false_alarm"]);

export class Queue {
  readonly all = new Map<string, Incident>();
  private rows = new Map<string, HTMLLIElement>();
  private dirty = new Set<string>();
  private queued = false;
  selected: string | null = null;
  filter: (inc: Incident) => boolean = () => true;

  constructor(private list: HTMLOListElement, private count: HTMLElement,
              private onSelect: (id: string) => void, private onNewHigh: () => void) {
    setInterval(() => this.tickSla(), 1000);
  }

  upsert(inc: Incident): void {
    const old = this.all.get(inc.id);
    if (old && old.version > inc.version) return; // an older message overtaken by a newer one
    this.all.set(inc.id, inc);
    this.dirty.add(inc.id);
    if (!old && inc.priority === 1 && inc.state === "new" && this.filter(inc)) this.onNewHigh();
    this.schedule();
  }

  schedule(): void {
    if (this.queued) return;
    this.queued = true;
    requestAnimationFrame(() => { this.queued = false; this.flush(); });
  }

  refilter(): void {
    for (const id of this.all.keys()) this.dirty.add(id);
    this.schedule();
  }

  private flush(): void {
    const open = [...this.all.values()].filter((i) => !CLOSED.has(i.state) && this.filter(i));
    open.sort((a, b) => a.priority - b.priority || a.created_at.localeCompare(b.created_at));
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
  }

  private row(inc: Incident): HTMLLIElement {
    const li = document.createElement("li");
    li.dataset.id = inc.id;
    li.dataset.eventTs = inc.event_ts;
    li.innerHTML = `<img alt="" loading="lazy"><div><div class="title"></div>
      <div class="meta"></div><div class="meta sla"></div></div>`;
    li.addEventListener("click", () => this.onSelect(inc.id));
    this.fill(li, inc);
    return li;
  }

  private fill(li: HTMLLIElement, inc: Incident): void {
    li.className = `p${inc.priority}` + (inc.escalated_at ? " escalated" : "") +
      (this.selected === inc.id ? " sel" : "") + (li.classList.contains("flash") ? " flash" : "");
    li.dataset.state = inc.state;
    const img = li.querySelector("img")!;
    const src = inc.snapshot_event_id ? `/api/events/${inc.snapshot_event_id}/snapshot` : "";
    if (src && img.getAttribute("src") !== src) img.src = src;
    li.querySelector(".title")!.textContent =
      `${inc.type} · ${inc.camera_name ?? inc.camera_id}`;
    li.querySelector(".meta")!.textContent =
      `${t("s_" + inc.state)} · ${inc.agency_id}${inc.unit ? " / " + inc.unit : ""} · ` +
      `${inc.district ?? ""} · ${t("score")} ${inc.score?.toFixed(2) ?? "-"} · ×${inc.event_count}`;
    this.slaText(li, inc);
  }

  private slaText(li: HTMLLIElement, inc: Incident): void {
    const ack = inc.state === "new";
    const due = Date.parse(ack ? inc.ack_due_at : inc.resolve_due_at);
    const left = Math.round((due - Date.now()) / 1000);
    const label = ack ? t("slaAck") : t("slaResolve");
    const esc = inc.escalated_at ? ` · ${t("escalated")}` : "";
    li.querySelector(".sla")!.textContent = left >= 0
      ? `${label} ${fmt(left)}${esc}` : `${t("overdue")} ${fmt(-left)}${esc}`;
  }

  private tickSla(): void {
    for (const [id, li] of this.rows) {
      const inc = this.all.get(id);
      if (inc) this.slaText(li, inc);
    }
  }

  select(id: string | null): void {
    this.rows.get(this.selected ?? "")?.classList.remove("sel");
    this.selected = id;
    this.rows.get(id ?? "")?.classList.add("sel");
  }
}

function fmt(s: number): string {
  const m = Math.floor(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)}h${m % 60}m` : `${m}:${String(s % 60).padStart(2, "0")}`;
}
