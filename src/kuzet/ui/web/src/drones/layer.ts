// Drones on the operations map: each drone's path (GET /api/drones/{id}/track, a GeoJSON
// LineString) as a line and its last known position as a marker with its name. Polled
// while the page is open; a site without drones answers 503 once and the layer stops
// asking. Nothing here takes pointer events, so the cameras under a path stay clickable.
import L from "leaflet";
import { api, ApiError } from "../api";

export interface DroneSummary {
  id: string; name: string; flight: string; points: number;
  last: { t: number; lat: number; lon: number; alt_m: number } | null;
}
interface Track {
  type: "Feature";
  geometry: { type: "LineString"; coordinates: [number, number, number][] };
  properties: { drone_id: string; name: string; flight: string; times: number[] };
}

const COLOUR = "#00b3ff";
const POLL_MS = 5000;

export class DroneLayer extends L.LayerGroup {
  private lines = new Map<string, L.Polyline>();
  private marks = new Map<string, L.CircleMarker>();
  private timer: number | null = null;
  private stopped = false;
  drones: DroneSummary[] = [];

  onAdd(map: L.Map): this {
    super.onAdd(map);
    void this.refresh();
    this.timer = window.setInterval(() => void this.refresh(), POLL_MS);
    return this;
  }

  onRemove(map: L.Map): this {
    if (this.timer !== null) window.clearInterval(this.timer);
    this.timer = null;
    return super.onRemove(map);
  }

  async refresh(): Promise<void> {
    if (this.stopped) return;
    let list: DroneSummary[];
    try {
      list = await api<DroneSummary[]>("/api/drones");
    } catch (e) {
      // 503: no drones flown here; 403: not allowed to see cameras. Either way: stop.
      if (e instanceof ApiError && (e.status === 503 || e.status === 403)) this.stop();
      return;
    }
    this.drones = list;
    const seen = new Set<string>();
    for (const d of list) {
      seen.add(d.id);
      let track: Track;
      try {
        track = await api<Track>(`/api/drones/${encodeURIComponent(d.id)}/track`);
      } catch { continue; }
      this.draw(d, track);
    }
    for (const id of [...this.lines.keys()]) if (!seen.has(id)) this.forget(id);
  }

  /** Page pixels of a drone's marker (for browser tests: hover where a person would). */
  pointOf(id: string): { x: number; y: number } | null {
    const m = this.marks.get(id);
    const map = (this as unknown as { _map?: L.Map })._map;
    if (!m || !map) return null;
    const p = map.latLngToContainerPoint(m.getLatLng());
    const box = map.getContainer().getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  }

  pathLength(id: string): number { return this.lines.get(id)?.getLatLngs().length ?? 0; }

  private draw(d: DroneSummary, track: Track): void {
    const pts = track.geometry.coordinates.map(([lon, lat]) => L.latLng(lat, lon));
    let line = this.lines.get(d.id);
    if (!line) {
      line = L.polyline(pts, { color: COLOUR, weight: 3, opacity: 0.85, dashArray: "6 4", interactive: false });
      this.lines.set(d.id, line);
      this.addLayer(line);
    } else line.setLatLngs(pts);
    const last = pts[pts.length - 1];
    if (!last) return;
    let mark = this.marks.get(d.id);
    const label = `${d.name || d.id}${d.last ? ` · ${Math.round(d.last.alt_m)} m` : ""}`;
    if (!mark) {
      mark = L.circleMarker(last, { radius: 7, color: "#fff", weight: 2, fillColor: COLOUR, fillOpacity: 1, interactive: false });
      mark.bindTooltip(label, { permanent: true, direction: "right", className: "drone-label" });
      this.marks.set(d.id, mark);
      this.addLayer(mark);
    } else {
      mark.setLatLng(last);
      mark.setTooltipContent(label);
    }
  }

  private forget(id: string): void {
    const line = this.lines.get(id);
    const mark = this.marks.get(id);
    if (line) this.removeLayer(line);
    if (mark) this.removeLayer(mark);
    this.lines.delete(id);
    this.marks.delete(id);
  }

  private stop(): void {
    this.stopped = true;
    if (this.timer !== null) window.clearInterval(this.timer);
    this.timer = null;
  }
}
