// What the camera card offers from recorded video: "Recording" (the camera's timeline,
// the last minutes) and, for roles that may see unblurred video, "Live (full rate)": the
// camera's own frame rate over the WebSocket in place of the analysed MJPEG view (which
// is a few frames a second, with boxes, and faces blurred for everyone else).
import { can } from "../api";
import { h } from "../admin/dom";
import { tp } from "../i18n/playback";
import { signedIn } from "../shell";
import { LiveVideo } from "./live";
import { openPlayback } from "./open";

export interface Frames { stop(): void; start(): void }

/** Adds the buttons to a camera card; returns what closes them (the card is closing). */
export function cameraExtras(camera: string, actions: HTMLElement, figure: HTMLElement,
                             frames: Frames): () => void {
  const me = signedIn();
  if (!me) return () => undefined;
  if (can(me, "recordings.read")) {
    const rec = h("button", { id: "d-recording" }, tp("openRecording"));
    rec.onclick = () => openPlayback({ cameras: [camera], at: Date.now() - 120_000 });
    actions.append(rec);
  }
  const clear = me.clearances ?? [];
  if (!can(me, "snapshots.read") || !clear.includes("video") || !clear.includes("biometrics"))
    return () => undefined;
  const img = figure.querySelector("img")!;
  const cap = figure.querySelector<HTMLElement>("figcaption")!;
  const video = h("video", { id: "d-live-video", class: "snap", muted: true, playsinline: true, hidden: true });
  video.muted = true;
  figure.insertBefore(video, cap);
  const btn = h("button", { id: "d-live-full", "data-on": "0" }, tp("liveFull"));
  let live: LiveVideo | null = null;
  const analysed = (why: string | null) => {
    live?.close();
    live = null;
    video.hidden = true;
    img.hidden = false;
    btn.dataset.on = "0";
    btn.textContent = tp("liveFull");
    frames.start();
    const say = actions.parentElement?.querySelector("#d-error");
    if (why !== null && say) say.textContent = tp(why === "ended" ? "liveEnded" : "liveFailed");
  };
  btn.onclick = () => {
    if (live) { analysed(null); return; }
    frames.stop();
    img.hidden = true;
    video.hidden = false;
    btn.dataset.on = "1";
    btn.textContent = tp("liveAnalysed");
    cap.textContent = tp("liveFull");
    live = new LiveVideo(camera, video, (why) => analysed(why));
  };
  actions.append(btn);
  return () => { live?.close(); live = null; };
}
