// A live MJPEG stream read with fetch() instead of <img src>: the page sees each frame's
// headers (X-Frame-Time: when the frame was taken) and knows when a stream stalls or ends,
// so a tile can show the time of the newest frame it shows and a stale state. Closing the
// reader aborts the request: the server's frame tap stops encoding for this viewer.
import { ApiError } from "../api";

const enc = new TextEncoder();
const CRLF2 = enc.encode("\r\n\r\n");

function indexOf(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i <= hay.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

export interface Frame { blobUrl: string; frameTime: number; received: number }

export class MjpegReader {
  private ctl = new AbortController();
  private lastUrl: string | null = null;
  stopped = false;

  /** Reads ``url`` until stop(); each complete JPEG goes to ``img`` and to ``onFrame``;
   *  ``onEnd`` when the stream ends (null) or is refused (the server's error), so the
   *  caller can say why and decide whether to retry. */
  constructor(private url: string, private img: HTMLImageElement,
              private onFrame: (f: Frame) => void, private onEnd: (why: ApiError | null) => void) {
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.ctl.abort();
    if (this.lastUrl) URL.revokeObjectURL(this.lastUrl);
    this.lastUrl = null;
  }

  private async run(): Promise<void> {
    try {
      const r = await fetch(this.url, { credentials: "same-origin", signal: this.ctl.signal });
      if (!r.ok || !r.body) {
        let body: Record<string, unknown> = {};
        try { body = await r.json(); } catch { /* not JSON */ }
        this.onEnd(new ApiError(r.status, String(body.error ?? `http_${r.status}`), "", body));
        return;
      }
      const boundary = /boundary=([^;]+)/.exec(r.headers.get("Content-Type") ?? "")?.[1] ?? "kuzetframe";
      const reader = r.body.getReader();
      let buf: Uint8Array = new Uint8Array(0);
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const joined = new Uint8Array(buf.length + value.length);
        joined.set(buf); joined.set(value, buf.length);
        buf = this.parts(joined, boundary);
      }
      if (!this.stopped) this.onEnd(null);
    } catch {
      if (!this.stopped) this.onEnd(new ApiError(0, "network", ""));
    }
  }

  /** Takes every complete part off the front of ``buf``; returns what is left. */
  private parts(buf: Uint8Array, boundary: string): Uint8Array {
    const dashes = enc.encode(`--${boundary}`);
    for (;;) {
      const start = indexOf(buf, dashes);
      if (start < 0) return buf;
      const headEnd = indexOf(buf, CRLF2, start);
      if (headEnd < 0) return buf;
      const head = new TextDecoder().decode(buf.subarray(start + dashes.length, headEnd));
      const len = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? NaN);
      if (!Number.isFinite(len)) return buf.subarray(headEnd + 4);  // malformed: skip the head
      const bodyStart = headEnd + 4;
      if (buf.length < bodyStart + len) return buf;
      const jpeg = buf.slice(bodyStart, bodyStart + len);
      const stamp = /x-frame-time:\s*(\S+)/i.exec(head)?.[1];
      const now = Date.now();
      const parsed = stamp ? Date.parse(stamp) : NaN;
      this.show(jpeg, Number.isFinite(parsed) ? parsed : now, now);
      buf = buf.subarray(bodyStart + len);
    }
  }

  private show(jpeg: Uint8Array, frameTime: number, received: number): void {
    if (this.stopped) return;
    const url = URL.createObjectURL(new Blob([jpeg], { type: "image/jpeg" }));
    const old = this.lastUrl;
    this.lastUrl = url;
    this.img.src = url;
    if (old) URL.revokeObjectURL(old);  // the picture on screen stays until the new one decodes
    this.onFrame({ blobUrl: url, frameTime, received });
  }
}
