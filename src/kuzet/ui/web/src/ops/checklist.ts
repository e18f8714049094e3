// The operating procedure of an incident's event type (site settings, `ops.procedures`):
// steps the operator ticks off. Each tick is a workflow step of its own ("check", never a
// conflict), recorded with who and when, so the supervisor and the next shift see it.
import { post, type ChecklistItem, type Incident } from "../api";
import { fmtTime } from "../i18n/core";
import { to } from "../i18n/ops";
import { localised } from "../i18n/terms";
import { upsert } from "./state";

const CLOSED = new Set(["resolved", "false_alarm"]);

export class Checklist {
  constructor(private el: HTMLElement, private items: ChecklistItem[], private inc: Incident,
              private onError: (e: unknown | null) => void) {
    this.render();
  }

  /** The incident changed (a tick by anyone, a step): redraw unless a box is being saved. */
  update(inc: Incident): void {
    this.inc = inc;
    if (!this.el.querySelector("input[data-saving]")) this.render();
  }

  private render(): void {
    this.el.innerHTML = `<h3></h3>${this.items.length ? '<ol class="checklist"></ol>' : '<p class="meta"></p>'}`;
    this.el.querySelector("h3")!.textContent = to("checklist");
    if (!this.items.length) { this.el.querySelector("p")!.textContent = to("checklistNone"); return; }
    const ol = this.el.querySelector("ol")!;
    const marks = new Map((this.inc.checklist ?? []).map((m) => [m.item, m]));
    for (const it of this.items) {
      const mark = marks.get(it.id);
      const li = document.createElement("li");
      li.dataset.item = String(it.id);
      li.innerHTML = `<label><input type="checkbox"> <span></span></label> <small class="meta"></small>`;
      const box = li.querySelector("input")!;
      box.checked = !!mark?.done;
      box.disabled = CLOSED.has(this.inc.state);
      li.querySelector("span")!.textContent = localised(it.text, String(it.id + 1));
      if (mark?.done) li.querySelector("small")!.textContent = to("tickedBy", { who: mark.actor, time: fmtTime(mark.ts) });
      box.addEventListener("change", () => void this.tick(it.id, box));
      ol.appendChild(li);
    }
  }

  private async tick(item: number, box: HTMLInputElement): Promise<void> {
    const done = box.checked;
    box.dataset.saving = "1";
    box.disabled = true;
    try {
      const inc = await post<Incident>(`/api/ops/incidents/${encodeURIComponent(this.inc.id)}/steps`,
                                       { action: "check", item, done });
      this.inc = inc;
      upsert(inc);
      this.onError(null);
    } catch (e) {
      box.checked = !done;
      this.onError(e);
    }
    delete box.dataset.saving;
    this.render();
  }
}
