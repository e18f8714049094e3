// Alarms for a night shift: while any alert the operator sees is still unacknowledged a
// sound repeats (its pattern and pace by priority: high every 2.5 s, medium every 6 s, low
// every 15 s) until it is acknowledged. Mute stops the sound (a red banner says so);
// snooze silences the alerts waiting now for 5 minutes (new ones still sound). With the
// browser's permission a notification also pops up for new high and medium alerts while
// the window is hidden. Sounds are made in the page (WebAudio): no file to ship.
import type { Incident } from "../api";
import { dictionary, fmtTime, onLangChange } from "../i18n/core";
import { typeName } from "../i18n/terms";
import { incidentShown, ops } from "./state";

const ta = dictionary({
  en: { mute: "Mute", unmute: "Sound on", muted: "SOUND OFF: alarms are silent", snooze: "Snooze 5 min",
        snoozed: "snoozed until {time}", notify: "Enable notifications", unacked: "{n} waiting",
        notifyTitle: "Kuzet: {type}", notifyBlocked: "Notifications are blocked in the browser settings." },
  ru: { mute: "Без звука", unmute: "Включить звук", muted: "ЗВУК ВЫКЛЮЧЕН: тревоги без звука", snooze: "Отложить на 5 мин",
        snoozed: "отложено до {time}", notify: "Включить уведомления", unacked: "ожидают: {n}",
        notifyTitle: "Kuzet: {type}", notifyBlocked: "Уведомления запрещены в настройках браузера." },
  kk: { mute: "Дыбысты өшіру", unmute: "Дыбысты қосу", muted: "ДЫБЫС ӨШІРУЛІ: дабылдар дыбыссыз", snooze: "5 минутқа кейінге қалдыру",
        snoozed: "{time} дейін кейінге қалдырылды", notify: "Хабарландыруларды қосу", unacked: "күтуде: {n}",
        notifyTitle: "Kuzet: {type}", notifyBlocked: "Хабарландырулар браузер баптауларында тыйым салынған." },
});

/** Per priority: the tones (Hz, seconds each) and how often the pattern repeats. */
const SOUNDS: Record<number, { tones: [number, number][]; every: number; gain: number }> = {
  1: { tones: [[988, 0.14], [740, 0.14], [988, 0.14], [740, 0.14]], every: 2500, gain: 0.25 },
  2: { tones: [[660, 0.18], [660, 0.18]], every: 6000, gain: 0.2 },
  3: { tones: [[440, 0.25]], every: 15000, gain: 0.12 },
};
const SNOOZE_MS = 5 * 60_000;

export class Alarm {
  muted = false;
  plays = 0;
  private snoozedUntil = 0;
  private snoozed = new Set<string>();
  private next = 0;
  private audio: AudioContext | null = null;
  private seen = new Set<string>();

  constructor(private el: HTMLElement, private banner: HTMLElement) {
    el.innerHTML = `<span class="bell" aria-hidden="true">♪</span><span class="waiting"></span>
      <button id="alarm-mute"></button><button id="alarm-snooze"></button>
      <button id="alarm-notify" hidden></button>`;
    el.querySelector("#alarm-mute")!.addEventListener("click", () => this.toggleMute());
    el.querySelector("#alarm-snooze")!.addEventListener("click", () => this.snooze());
    el.querySelector("#alarm-notify")!.addEventListener("click", () => void this.askNotify());
    // Browsers start audio only after a gesture: the first click or key of the shift.
    const unlock = () => { void this.ctx()?.resume(); };
    document.addEventListener("click", unlock);
    document.addEventListener("keydown", unlock);
    for (const id of ops.incidents.keys()) this.seen.add(id);  // loaded before: they ring, no pop-up
    ops.incident.on((inc) => this.onIncident(inc));
    onLangChange(() => this.paint());
    setInterval(() => this.tick(), 250);
    this.paint();
  }

  /** Alerts still waiting for acknowledgement that this operator sees, not snoozed. */
  pending(): Incident[] {
    const now = Date.now();
    return [...ops.incidents.values()].filter((i) => i.state === "new" && incidentShown(i) &&
      !(now < this.snoozedUntil && this.snoozed.has(i.id)));
  }

