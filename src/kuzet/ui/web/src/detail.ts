// The right-hand card: one incident (picture, facts, workflow buttons, timeline) or one
// camera (live picture, recent events).
import { api, post, type CameraPin, type Incident, type Settings } from "./api";
import { t } from "./i18n";

interface LogEntry { ts: string; actor: string; agency_id: string | null; action: string;
                     state: string; note: string | null }
interface Detail { incident: Incident; events: { id: string; ts: string; type: string;
                   score: number | null; attributes?: { clip?: string } }[]; log: LogEntry[] }
interface EventRow { id: string; ts: string; type: string; rule: string | null;
                     score: number | null; snapshot: string | null }

const ACTIONS: Record<string, string[]> = {
  new: ["acknowledge", "false_alarm"],
  acknowledged: ["assign", "resolve", "false_alarm"],
  assigned: ["assign", "on_scene", "resolve", "false_alarm"],
  on_scene: ["assign", "resolve", "false_alarm"],
};

const esc = (s: unknown): string =>
  String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const time = (s: string | null): string => (s ? new Date(s).toLocaleTimeString() : "—");

export class DetailPane {
  constructor(private el: HTMLElement, private settings: () => Settings,
              private onChanged: (inc: Incident) => void,
              private addToWall: (cam: CameraPin) => void) {
    this.empty();
  }

  empty(): void {
    this.el.innerHTML = `<div class="body"><p class="meta">${esc(t("noIncident"))}</p></div>`;
  }

  async showIncident(id: string): Promise<void> {
    const d = await api<Detail>(`/api/ops/incidents/${id}`);
    const i = d.incident;
    const snap = i.snapshot_event_id
      ? `<img class="snap" alt="" src="/api/events/${esc(i.snapshot_event_id)}/snapshot">` : "";
    // Playback: the seconds around the first event that has a clip (its post-roll may
    // still be recording for a few seconds: the player retries).
    const withClip = d.events.find((e) => e.attributes?.clip);
    const clip = withClip ? `<h3>${esc(t("playback"))}</h3><video class="clip" controls muted
      playsinline preload="auto" data-src="/api/events/${esc(withClip.id)}/clip"></video>
      <p class="meta" id="d-clip-note"></p>` : "";
    const agencies = this.settings().agencies
      .map((a) => `<option value="${esc(a.id)}">${esc(a.name)}</option>`).join("");
    const buttons = (ACTIONS[i.state] ?? []).map((a) =>
      `<button data-action="${a}" class="${a === "false_alarm" ? "danger" : "primary"}">${esc(t(a))}</button>`).join("");
    this.el.innerHTML = `<h2>${esc(i.type)} · <span class="state" id="d-state">${esc(t("s_" + i.state))}</span></h2>
      <div class="body" data-incident="${esc(i.id)}">${snap}${clip}
      <dl><dt>${t("camera")}</dt><dd>${esc(i.camera_name ?? i.camera_id)}</dd>
      <dt>${t("rule")}</dt><dd>${esc(i.rule)}</dd><dt>${t("score")}</dt><dd>${esc(i.score?.toFixed(2))}</dd>
      <dt>${t("priority")}</dt><dd>${esc(t("p" + i.priority))}</dd>
      <dt>${t("district")}</dt><dd>${esc(i.district)}</dd><dt>${t("agency")}</dt><dd id="d-agency">${esc(i.agency_id)}${i.unit ? " / " + esc(i.unit) : ""}</dd>
      <dt>${t("events")}</dt><dd>${i.event_count}</dd><dt>${t("created")}</dt><dd>${time(i.created_at)}</dd></dl>
      <div class="assign"><select id="d-agency-sel">${agencies}</select> <input id="d-unit" placeholder="${esc(t("unit"))}" size="10"></div>
      <textarea id="d-note" placeholder="${esc(t("note"))}"></textarea>
      <div class="actions">${buttons}<button data-action="note">${esc(t("addNote"))}</button></div>
      <p class="error" id="d-error"></p>
      <h3>${t("timeline")}</h3><ol class="log">${d.log.map((l) =>
        `<li>${time(l.ts)} <b>${esc(l.action)}</b> ${esc(l.actor)} (${esc(l.agency_id)}) → ${esc(t("s_" + l.state))}${l.note ? ": " + esc(l.note) : ""}</li>`).join("")}</ol></div>`;
    (this.el.querySelector("#d-agency-sel") as HTMLSelectElement).value = i.agency_id;
    const video = this.el.querySelector<HTMLVideoElement>("video.clip");
    if (video) this.play(video);
    this.el.querySelectorAll<HTMLButtonElement>("button[data-action]").forEach((b) =>
      b.addEventListener("click", () => void this.step(i, b.dataset.action!)));
  }

  private play(video: HTMLVideoElement, tries = 0): void {
    const note = this.el.querySelector("#d-clip-note");
    video.onerror = () => {
      if (!video.isConnected) return;
      if (note) note.textContent = t(tries < 10 ? "clipPending" : "clipMissing");
      if (tries < 10) setTimeout(() => this.play(video, tries + 1), 2000);
    };
    video.onloadeddata = () => { if (note) note.textContent = ""; };
    video.src = `${video.dataset.src}${tries ? `?try=${tries}` : ""}`;
  }

  private async step(i: Incident, action: string): Promise<void> {
    const note = (this.el.querySelector("#d-note") as HTMLTextAreaElement).value || null;
    const body: Record<string, unknown> = { action, note, version: i.version };
    if (action === "assign") {
      body.agency = (this.el.querySelector("#d-agency-sel") as HTMLSelectElement).value;
      body.unit = (this.el.querySelector("#d-unit") as HTMLInputElement).value || null;
    }
    try {
      const inc = await post<Incident>(`/api/ops/incidents/${i.id}/steps`, body);
      this.onChanged(inc);
      await this.showIncident(i.id);
    } catch (e) {
      this.el.querySelector("#d-error")!.textContent = (e as Error).message;
    }
  }

  async showCamera(c: CameraPin): Promise<void> {
    this.el.innerHTML = `<h2>${esc(c.name ?? c.id)}</h2><div class="body">
      <img class="snap" alt="${esc(t("live"))}" src="/api/ops/cameras/${encodeURIComponent(c.id)}/live.mjpeg">
      <dl><dt>${t("category")}</dt><dd>${esc(c.category)}</dd><dt>${t("district")}</dt><dd>${esc(c.district)}</dd>
      <dt>${t("status")}</dt><dd>${esc(t("st_" + c.status))}</dd></dl>
      <button id="d-wall">${esc(t("addToWall"))}</button>
      <h3>${t("recentEvents")}</h3><ol class="log" id="d-events"></ol></div>`;
    this.el.querySelector("#d-wall")!.addEventListener("click", () => this.addToWall(c));
    const page = await api<{ items: EventRow[] }>(
      `/api/events?camera_id=${encodeURIComponent(c.id)}&limit=10`);
    this.el.querySelector("#d-events")!.innerHTML = page.items.map((e) =>
      `<li>${time(e.ts)} ${esc(e.type)} ${esc(e.rule)} ${esc(e.score?.toFixed(2))}</li>`).join("");
  }
}
