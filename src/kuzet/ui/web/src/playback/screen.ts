// The recordings screen: up to four cameras played in step on one timeline, with play /
// pause, speeds, go to a time, the previous / next event, zoom from a day to seconds,
// bookmarks and evidence export. One clock (the playhead, wall time) drives every player:
// the first camera with video at that instant leads, the others are pulled to it when
// they drift, and a camera with no recording there says so and waits.
import { api, type CameraPin, can, type Me } from "../api";
import { h, select } from "../admin/dom";
import { fromLocal } from "../admin/when";
import { fmtDateTime } from "../i18n/core";
import { errorText } from "../i18n/errors";
import { tp } from "../i18n/playback";
import { typeName } from "../i18n/terms";
import { latest } from "../latest";
import { localSec, type Mark, timeline, type Timeline } from "./api";
import { Bookmarks } from "./bookmarks";
import { ExportPanel } from "./export";
import { onPlayback, type IncidentRef, type PlaybackRequest } from "./open";
import { CamPlayer } from "./player";
import { TimelineView } from "./timeline";

const MAX_CAMERAS = 4;
const RATES = [0.25, 0.5, 1, 2, 4, 8, 16];
const ZOOMS: [Parameters<typeof tp>[0], number][] = [["z_day", 86_400_000], ["z_6h", 21_600_000], ["z_1h", 3_600_000],
  ["z_10m", 600_000], ["z_1m", 60_000], ["z_10s", 10_000]];
const DRIFT_MS = 400;
const WEEK = 7 * 86_400_000;

export class PlaybackView {
  private cams: CameraPin[] = [];
  private players: CamPlayer[] = [];
  private data = new Map<string, Timeline>();
  private loaded: [number, number] | null = null;
  private tl = new TimelineView((t, final) => this.seek(t, final), () => this.ensureData());
  private playing = false;
  private rate = 1;
  private incident: IncidentRef | null = null;
  private timer: number | null = null;
  private lastSeek = 0;
  private fetchingFor: number | null = null;  // a seek waiting for its timelines
  private grid = h("div", { class: "pb-grid", id: "pb-grid" });
  private note = h("p", { class: "meta", id: "pb-note" });
  private context = h("p", { class: "meta", id: "pb-context" });
  private side = h("aside", { class: "pb-side" });
  private bookmarks: Bookmarks | null = null;
  private exporter: ExportPanel | null = null;
  private dataTimer: number | null = null;

  constructor(private el: HTMLElement, private me: Me) {}

  async load(): Promise<void> {
    this.cams = await api<CameraPin[]>("/api/ops/cameras");
    if (can(this.me, "bookmarks.write") || can(this.me, "recordings.read"))
      this.bookmarks = new Bookmarks(this.me, () => this.ctx(), (t) => this.seek(t, true), () => this.reload());
    if (can(this.me, "evidence.export")) this.exporter = new ExportPanel(this.me, () => this.ctx());
    this.render();
    onPlayback((r) => this.open(r));
  }

  private ctx() {
    return { cameras: this.players.map((p) => p.camera), t: this.tl.t, incident: this.incident,
      name: (id: string) => this.name(id), data: this.data };
  }

  private name(id: string): string { return this.cams.find((c) => c.id === id)?.name ?? id; }

