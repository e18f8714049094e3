// Cameras and open incidents drawn on two canvases of our own, above the basemap. Neither
// canvas takes pointer events: the map's own click and mouse-move are hit-tested here
// against what was drawn (incident rings first, then cameras), so no layer can swallow a
// click meant for a camera. Cameras are clustered on a 48-px screen grid while zoomed out;
// single cameras show status colour, a view-direction wedge and, close in, their name.
import L from "leaflet";
import type { CameraPin, Incident } from "../../api";

export const STATUS_COLOUR: Record<string, string> = {
  online: "#3fbf5f", starting: "#8fd18f", reconnecting: "#f5a524", failed: "#e5484d",
  stopped: "#777", finished: "#9aa", unknown: "#6c8ebf",
};
const PRIORITY_COLOUR = ["", "#ff3b3b", "#ffae00", "#8ab4ff"];
const CELL_PX = 48;
const SINGLE_ZOOM = 15;   // from here on every camera is drawn on its own
const NAME_ZOOM = 16;     // and from here with its name
const WORST = ["failed", "reconnecting", "unknown", "stopped", "finished", "starting", "online"];

export type Hit = { kind: "camera"; cam: CameraPin } | { kind: "cluster"; lat: number; lon: number; n: number }
  | { kind: "incident"; inc: Incident };
interface Drawn { x: number; y: number; r: number; hit: Hit }

export class CameraLayer extends L.Layer {
  private camCanvas = document.createElement("canvas");
  private incCanvas = document.createElement("canvas");
  private cams: CameraPin[] = [];
  private incs = new Map<string, Incident>();
  private drawnCams: Drawn[] = [];
  private drawnIncs: Drawn[] = [];
  private queued = { cams: false, incs: false };
  private lmap: L.Map | null = null;
  selectedCamera: string | null = null;

  onAdd(map: L.Map): this {
    this.lmap = map;
    const pane = map.getPane("kuzet-cams") ?? map.createPane("kuzet-cams");
    pane.style.zIndex = "450";
    pane.style.pointerEvents = "none";
    for (const c of [this.camCanvas, this.incCanvas]) {
      c.className = "kuzet-canvas";
      pane.appendChild(c);
    }
    map.on("moveend zoomend resize viewreset", this.redrawAll, this);
    map.on("zoomstart", this.hideDuringZoom, this);
    this.redrawAll();
    return this;
  }

  onRemove(map: L.Map): this {
    map.off("moveend zoomend resize viewreset", this.redrawAll, this);
    map.off("zoomstart", this.hideDuringZoom, this);
    this.camCanvas.remove();
    this.incCanvas.remove();
    this.lmap = null;
    return this;
  }

  setCameras(cams: CameraPin[]): void {
    this.cams = cams.filter((c) => c.lat !== null && c.lon !== null);
    this.schedule("cams");
  }

  setIncident(inc: Incident, shown: boolean): void {
    if (shown && inc.latitude !== null && inc.longitude !== null) this.incs.set(inc.id, inc);
    else this.incs.delete(inc.id);
    this.schedule("incs");
  }

  incidentCount(): number { return this.incs.size; }

  /** Where a camera is drawn on its own, in page pixels (null when clustered or off-screen). */
  pointOf(id: string): { x: number; y: number } | null {
    const d = this.drawnCams.find((x) => x.hit.kind === "camera" && x.hit.cam.id === id);
    if (!d || !this.lmap) return null;
    const box = this.lmap.getContainer().getBoundingClientRect();
    return { x: box.left + d.x, y: box.top + d.y };
  }

  /** The clusters drawn now, in page pixels, with their camera counts. */
  clusterPoints(): { x: number; y: number; n: number }[] {
    if (!this.lmap) return [];
    const box = this.lmap.getContainer().getBoundingClientRect();
    return this.drawnCams.flatMap((d) => d.hit.kind === "cluster"
      ? [{ x: box.left + d.x, y: box.top + d.y, n: d.hit.n }] : []);
  }

