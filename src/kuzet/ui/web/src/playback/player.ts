// One camera's recorded video: a <video> fed by hls.js from the server's fMP4 playlist of
// a window around the wanted instant. The playlist carries each segment's wall-clock start
// (EXT-X-PROGRAM-DATE-TIME), so the player maps wall time <-> media time itself, across
// the recording's gaps (segments are simply concatenated: the wall clock jumps there).
import Hls from "hls.js/light";
import { h } from "../admin/dom";
import { fmtDateTime, fmtTime } from "../i18n/core";
import { tp } from "../i18n/playback";
import { playlistUrl, type Span } from "./api";

const BEFORE = 60_000;         // a window starts a minute before the wanted instant
const WINDOWS = [20 * 60_000, 60_000];  // then 20 min after it (a site's playback_max_s may be 60 s)

// Without biometric clearance a segment is blurred on its first request (~the playing
// time of the segment on a small server, docs/recording.md): wait for its first byte.
const SLOW_FIRST_BYTE = {
  maxTimeToFirstByteMs: 30_000, maxLoadTimeMs: 120_000,
  timeoutRetry: { maxNumRetry: 4, retryDelayMs: 0, maxRetryDelayMs: 0 },
  errorRetry: { maxNumRetry: 6, retryDelayMs: 1000, maxRetryDelayMs: 8000 },
};

export type State = "idle" | "loading" | "ready" | "gap" | "error";

export class CamPlayer {
  readonly el: HTMLElement;
  readonly video = h("video", { muted: true, playsinline: true, preload: "auto" });
  spans: Span[] = [];
  private hls: Hls | null = null;
  private win: [number, number] | null = null;
  private pending: number | null = null;
  private size = 0;                   // index into WINDOWS
  private wantPlay = false;
  private note = h("p", { class: "meta pb-note" });
  private clock = h("span", { class: "pb-clock" });

  constructor(readonly camera: string, name: string, onRemove: () => void,
              private jump: (t: number) => void) {
    this.video.muted = true;
    const x = h("button", { class: "pb-x", title: tp("remove") }, "×");
    x.onclick = onRemove;
    this.el = h("figure", { class: "pb-player", "data-camera": camera, "data-state": "idle" },
      this.video, h("figcaption", {}, h("b", {}, name), this.clock, x), this.note);
    this.video.addEventListener("ended", () => {
      const w = this.wall();
      if (this.win && w !== null) this.load(this.win[1] - 1, this.wantPlay);
    });
  }

  get state(): State { return this.el.dataset.state as State; }
  private set(s: State): void { this.el.dataset.state = s; }

  /** Whether the timeline says this camera recorded instant ``t``. */
  has(t: number): boolean {
    return this.spans.some((s) => Date.parse(s.start) <= t && t < Date.parse(s.end));
  }

  /** Shows wall time ``t``: a seek inside the loaded playlist, else a new window. */
  seek(t: number, play: boolean): void {
    this.wantPlay = play;
    if (!this.has(t)) { this.gap(t); return; }
    const ct = this.toMedia(t);
    if (ct !== null && this.state === "ready") {
      if (Math.abs(this.video.currentTime - ct) > 0.05) this.video.currentTime = ct;
      if (play) void this.video.play().catch(() => undefined);
      return;
    }
    this.load(t, play);
  }

  /** The wall time on screen (null: nothing loaded). */
  wall(): number | null {
    const d = this.hls?.latestLevelDetails;
    if (!d || this.state !== "ready") return null;
    const ct = this.video.currentTime;
    for (const f of d.fragments) {
      if (f.programDateTime != null && ct >= f.start - 0.001 && ct < f.start + f.duration)
        return f.programDateTime + (ct - f.start) * 1000;
    }
    return null;
  }

  /** The media time of wall time ``t`` in the loaded playlist (null: not in it). */
  private toMedia(t: number): number | null {
    const d = this.hls?.latestLevelDetails;
    if (!d || !this.win || t < this.win[0] || t >= this.win[1]) return null;
    for (const f of d.fragments) {
      const p = f.programDateTime;
      if (p != null && p <= t && t < p + f.duration * 1000) return f.start + (t - p) / 1000;
    }
    return null;
  }

  private load(t: number, play: boolean): void {
    this.wantPlay = play;
    this.hls?.destroy();
    const a = t - BEFORE, b = t + WINDOWS[this.size];
    this.win = [a, b];
    this.pending = t;
    this.set("loading");
    this.note.textContent = tp("loading");
    // no worker: the page's CSP allows scripts from the server only (no blob: workers)
    const hls = new Hls({ enableWorker: false, maxBufferLength: 30, backBufferLength: 60,
      fragLoadPolicy: { default: SLOW_FIRST_BYTE } });
    this.hls = hls;
    hls.on(Hls.Events.LEVEL_LOADED, () => {
      if (this.hls !== hls || this.pending === null) return;
      const want = this.pending;
      this.pending = null;
      this.set("ready");
      this.note.textContent = "";
      const ct = this.toMedia(want);
      if (ct !== null) this.video.currentTime = ct;
      this.video.playbackRate = this.video.defaultPlaybackRate;  // attaching the source reset it
      if (this.wantPlay) void this.video.play().catch(() => undefined);
    });
    hls.on(Hls.Events.ERROR, (_e, d) => {
      if (this.hls !== hls || !d.fatal) return;
      if (d.response?.code === 422 && this.size < WINDOWS.length - 1) {
        this.size += 1;  // the site plays shorter windows: ask again
        this.load(t, play);
        return;
      }
      this.set("error");
      this.note.textContent = tp("playbackFailed");
    });
    hls.loadSource(playlistUrl(this.camera, a, b));
    hls.attachMedia(this.video);
  }

  /** No recording at ``t``: say so, and offer the nearest recording either side. */
  private gap(t: number): void {
    this.stop();
    this.set("gap");
    const earlier = this.spans.filter((s) => Date.parse(s.end) <= t);
    const before = earlier[earlier.length - 1];
    const after = this.spans.find((s) => Date.parse(s.start) > t);
    const go = (label: string, at: number) => {
      const b = h("button", { class: "link" }, label);
      b.onclick = () => this.jump(at);
      return b;
    };
    this.note.replaceChildren(tp("noRecording", { time: fmtTime(t) }),
      before ? go(tp("nearestBefore", { time: fmtDateTime(before.end) }), Date.parse(before.end) - 5000) : "",
      after ? go(tp("nearestAfter", { time: fmtDateTime(after.start) }), Date.parse(after.start)) : "");
  }

  /** The clock under the picture and the data the tests read. */
  tick(): void {
    const w = this.wall();
    this.clock.textContent = w === null ? "" : fmtTime(w);
    if (w === null) delete this.el.dataset.wall;
    else this.el.dataset.wall = new Date(w).toISOString();
  }

  /** The speed, kept across loads: a media element's load() (a new window, a gap) resets
   * playbackRate to defaultPlaybackRate, so both are set. */
  setRate(rate: number): void {
    this.video.defaultPlaybackRate = rate;
    this.video.playbackRate = rate;
  }

  play(on: boolean): void {
    this.wantPlay = on;
    if (this.state !== "ready") return;
    if (on) void this.video.play().catch(() => undefined);
    else this.video.pause();
  }

  stop(): void {
    this.hls?.destroy();
    this.hls = null;
    this.win = null;
    this.video.removeAttribute("src");
    this.video.load();
  }

  destroy(): void { this.stop(); this.el.remove(); }
}
