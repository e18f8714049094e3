// How other screens open a recording: the incident card, the camera card (map), an event
// of the search, a hit of the forensic search. The request waits for the recordings screen
// to be mounted (its first visit), then puts the cameras at that instant.
import { showScreen } from "../shell";

export interface IncidentRef { id: string; type: string; camera: string; ts: number }
export interface PlaybackRequest { cameras: string[]; at: number; incident?: IncidentRef }

let handler: ((r: PlaybackRequest) => void) | null = null;
let queued: PlaybackRequest | null = null;

export function openPlayback(r: PlaybackRequest): void {
  queued = r;
  void showScreen("playback").then(flush);
}

/** The recordings screen takes the requests (and the one waiting for it). */
export function onPlayback(h: (r: PlaybackRequest) => void): void {
  handler = h;
  flush();
}

function flush(): void {
  if (!handler || !queued) return;
  const r = queued;
  queued = null;
  handler(r);
}