  /** What is under a container point (map pixels). */
  hitAt(p: L.Point): Hit | null {
    const near = (list: Drawn[], slack: number): Drawn | null => {
      let best: Drawn | null = null, bestD = Infinity;
      for (const d of list) {
        const dist = Math.hypot(d.x - p.x, d.y - p.y);
        if (dist <= d.r + slack && dist < bestD) { best = d; bestD = dist; }
      }
      return best;
    };
    // A camera's icon wins over the incident ring drawn around it; then rings, then clusters.
    const cam = near(this.drawnCams.filter((d) => d.hit.kind === "camera"), 2);
    return (cam ?? near(this.drawnIncs, 2) ?? near(this.drawnCams, 4))?.hit ?? null;
  }

  private hideDuringZoom(): void {
    this.camCanvas.style.visibility = this.incCanvas.style.visibility = "hidden";
  }

  private redrawAll(): void { this.schedule("cams"); this.schedule("incs"); }

  private schedule(what: "cams" | "incs"): void {
    if (this.queued[what]) return;
    this.queued[what] = true;
    const run = () => requestAnimationFrame(() => {
      this.queued[what] = false;
      if (!this.lmap) return;
      if (what === "cams") this.drawCameras(); else this.drawIncidents();
    });
    // A flood of incidents (hundreds a second) redraws the rings ten times a second, not
    // sixty: the queue shows each at once, the map catches up within 100 ms.
    if (what === "incs" && this.incs.size > 200) setTimeout(run, 100); else run();
  }