  render(): void {
    const add = select("pb-add", [...this.cams].sort((a, b) => this.name(a.id).localeCompare(this.name(b.id)))
      .map((c) => [c.id, this.name(c.id)]), tp("addCamera"));
    add.onchange = () => { if (add.value) this.addCamera(add.value); add.value = ""; };
    const play = h("button", { id: "pb-play", class: "primary" }, tp(this.playing ? "pause" : "play"));
    play.onclick = () => this.setPlaying(!this.playing);
    const speed = select("pb-speed", RATES.map((r) => [String(r), `×${r}`]), undefined, String(this.rate));
    speed.title = tp("speed");
    speed.onchange = () => { this.rate = Number(speed.value); this.players.forEach((p) => p.setRate(this.rate)); };
    const prev = h("button", { id: "pb-prev", title: tp("prevEventTitle") }, tp("prevEvent"));
    const next = h("button", { id: "pb-next", title: tp("nextEventTitle") }, tp("nextEvent"));
    prev.onclick = () => void this.jumpEvent(-1);
    next.onclick = () => void this.jumpEvent(1);
    const when = h("input", { id: "pb-goto", type: "datetime-local", step: "1" });
    when.value = localSec(this.tl.t);
    const go = h("button", { id: "pb-go" }, tp("go"));
    go.onclick = () => { const v = fromLocal(when.value); if (v) this.seek(Date.parse(v), true); };
    const zoom = select("pb-zoom", ZOOMS.map(([k, ms]) => [String(ms), tp(k)]), tp("zoom"));
    zoom.onchange = () => { if (zoom.value) this.tl.setView(this.tl.t - Number(zoom.value) / 2, this.tl.t + Number(zoom.value) / 2); zoom.value = ""; };
    const zin = h("button", { id: "pb-zoom-in", title: tp("zoomIn") }, "+");
    const zout = h("button", { id: "pb-zoom-out", title: tp("zoomOut") }, "−");
    zin.onclick = () => this.tl.zoom(0.25);
    zout.onclick = () => this.tl.zoom(4);
    const bar = h("div", { class: "pb-bar" }, add, play, speed, prev, next, when, go, zoom, zin, zout);
    this.side.replaceChildren(...[this.bookmarks?.el, this.exporter?.el].filter((x): x is HTMLElement => !!x));
    this.bookmarks?.render();
    this.exporter?.render();
    this.el.replaceChildren(h("div", { class: "pb" },
      h("div", { class: "pb-main" }, bar, this.context, this.note, this.grid, this.tl.el), this.side));
    this.describe();
    this.tl.render();
  }

  private describe(): void {
    const i = this.incident;
    this.context.textContent = i ? tp("fromIncident", { type: typeName(i.type), camera: this.name(i.camera),
      time: fmtDateTime(i.ts) }) : "";
    this.note.textContent = this.players.length ? (this.players.length > 1 ? tp("sync") : "") : tp("hint");
  }

  /** A request from another screen: these cameras, this instant (replaces what plays). */
  open(r: PlaybackRequest): void {
    this.setPlaying(false);
    for (const p of this.players) p.destroy();
    this.players = [];
    this.incident = r.incident ?? null;
    for (const c of r.cameras.slice(0, MAX_CAMERAS)) this.addCamera(c, false);
    this.tl.t = r.at;
    this.tl.setView(r.at - 300_000, r.at + 300_000);
    this.exporter?.reset(r.at);
    this.bookmarks?.render();
    this.describe();
    void this.reload().then(() => { this.setPlaying(true); this.seek(r.at, true); });
  }

  private addCamera(id: string, fetch = true): void {
    if (this.players.some((p) => p.camera === id)) return;
    if (this.players.length >= MAX_CAMERAS) { this.note.textContent = tp("tooMany", { n: MAX_CAMERAS }); return; }
    const p = new CamPlayer(id, this.name(id), () => this.removeCamera(p), (t) => this.seek(t, true));
    p.setRate(this.rate);
    this.players.push(p);
    this.grid.append(p.el);
    this.grid.dataset.n = String(this.players.length);
    this.describe();
    if (fetch) void this.reload().then(() => p.seek(this.tl.t, this.playing));
  }

  private removeCamera(p: CamPlayer): void {
    p.destroy();
    this.players = this.players.filter((x) => x !== p);
    this.data.delete(p.camera);
    this.grid.dataset.n = String(this.players.length);
    this.rows();
    this.describe();
    this.exporter?.render();
  }

  private reloads = latest();  // only the newest reload's answer is kept
  private moves = latest();    // a person's seek after "next event" was asked wins over its answer

  /** The timelines of every camera over the view and as much again either side (≤ 7 days). */
  private async reload(): Promise<void> {
    const pad = Math.min(this.tl.span, (WEEK - this.tl.span) / 2);
    const a = this.tl.v0 - pad, b = this.tl.v1 + pad;
    this.loaded = [a, b];
    const still = this.reloads();
    try {
      const got = await Promise.all(this.players.map((p) => timeline(p.camera, a, b)));
      // answers can come back out of order (a busy server): an older window's timelines
      // must not replace a newer one's, or a camera says "no recording" where it has one
      if (!still()) return;
      got.forEach((d) => this.data.set(d.camera_id, d));
      for (const p of this.players) p.spans = this.data.get(p.camera)?.spans ?? [];
      this.note.textContent = this.players.length > 1 ? tp("sync") : "";
    } catch (e) {
      if (!still()) return;
      this.note.textContent = errorText(e);
    }
    this.rows();
    this.bookmarks?.render();
    this.exporter?.render();
  }

