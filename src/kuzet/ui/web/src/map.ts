// The city map: Leaflet with NO tile layer, a bundled schematic outline, cameras drawn on
// one canvas and clustered on a screen grid (cheap for thousands of pins), and open
// incidents on top.
import L from "leaflet";
import type { CameraPin, Incident } from "./api";

const STATUS_COLOUR: Record<string, string> = {
  online: "#3fbf5f", starting: "#8fd18f", reconnecting: "#f5a524", failed: "#e5484d",
  stopped: "#777", finished: "#9aa", unknown: "#6c8ebf",
};
const PRIORITY_COLOUR = ["", "#ff3b3b", "#ffae00", "#8ab4ff"];
const CELL_PX = 48;

export class CityMap {
  readonly map: L.Map;
  private renderer = L.canvas({ padding: 0.2 });
  private camLayer = L.layerGroup();
  private incLayer = L.layerGroup();
  private incMarkers = new Map<string, L.CircleMarker>();
  private cams: CameraPin[] = [];
  private redrawQueued = false;

  constructor(private el: HTMLElement, private onCamera: (c: CameraPin) => void,
              private onIncident: (id: string) => void) {
    this.map = L.map(el, { preferCanvas: true, zoomControl: true, attributionControl: false,
                           minZoom: 9, maxZoom: 18 }).setView([43.245, 76.92], 12);
    this.camLayer.addTo(this.map);
    this.incLayer.addTo(this.map);
    this.map.on("zoomend moveend", () => this.queueRedraw());
    void this.loadOutline();
  }

  private async loadOutline(): Promise<void> {
    const r = await fetch("/ui/almaty.geojson");
    const geo = await r.json();
    L.geoJSON(geo, {
      style: (f) => f?.properties.kind === "district"
        ? { color: "#35557d", weight: 1, fillColor: "#15263a", fillOpacity: 0.6 }
        : { color: "#5d7696", weight: 2, opacity: 0.8 },
      onEachFeature: (f, layer) => layer.bindTooltip(f.properties.name, { sticky: true }),
    }).addTo(this.map).bringToBack();
    // A coordinate grid every 0.02 degrees, so positions read without any tiles.
    for (let lat = 43.14; lat <= 43.4; lat += 0.02)
      L.polyline([[lat, 76.7], [lat, 77.08]], { color: "#1b2736", weight: 1, interactive: false,
                  renderer: this.renderer }).addTo(this.map);
    for (let lon = 76.7; lon <= 77.08; lon += 0.02)
      L.polyline([[43.14, lon], [43.4, lon]], { color: "#1b2736", weight: 1, interactive: false,
                  renderer: this.renderer }).addTo(this.map);
  }

  setCameras(cams: CameraPin[]): void {
    this.cams = cams.filter((c) => c.lat !== null && c.lon !== null);
    this.queueRedraw();
  }

  private queueRedraw(): void {
    if (this.redrawQueued) return;
    this.redrawQueued = true;
    requestAnimationFrame(() => { this.redrawQueued = false; this.drawCameras(); });
  }

  /** Grid clustering in screen space: one marker per occupied cell, sized by count and
   *  coloured by the worst status in it. Only the visible area is drawn. */
  private drawCameras(): void {
    this.camLayer.clearLayers();
    const bounds = this.map.getBounds().pad(0.1);
    const cells = new Map<string, { n: number; lat: number; lon: number; worst: string;
                                    one: CameraPin }>();
    const single = this.map.getZoom() >= 16;
    for (const c of this.cams) {
      if (!bounds.contains([c.lat!, c.lon!])) continue;
      const p = this.map.latLngToContainerPoint([c.lat!, c.lon!]);
      const key = single ? c.id : `${Math.floor(p.x / CELL_PX)}:${Math.floor(p.y / CELL_PX)}`;
      const cell = cells.get(key);
      if (!cell) { cells.set(key, { n: 1, lat: c.lat!, lon: c.lon!, worst: c.status, one: c }); continue; }
      cell.n++; cell.lat += (c.lat! - cell.lat) / cell.n; cell.lon += (c.lon! - cell.lon) / cell.n;
      if (c.status === "failed" || (c.status === "reconnecting" && cell.worst !== "failed"))
        cell.worst = c.status;
    }
    for (const cell of cells.values()) {
      const colour = STATUS_COLOUR[cell.worst] ?? STATUS_COLOUR.unknown;
      const m = L.circleMarker([cell.lat, cell.lon], {
        renderer: this.renderer, radius: cell.n === 1 ? 6 : Math.min(22, 8 + Math.log2(cell.n) * 2.5),
        color: "#0b1118", weight: 1, fillColor: colour, fillOpacity: 0.9,
      });
      if (cell.n === 1) {
        m.bindTooltip(cell.one.name ?? cell.one.id);
        m.on("click", () => this.onCamera(cell.one));
      } else {
        m.bindTooltip(String(cell.n), { permanent: cell.n > 1, direction: "center",
                                        className: "cluster-label" });
        m.on("click", () => this.map.setView([cell.lat, cell.lon], this.map.getZoom() + 2));
      }
      this.camLayer.addLayer(m);
    }
  }

  /** Open incidents as larger rings; closed ones leave the map. */
  upsertIncident(inc: Incident, shown: boolean): void {
    const old = this.incMarkers.get(inc.id);
    const open = shown && !["resolved", "false_alarm"].includes(inc.state);
    if (!open || inc.latitude === null || inc.longitude === null) {
      if (old) { this.incLayer.removeLayer(old); this.incMarkers.delete(inc.id); }
      this.el.dataset.incidents = String(this.incMarkers.size);
      return;
    }
    const style = { radius: inc.priority === 1 ? 11 : 9, color: PRIORITY_COLOUR[inc.priority],
                    weight: 3, fillOpacity: 0.25, fillColor: PRIORITY_COLOUR[inc.priority] };
    if (old) { old.setStyle(style); return; }
    const m = L.circleMarker([inc.latitude, inc.longitude], { renderer: this.renderer, ...style });
    m.on("click", () => this.onIncident(inc.id));
    (m as unknown as { incidentId: string }).incidentId = inc.id;
    this.incMarkers.set(inc.id, m);
    this.incLayer.addLayer(m);
    this.el.dataset.incidents = String(this.incMarkers.size);
  }

  hasIncident(id: string): boolean { return this.incMarkers.has(id); }
  incidentCount(): number { return this.incMarkers.size; }
  focus(lat: number, lon: number): void { this.map.setView([lat, lon], Math.max(this.map.getZoom(), 14)); }
}
