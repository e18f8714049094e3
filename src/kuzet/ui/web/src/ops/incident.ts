// The incident card: picture, playback, facts, the operating procedure, the workflow
// buttons and the timeline. It stays open while the incident lives: every change that
// arrives over the socket updates its facts and buttons at once and re-reads its timeline
// the timeline entries that come with steps, notes and ticks; what the operator is typing
// is never thrown away. A step that loses a race (409) says so in the operator's language
// and the card shows the incident as the winner left it.
import { api, ApiError, can, post, type ChecklistItem, type Incident, type LogEntry } from "../api";
import { fmtDateTime, fmtTime, onLangChange, t } from "../i18n/core";
import { errorText } from "../i18n/errors";
import { to } from "../i18n/ops";
import { actionName, actorName, agencyName, districtName, priorityName, ruleName, stateName, typeName } from "../i18n/terms";
import { tp } from "../i18n/playback";
import { openPlayback } from "../playback/open";
import { signedIn } from "../shell";
import { Checklist } from "./checklist";
import { ops, upsert } from "./state";

interface Detail { incident: Incident; events: { id: string; ts: string; type: string;
  score: number | null; attributes?: { clip?: string } }[]; log: LogEntry[];
  checklist_items?: ChecklistItem[] }

export const ACTIONS: Record<string, string[]> = {
  new: ["acknowledge", "false_alarm"],
  acknowledged: ["assign", "resolve", "false_alarm"],
  assigned: ["assign", "on_scene", "resolve", "false_alarm"],
  on_scene: ["assign", "resolve", "false_alarm"],
};
const esc = (s: unknown): string => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export class IncidentCard {
  private id: string | null = null;
  private openedWith = 0;           // event_count when the operator opened the card
  private busy = false;
  private checklist: Checklist | null = null;

  constructor(private el: HTMLElement) {
    ops.incident.on((inc) => { if (inc.id === this.id) this.live(inc); });
    ops.log.on(({ id, entry }) => { if (id === this.id && this.shown) this.addLog(entry); });
    // a language switch: facts and the procedure in the new language (the note is kept)
    onLangChange(() => {
      const inc = this.shown ? ops.incidents.get(this.shown) : undefined;
      if (inc) { this.facts(inc); this.checklist?.update(inc); }
    });
  }

  get shown(): string | null { return this.el.isConnected && this.el.querySelector("[data-incident]") ? this.id : null; }

  async open(id: string): Promise<void> {
    this.id = id;
    const d = await api<Detail>(`/api/ops/incidents/${encodeURIComponent(id)}`);
    if (this.id !== id) return;  // another was chosen meanwhile
    upsert(d.incident);
    this.openedWith = d.incident.event_count;
    this.render(d);
  }

  close(): void { this.id = null; }

  /** The button of a step, if the incident's state offers it (keyboard shortcuts use it). */
  act(action: string): boolean {
    const b = this.el.querySelector<HTMLButtonElement>(`button[data-action="${action}"]`);
    if (!b || b.disabled) return false;
    b.click();
    return true;
  }

  private render(d: Detail): void {
    const i = d.incident;
    const snap = i.snapshot_event_id
      ? `<img class="snap" alt="" src="/api/events/${esc(i.snapshot_event_id)}/snapshot">` : "";
    const withClip = d.events.find((e) => e.attributes?.clip);
    const clip = withClip ? `<h3>${esc(to("playback"))}</h3><video class="clip" controls muted
      playsinline preload="auto" data-src="/api/events/${esc(withClip.id)}/clip"></video>
      <p class="meta" id="d-clip-note"></p>` : "";
    const agencies = ops.settings.agencies.map((a) =>
      `<option value="${esc(a.id)}">${esc(agencyName(a.id, ops.settings))}</option>`).join("");
    this.el.innerHTML = `<h2><span id="d-type"></span> · <span class="state" id="d-state"></span></h2>
      <div class="body" data-incident="${esc(i.id)}">${snap}${clip}
      <p class="meta live-note" id="d-live"></p>
      <dl id="d-facts"></dl>
      <section id="d-checklist"></section>
      <div class="assign"><label>${esc(to("agency"))} <select id="d-agency-sel">${agencies}</select></label>
        <label>${esc(to("unit"))} <input id="d-unit" size="10"></label></div>
      <textarea id="d-note" placeholder="${esc(to("note"))}"></textarea>
      <div class="actions" id="d-actions"></div>
      <p class="error" id="d-error" role="alert"></p>
      <h3>${esc(to("timeline"))}</h3><ol class="log" id="d-log"></ol></div>`;
    this.el.querySelector<HTMLSelectElement>("#d-agency-sel")!.value = i.agency_id;
    const video = this.el.querySelector<HTMLVideoElement>("video.clip");
    if (video) this.play(video);
    this.checklist = new Checklist(this.el.querySelector("#d-checklist")!,
      d.checklist_items ?? ops.settings.checklists?.[i.type] ?? [], i, (e) => this.error(e));
    this.facts(i);
    this.timeline(d.log);
    this.recording(d);
    ops.cardShown.emit({ incident: i, body: this.el.querySelector<HTMLElement>(".body")! });
  }

  /** "Recording": the camera's timeline from just before the incident's first event. */
  private recording(d: Detail): void {
    const me = signedIn(), i = d.incident;
    if (!me || !can(me, "recordings.read")) return;
    const first = Math.min(Date.parse(i.event_ts), ...d.events.map((e) => Date.parse(e.ts)));
    const b = document.createElement("button");
    b.id = "d-recording";
    b.textContent = tp("openRecording");
    b.onclick = () => openPlayback({ cameras: [i.camera_id], at: first - 10_000,
      incident: { id: i.id, type: i.type, camera: i.camera_id, ts: first } });
    this.el.querySelector("#d-live")?.before(b);
  }

  /** A change arrived (socket, our own step, a refused step): new facts and buttons now. */
  private live(inc: Incident): void {
    if (!this.shown) return;
    this.facts(inc);
    this.checklist?.update(inc);
    this.el.querySelector("#d-live")!.textContent = to("updatedLive", { time: fmtTime(inc.updated_at) }) +
      (inc.event_count > this.openedWith ? ` · ${to("newEvents", { n: inc.event_count - this.openedWith })}` : "");
  }

  /** The whole card again from the server (after a refused step: what did the other do?). */
  private async reread(): Promise<void> {
    const id = this.id;
    if (!id || !this.shown) return;
    try {
      const d = await api<Detail>(`/api/ops/incidents/${encodeURIComponent(id)}`);
      if (this.id !== id) return;
      upsert(d.incident);
      this.facts(ops.incidents.get(id) ?? d.incident);
      this.timeline(d.log);
    } catch { /* the next change or the operator's next step tries again */ }
  }

  private facts(i: Incident): void {
    const $ = (s: string) => this.el.querySelector<HTMLElement>(s);
    $("#d-type")!.textContent = typeName(i.type);
    const st = $("#d-state")!;
    st.textContent = stateName(i.state);
    st.dataset.state = i.state;
    const body = $("[data-incident]")!;
    body.dataset.version = String(i.version);
    body.dataset.state = i.state;
    const row = (k: Parameters<typeof to>[0], v: string, id = "") => `<dt>${esc(to(k))}</dt><dd${id ? ` id="${id}"` : ""}>${esc(v)}</dd>`;
    $("#d-facts")!.innerHTML = row("camera", i.camera_name ?? i.camera_id) +
      row("rule", ruleName(i.rule ?? i.type, ops.settings)) + row("score", i.score?.toFixed(2) ?? "—") +
      row("priority", priorityName(i.priority)) + row("district", districtName(i.district)) +
      row("agency", agencyName(i.agency_id, ops.settings) + (i.unit ? ` / ${i.unit}` : ""), "d-agency") +
      row("events", String(i.event_count), "d-count") + row("lastEvent", fmtTime(i.event_ts)) +
      row("created", fmtDateTime(i.created_at)) +
      (i.state === "new" ? row("ackDue", fmtTime(i.ack_due_at)) : "") +
      (i.closed_at ? "" : row("resolveDue", fmtTime(i.resolve_due_at))) +
      (i.escalated_at ? row("escalatedAt", fmtTime(i.escalated_at)) : "");
    const actions = $("#d-actions")!;
    const want = [...(ACTIONS[i.state] ?? []), "note"].join(",");
    if (actions.dataset.set !== want) {  // rebuilt only when the state offers other steps
      actions.dataset.set = want;
      actions.innerHTML = want.split(",").map((a) => `<button data-action="${a}" class="${
        a === "false_alarm" ? "danger" : a === "note" ? "" : "primary"}">${esc(t(a === "note" ? "addNote" : a))}</button>`).join("");
      actions.querySelectorAll<HTMLButtonElement>("button").forEach((b) =>
        b.addEventListener("click", () => void this.step(b.dataset.action!)));
    }
    actions.querySelectorAll<HTMLButtonElement>("button").forEach((b) => (b.disabled = this.busy));
  }

  private timeline(log: LogEntry[]): void {
    this.el.querySelector("#d-log")!.innerHTML = log.map((l) => this.logRow(l)).join("");
  }

  private addLog(l: LogEntry): void {
    const ol = this.el.querySelector("#d-log");
    if (!ol || (l.id != null && ol.querySelector(`li[data-log="${l.id}"]`))) return;
    ol.insertAdjacentHTML("beforeend", this.logRow(l));
  }

  private logRow(l: LogEntry): string {
    return `<li${l.id != null ? ` data-log="${l.id}"` : ""}><time>${esc(fmtTime(l.ts))}</time>
      <b>${esc(actionName(l.action))}</b> ${esc(actorName(l.actor))} (${esc(agencyName(l.agency_id, ops.settings))}) →
      ${esc(stateName(l.state))}${l.note ? ": " + esc(l.note) : ""}</li>`;
  }

  private play(video: HTMLVideoElement, tries = 0): void {
    const note = this.el.querySelector("#d-clip-note");
    video.onerror = () => {
      if (!video.isConnected) return;
      if (note) note.textContent = to(tries < 10 ? "clipPending" : "clipMissing");
      if (tries < 10) setTimeout(() => this.play(video, tries + 1), 2000);
    };
    video.onloadeddata = () => { if (note) note.textContent = ""; };
    video.src = `${video.dataset.src}${tries ? `?try=${tries}` : ""}`;
  }

  private error(e: unknown | null): void {
    const p = this.el.querySelector<HTMLElement>("#d-error");
    if (!p) return;
    p.textContent = e === null ? "" : errorText(e);
    p.dataset.code = e instanceof ApiError ? e.code : "";
  }

  private async step(action: string): Promise<void> {
    const id = this.id, inc = id ? ops.incidents.get(id) : undefined;
    if (!id || !inc || this.busy) return;
    const noteEl = this.el.querySelector<HTMLTextAreaElement>("#d-note")!;
    const note = noteEl.value.trim() || null;
    if (action === "note" && !note) { this.error(new ApiError(422, "note_required", "")); return; }
    const body: Record<string, unknown> = { action, note, step_version: inc.step_version ?? null };
    if (action === "assign") {
      body.agency = this.el.querySelector<HTMLSelectElement>("#d-agency-sel")!.value;
      body.unit = this.el.querySelector<HTMLInputElement>("#d-unit")!.value.trim() || null;
    }
    this.busy = true;
    this.error(null);
    this.facts(inc);
    try {
      const done = await post<Incident>(`/api/ops/incidents/${encodeURIComponent(id)}/steps`, body);
      noteEl.value = "";
      upsert(done);
    } catch (e) {
      this.error(e);  // a lost race: the message, then the card as the winner left it
      const now = e instanceof ApiError ? (e.body.incident as Incident | undefined) : undefined;
      if (now?.id === id) upsert(now);
    } finally {
      this.busy = false;
    }
    if (this.id === id) {
      const cur = ops.incidents.get(id);
      if (cur) this.facts(cur);
      await this.reread();
    }
  }
}
