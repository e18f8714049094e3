// An area drawn on the city map: each click adds a corner; the search then covers the
// cameras placed inside it (the server decides, within the person's scope). The map is
// made on first use, with the site's basemap and the cameras as dots.
import L from "leaflet";
import type { CameraPin, Settings } from "../api";
import { h } from "../admin/dom";
import { tf } from "../i18n/forensic";
import { addBasemap } from "../ops/map/basemap";

export class AreaPicker {
  readonly el = h("details", { class: "fx-area", id: "fx-area" });
  private box = h("div", { class: "fx-map", id: "fx-map" });
  private count = h("span", { class: "meta", id: "fx-area-n" });
  private map: L.Map | null = null;
  private shape: L.Polygon | null = null;
  private pts: L.LatLng[] = [];

  constructor(private settings: () => Settings, private cams: () => CameraPin[]) {
    this.el.addEventListener("toggle", () => { if (this.el.open) this.ensure(); });
  }

  render(): void {
    const clear = h("button", { type: "button", id: "fx-area-clear" }, tf("clear"));
    clear.onclick = () => { this.pts = []; this.draw(); };
    this.el.replaceChildren(h("summary", {}, tf("area"), " ", this.count),
      h("p", { class: "meta" }, tf("areaHint"), " ", clear), this.box);
    this.draw();
    if (this.map) setTimeout(() => this.map?.invalidateSize(), 0);
  }

  private ensure(): void {
    if (this.map) { this.map.invalidateSize(); return; }
    const map = L.map(this.box, { attributionControl: false, minZoom: 9, maxZoom: 18 }).setView([43.245, 76.92], 11);
    addBasemap(map, this.settings().basemap);
    for (const c of this.cams()) {
      if (c.lat == null || c.lon == null) continue;
      L.circleMarker([c.lat, c.lon], { radius: 4, color: "#8ab4ff", weight: 1, fillOpacity: 0.8,
        interactive: false }).addTo(map);
    }
    map.on("click", (e: L.LeafletMouseEvent) => { this.pts.push(e.latlng); this.draw(); });
    this.map = map;
    this.draw();
    (window as unknown as { kuzetArea: unknown }).kuzetArea = {  // where to click, for tests
      point: (lat: number, lon: number) => { const p = map.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; },
    };
  }

  private draw(): void {
    this.count.textContent = this.pts.length ? tf("areaPoints", { n: this.pts.length }) : "";
    this.el.dataset.points = String(this.pts.length);
    if (!this.map) return;
    this.shape?.remove();
    this.shape = this.pts.length ? L.polygon(this.pts, { color: "#f5a524", weight: 2 }).addTo(this.map) : null;
  }

  /** ``lat,lon;lat,lon;...`` for the query (three corners at least), else undefined. */
  value(): string | undefined {
    if (this.pts.length < 3) return undefined;
    return this.pts.map((p) => `${p.lat.toFixed(6)},${p.lng.toFixed(6)}`).join(";");
  }
}
