// The operating procedure of an incident's event type (from the site settings): a list of
// steps the operator ticks off. Each tick is recorded on the server (who, when), so the
// supervisor and the next shift see what was done.
import { post, type ChecklistItem, type Incident } from "../api";
import { fmtTime } from "../i18n/core";
import { to } from "../i18n/ops";
import { localised } from "../i18n/terms";
import { ops } from "./state";

export interface Tick { item: string; done: boolean; actor?: string | null; ts?: string | null }

const items = (type: string): ChecklistItem[] =>
  (ops.settings.checklists?.[type] ?? ops.settings.checklists?.["*"] ?? []).map((x, n) =>
    typeof x === "string" ? { id: String(n + 1), text: x } : x);

export class Checklist {
  private ticks = new Map<string, Tick>();

  constructor(private el: HTMLElement, private inc: Incident, ticks: Tick[],
              private onError: (e: unknown | null) => void) {
    this.update(ticks);
  }

  update(ticks: Tick[]): void {
    this.ticks = new Map(ticks.map((t) => [t.item, t]));
    this.render();
  }

  private render(): void {
    const list = items(this.inc.type);
    const closed = this.inc.state === "resolved" || this.inc.state === "false_alarm";
    this.el.innerHTML = `<h3></h3>${list.length ? "<ol class=\"checklist\"></ol>" : "<p class=\"meta\"></p>"}`;
    this.el.querySelector("h3")!.textContent = to("checklist");
    if (!list.length) { this.el.querySelector("p")!.textContent = to("checklistNone"); return; }
    const ol = this.el.querySelector("ol")!;
    for (const it of list) {
      const tick = this.ticks.get(it.id);
      const li = document.createElement("li");
      li.dataset.item = it.id;
      li.innerHTML = `<label><input type="checkbox"> <span></span></label> <small class="meta"></small>`;
      const box = li.querySelector("input")!;
      box.checked = !!tick?.done;
      box.disabled = closed;
      li.querySelector("span")!.textContent = localised(it.text, it.id);
      if (tick?.done && tick.actor)
        li.querySelector("small")!.textContent = to("tickedBy", { who: tick.actor, time: fmtTime(tick.ts ?? null) });
      box.addEventListener("change", () => void this.tick(it.id, box));
      ol.appendChild(li);
    }
  }

  private async tick(item: string, box: HTMLInputElement): Promise<void> {
    const done = box.checked;
    box.disabled = true;
    try {
      const t = await post<Tick>(`/api/ops/incidents/${encodeURIComponent(this.inc.id)}/checklist`, { item, done });
      this.ticks.set(item, { ...t, item, done: t.done ?? done });
      this.onError(null);
    } catch (e) {
      box.checked = !done;
      this.onError(e);
    }
    this.render();
  }
}