  /** Sizes a canvas to the map and pins it to the map's top-left corner. */
  private prepare(c: HTMLCanvasElement): CanvasRenderingContext2D {
    const map = this.lmap!;
    const size = map.getSize(), dpr = window.devicePixelRatio || 1;
    if (c.width !== size.x * dpr || c.height !== size.y * dpr) {
      c.width = size.x * dpr; c.height = size.y * dpr;
      c.style.width = `${size.x}px`; c.style.height = `${size.y}px`;
    }
    L.DomUtil.setPosition(c, map.containerPointToLayerPoint([0, 0]));
    c.style.visibility = "visible";
    const ctx = c.getContext("2d")!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, size.x, size.y);
    return ctx;
  }

  private drawCameras(): void {
    const map = this.lmap!, ctx = this.prepare(this.camCanvas);
    const size = map.getSize(), zoom = map.getZoom();
    const single = zoom >= SINGLE_ZOOM;
    const cells = new Map<string, { n: number; x: number; y: number; lat: number; lon: number;
                                    worst: string; one: CameraPin }>();
    for (const c of this.cams) {
      const p = map.latLngToContainerPoint([c.lat!, c.lon!]);
      if (p.x < -40 || p.y < -40 || p.x > size.x + 40 || p.y > size.y + 40) continue;
      const key = single ? c.id : `${Math.floor(p.x / CELL_PX)}:${Math.floor(p.y / CELL_PX)}`;
      const cell = cells.get(key);
      if (!cell) { cells.set(key, { n: 1, x: p.x, y: p.y, lat: c.lat!, lon: c.lon!, worst: c.status, one: c }); continue; }
      cell.n++;
      cell.x += (p.x - cell.x) / cell.n; cell.y += (p.y - cell.y) / cell.n;
      cell.lat += (c.lat! - cell.lat) / cell.n; cell.lon += (c.lon! - cell.lon) / cell.n;
      if (WORST.indexOf(c.status) < WORST.indexOf(cell.worst)) cell.worst = c.status;
    }
    const drawn: Drawn[] = [];
    const named = zoom >= NAME_ZOOM || cells.size <= 60;
    for (const cell of cells.values()) {
      if (cell.n === 1) {
        drawn.push({ x: cell.x, y: cell.y, r: 7, hit: { kind: "camera", cam: cell.one } });
        this.drawCamera(ctx, cell.x, cell.y, cell.one, named);
      } else {
        const r = Math.min(22, 9 + Math.log2(cell.n) * 2.5);
        drawn.push({ x: cell.x, y: cell.y, r, hit: { kind: "cluster", lat: cell.lat, lon: cell.lon, n: cell.n } });
        ctx.beginPath();
        ctx.arc(cell.x, cell.y, r, 0, 2 * Math.PI);
        ctx.fillStyle = STATUS_COLOUR[cell.worst] ?? STATUS_COLOUR.unknown;
        ctx.globalAlpha = 0.85; ctx.fill(); ctx.globalAlpha = 1;
        ctx.lineWidth = 1.5; ctx.strokeStyle = "#0b1118"; ctx.stroke();
        ctx.fillStyle = "#fff"; ctx.font = "bold 11px system-ui, sans-serif";
        ctx.textAlign = "center"; ctx.textBaseline = "middle";
        ctx.fillText(String(cell.n), cell.x, cell.y);
      }
    }
    this.drawnCams = drawn;
    map.getContainer().dataset.cameras = String(drawn.length);
  }

  private drawCamera(ctx: CanvasRenderingContext2D, x: number, y: number, c: CameraPin,
                     named: boolean): void {
    const colour = STATUS_COLOUR[c.status] ?? STATUS_COLOUR.unknown;
    if (c.direction_deg != null) {  // what the camera looks at: a wedge of its field of view
      const half = ((c.fov_deg ?? 60) / 2) * (Math.PI / 180);
      const a = ((c.direction_deg - 90) * Math.PI) / 180;
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.arc(x, y, 26, a - half, a + half);
      ctx.closePath();
      ctx.fillStyle = colour; ctx.globalAlpha = 0.28; ctx.fill(); ctx.globalAlpha = 1;
    }
    if (this.selectedCamera === c.id) {
      ctx.beginPath(); ctx.arc(x, y, 11, 0, 2 * Math.PI);
      ctx.lineWidth = 2; ctx.strokeStyle = "#fff"; ctx.stroke();
    }
    ctx.beginPath();
    ctx.arc(x, y, 6.5, 0, 2 * Math.PI);
    ctx.fillStyle = colour; ctx.fill();
    ctx.lineWidth = 1.5; ctx.strokeStyle = "#0b1118"; ctx.stroke();
    ctx.beginPath(); ctx.arc(x, y, 2.2, 0, 2 * Math.PI);  // the lens
    ctx.fillStyle = "#0b1118"; ctx.fill();
    if (c.status === "failed" || c.status === "unknown") {  // not only colour: a slash
      ctx.beginPath(); ctx.moveTo(x - 6, y + 6); ctx.lineTo(x + 6, y - 6);
      ctx.lineWidth = 2; ctx.strokeStyle = "#0b1118"; ctx.stroke();
    }
    if (named) {
      ctx.font = "12px system-ui, sans-serif"; ctx.textAlign = "left"; ctx.textBaseline = "middle";
      ctx.lineWidth = 3; ctx.strokeStyle = "#0b1118";
      const label = c.name ?? c.id;
      ctx.strokeText(label, x + 10, y); ctx.fillStyle = "#e5edf5"; ctx.fillText(label, x + 10, y);
    }
  }

  private drawIncidents(): void {
    const map = this.lmap!, ctx = this.prepare(this.incCanvas);
    const size = map.getSize();
    const drawn: Drawn[] = [];
    // One path per look (priority x new or not), low priorities first so high ones are on top.
    const paths = new Map<string, Path2D>();
    for (const inc of this.incs.values()) {
      const p = map.latLngToContainerPoint([inc.latitude!, inc.longitude!]);
      if (p.x < -20 || p.y < -20 || p.x > size.x + 20 || p.y > size.y + 20) continue;
      const r = inc.priority === 1 ? 12 : 10;
      const look = `${9 - inc.priority}:${inc.state === "new" ? 1 : 0}`;
      let path = paths.get(look);
      if (!path) paths.set(look, (path = new Path2D()));
      path.moveTo(p.x + r, p.y);
      path.arc(p.x, p.y, r, 0, 2 * Math.PI);
      drawn.push({ x: p.x, y: p.y, r: r + 2, hit: { kind: "incident", inc } });
    }
    for (const look of [...paths.keys()].sort()) {
      const [rank, fresh] = look.split(":");
      ctx.lineWidth = fresh === "1" ? 4 : 2.5;
      ctx.strokeStyle = PRIORITY_COLOUR[9 - Number(rank)] ?? "#fff";
      ctx.stroke(paths.get(look)!);
    }
    // hit-testing prefers the higher priority where rings overlap
    this.drawnIncs = drawn.sort((a, b) => (a.hit.kind === "incident" && b.hit.kind === "incident"
      ? a.hit.inc.priority - b.hit.inc.priority : 0));
    map.getContainer().dataset.incidents = String(this.incs.size);
  }
}