  toggleMute(): void { this.muted = !this.muted; this.paint(); }

  snooze(): void {
    this.snoozedUntil = Date.now() + SNOOZE_MS;
    this.snoozed = new Set(this.pending().map((i) => i.id));
    this.paint();
  }

  private onIncident(inc: Incident): void {
    if (this.seen.has(inc.id)) return;
    this.seen.add(inc.id);
    if (inc.state !== "new" || !incidentShown(inc)) return;
    this.next = Math.min(this.next, Date.now());  // a new alert sounds at once
    if (inc.priority <= 2) this.notify(inc);
  }

  private tick(): void {
    const waiting = this.pending();
    const top = waiting.reduce((p, i) => Math.min(p, i.priority), 9);
    const sounding = waiting.length > 0 && !this.muted;
    this.el.dataset.sounding = sounding ? "1" : "0";
    this.el.dataset.priority = waiting.length ? String(top) : "";
    this.el.dataset.plays = String(this.plays);
    this.el.querySelector(".waiting")!.textContent = waiting.length ? ta("unacked", { n: waiting.length }) : "";
    document.title = waiting.length ? `(${waiting.length}) Kuzet` : "Kuzet";
    if (this.snoozedUntil && Date.now() > this.snoozedUntil) { this.snoozedUntil = 0; this.paint(); }
    if (!sounding || Date.now() < this.next) return;
    const s = SOUNDS[top] ?? SOUNDS[3];
    this.next = Date.now() + s.every;
    this.play(s.tones, s.gain);
  }

  private ctx(): AudioContext | null {
    try { this.audio ??= new AudioContext(); } catch { this.audio = null; }
    return this.audio;
  }

  private play(tones: [number, number][], gain: number): void {
    this.plays++;
    const ctx = this.ctx();
    if (!ctx) return;  // no audio device: the banner, the title and the flashing row remain
    let t = ctx.currentTime + 0.02;
    for (const [hz, dur] of tones) {
      const o = ctx.createOscillator(), g = ctx.createGain();
      o.type = "square";
      o.frequency.value = hz;
      g.gain.setValueAtTime(gain, t);
      g.gain.exponentialRampToValueAtTime(0.001, t + dur);
      o.connect(g); g.connect(ctx.destination);
      o.start(t); o.stop(t + dur);
      t += dur + 0.05;
    }
  }

  private notify(inc: Incident): void {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    if (!document.hidden && document.hasFocus()) return;  // the screen already shows it
    const n = new Notification(ta("notifyTitle", { type: typeName(inc.type) }), {
      body: `${inc.camera_name ?? inc.camera_id} · ${fmtTime(inc.created_at)}`, tag: inc.id,
      requireInteraction: inc.priority === 1,
    });
    n.onclick = () => { window.focus(); ops.select.emit(inc.id); n.close(); };
  }

  private async askNotify(): Promise<void> {
    if (!("Notification" in window)) return;
    await Notification.requestPermission();
    this.paint();
  }

  private paint(): void {
    const mute = this.el.querySelector<HTMLButtonElement>("#alarm-mute")!;
    mute.textContent = this.muted ? ta("unmute") : ta("mute");
    mute.classList.toggle("danger", this.muted);
    const snooze = this.el.querySelector<HTMLButtonElement>("#alarm-snooze")!;
    snooze.textContent = this.snoozedUntil ? ta("snoozed", { time: fmtTime(this.snoozedUntil) }) : ta("snooze");
    this.el.dataset.muted = this.muted ? "1" : "0";
    this.banner.hidden = !this.muted;
    this.banner.textContent = ta("muted");
    const nb = this.el.querySelector<HTMLButtonElement>("#alarm-notify")!;
    const perm = "Notification" in window ? Notification.permission : "denied";
    nb.hidden = perm === "granted" || !("Notification" in window);
    nb.textContent = perm === "denied" ? ta("notifyBlocked") : ta("notify");
    nb.disabled = perm === "denied";
  }
}
