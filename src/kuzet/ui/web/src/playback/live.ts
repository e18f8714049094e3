// The camera at its full frame rate: fMP4 over a WebSocket fed to Media Source Extensions
// (docs/recording.md, "Live view at the camera's full frame rate"). The server sends the
// codec, the init segment, then one fragment per frame; the player stays within half a
// second of the newest frame and keeps at most 20 s of video behind it.
const KEEP_S = 20;
const LAG_S = 0.5;

export class LiveVideo {
  private ws: WebSocket;
  private ms = new MediaSource();
  private sb: SourceBuffer | null = null;
  private queue: ArrayBuffer[] = [];
  private url: string;
  private closed = false;
  frames = 0;

  /** ``onEnd(why)``: the stream could not start or ended (``null``: closed by us). */
  constructor(camera: string, private video: HTMLVideoElement,
              private onEnd: (why: string | null) => void) {
    this.url = URL.createObjectURL(this.ms);
    video.src = this.url;
    const proto = location.protocol === "https:" ? "wss" : "ws";
    this.ws = new WebSocket(`${proto}://${location.host}/api/ws/recordings/${encodeURIComponent(camera)}/live`);
    this.ws.binaryType = "arraybuffer";
    const opened = new Promise<void>((ok) => this.ms.addEventListener("sourceopen", () => ok(), { once: true }));
    this.ws.onmessage = (m) => {
      if (typeof m.data === "string") {
        const msg = JSON.parse(m.data) as { type: string; mime?: string; message?: string };
        if (msg.type === "init" && msg.mime) void opened.then(() => this.start(msg.mime!));
        else if (msg.type === "end") this.finish(msg.message ?? "ended");
        return;
      }
      this.queue.push(m.data as ArrayBuffer);
      this.pump();
    };
    this.ws.onclose = (e) => this.finish(e.code === 1000 ? "ended" : `closed ${e.code}`);
  }

  private start(mime: string): void {
    if (this.closed) return;
    try {
      this.sb = this.ms.addSourceBuffer(mime);
    } catch {
      this.finish("codec");
      return;
    }
    this.sb.addEventListener("updateend", () => this.pump());
    void this.video.play().catch(() => undefined);
    this.pump();
  }

  private pump(): void {
    const sb = this.sb;
    if (!sb || sb.updating || this.closed) return;
    const v = this.video, b = v.buffered;
    if (b.length) {
      const end = b.end(b.length - 1);
      if (end - v.currentTime > LAG_S * 2) v.currentTime = end - LAG_S / 2;  // fell behind: catch up
      if (v.currentTime - b.start(0) > KEEP_S * 1.5) { sb.remove(b.start(0), v.currentTime - KEEP_S); return; }
    }
    const next = this.queue.shift();
    if (!next) return;
    try {
      sb.appendBuffer(next);
      this.frames += 1;
      this.video.dataset.frames = String(this.frames);
    } catch {
      this.finish("append");
    }
  }

  private finish(why: string): void {
    if (this.closed) return;
    this.close();
    this.onEnd(why);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.onclose = null;
    if (this.ws.readyState <= 1) this.ws.close();
    this.video.pause();
    this.video.removeAttribute("src");
    this.video.load();
    URL.revokeObjectURL(this.url);
  }
}