  private rows(): void {
    this.tl.setRows(this.players.map((p) => ({ camera: p.camera, name: this.name(p.camera),
      data: this.data.get(p.camera) ?? null })));
  }

  /** The view moved: fetch again once it leaves what was loaded (debounced). */
  private ensureData(): void {
    if (this.dataTimer !== null) clearTimeout(this.dataTimer);
    this.dataTimer = window.setTimeout(() => {
      this.dataTimer = null;
      const l = this.loaded;
      if (!l || this.tl.v0 < l[0] || this.tl.v1 > l[1]) void this.reload();
    }, 250);
  }

  /** Every player to wall time ``t`` (a drag seeks at most every 150 ms, and at its end).
   *  ``byPerson`` false: the automatic gap skip, which leaves a pending "next event" be. */
  seek(t: number, final: boolean, byPerson = true): void {
    if (final && byPerson) this.moves();  // an event still looked up no longer moves the playhead
    this.tl.setTime(t);
    const now = performance.now();
    if (!final && now - this.lastSeek < 150) return;
    this.lastSeek = now;
    const l = this.loaded;
    if (l && (t < l[0] || t >= l[1])) {
      // beyond the timelines fetched (a "go to" far away): fetch around t first, or every
      // player would say "no recording" there and playback would stop
      const token = (this.fetchingFor = now);
      void this.reload().then(() => {
        if (this.fetchingFor !== token) return;  // a later seek took over
        this.fetchingFor = null;
        for (const p of this.players) p.seek(t, this.playing);
      });
    } else {
      this.fetchingFor = null;
      for (const p of this.players) p.seek(t, this.playing);
    }
    const when = this.el.querySelector<HTMLInputElement>("#pb-goto");
    if (when && document.activeElement !== when) when.value = localSec(t);
  }

  private setPlaying(on: boolean): void {
    this.playing = on;
    const b = this.el.querySelector<HTMLButtonElement>("#pb-play");
    if (b) b.textContent = tp(on ? "pause" : "play");
    this.el.querySelector(".pb")?.setAttribute("data-playing", on ? "1" : "0");
    for (const p of this.players) p.play(on);
  }

  /** One clock for all: the leader's wall time is the playhead; the others follow it. */
  private step(): void {
    const lead = this.players.find((p) => p.state === "ready" && !p.video.paused && p.wall() !== null);
    if (this.playing && lead) {
      const t = lead.wall()!;
      this.tl.setTime(t);
      for (const p of this.players) {
        if (p === lead) continue;
        const w = p.wall();
        if ((p.state === "ready" && (w === null || Math.abs(w - t) > DRIFT_MS * this.rate)) ||
            (p.state !== "ready" && p.state !== "loading" && p.has(t))) p.seek(t, true);
      }
    } else if (this.playing && this.fetchingFor === null && this.players.length &&
               this.players.every((p) => p.state === "gap")) {
      const next = this.players.flatMap((p) => p.spans.map((s) => Date.parse(s.start)))
        .filter((s) => s > this.tl.t).sort((a, b) => a - b)[0];
      if (next !== undefined) this.seek(next, true, false);  // skip the gap nobody recorded
      else this.setPlaying(false);
    }
    for (const p of this.players) p.tick();
  }

  private async jumpEvent(dir: 1 | -1): Promise<void> {
    const t = this.tl.t;
    const pick = (marks: Mark[]): number | undefined => {
      const ts = marks.map((m) => Date.parse(m.ts))
        .filter((x) => (dir > 0 ? x > t + 2500 : x < t - 500)).sort((a, b) => a - b);
      return dir > 0 ? ts[0] : ts[ts.length - 1];
    };
    let found = pick([...this.data.values()].flatMap((d) => d.marks));
    if (found === undefined) {  // beyond what is loaded: look up to a week that way
      const [a, b] = dir > 0 ? [t, t + WEEK] : [t - WEEK, t];
      const still = this.moves();
      try {
        const more = await Promise.all(this.players.map((p) => timeline(p.camera, a, b)));
        if (!still()) return;  // the person went elsewhere meanwhile
        found = pick(more.flatMap((d) => d.marks));
      } catch (e) {
        if (!still()) return;
        this.note.textContent = errorText(e);
        return;
      }
    }
    if (found === undefined) { this.note.textContent = tp("noEventThere"); return; }
    this.seek(found - 2000, true);
  }

  show(): void {
    if (this.timer === null) this.timer = window.setInterval(() => this.step(), 200);
  }

  hide(): void {
    this.setPlaying(false);
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
