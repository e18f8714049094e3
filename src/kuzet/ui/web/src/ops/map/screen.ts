// The map screen: the camera list on the left, the city map on the right. A click on a
// camera (map or list) opens its card; a click on an incident ring opens the incident; a
// click on a cluster zooms into it. Hovering shows the camera's name and state.
import L from "leaflet";
import type { CameraPin } from "../../api";
import { onLangChange, t } from "../../i18n/core";
import { statusName, typeName } from "../../i18n/terms";
import { DroneLayer } from "../../drones/layer";
import { addBasemap } from "./basemap";
import { CameraList } from "./camlist";
import { CameraLayer, type Hit } from "./layer";
import { cameraShown, incidentShown, isOpen, ops } from "../state";

export class MapScreen {
  readonly map: L.Map;
  private layer = new CameraLayer();
  private list: CameraList;
  private tip: HTMLElement;

  constructor(pane: HTMLElement) {
    pane.innerHTML = `<div class="map-wrap"><aside class="camlist"></aside>
      <div class="map-box"><div id="map"></div><div class="map-tip" hidden></div></div></div>`;
    const el = pane.querySelector<HTMLElement>("#map")!;
    this.tip = pane.querySelector(".map-tip")!;
    this.map = L.map(el, { zoomControl: false, attributionControl: false, minZoom: 9, maxZoom: 19 })
      .setView([43.245, 76.92], 12);
    const zoom = () => L.control.zoom({ zoomInTitle: t("zoomIn"), zoomOutTitle: t("zoomOut") });
    let control = zoom().addTo(this.map);
    onLangChange(() => { control.remove(); control = zoom().addTo(this.map); });
    addBasemap(this.map, ops.settings.basemap);
    this.layer.addTo(this.map);
    const drones = new DroneLayer().addTo(this.map);  // drones' paths (issue 15)
    this.list = new CameraList(pane.querySelector(".camlist")!, (c) => { this.focusCamera(c); ops.openCamera.emit(c); });
    this.map.on("click", (e: L.LeafletMouseEvent) => this.click(this.layer.hitAt(e.containerPoint)));
    let moveQueued = false;
    this.map.on("mousemove", (e: L.LeafletMouseEvent) => {
      if (moveQueued) return;
      moveQueued = true;
      requestAnimationFrame(() => { moveQueued = false; this.hover(this.layer.hitAt(e.containerPoint), e.containerPoint); });
    });
    this.map.on("mouseout movestart", () => { this.tip.hidden = true; el.style.cursor = ""; });
    ops.camerasChanged.on(() => this.refilter());
    ops.filtersChanged.on(() => this.refilter());
    ops.incident.on((inc) => this.layer.setIncident(inc, isOpen(inc) && incidentShown(inc)));
    ops.openCamera.on((c) => { this.layer.selectedCamera = c.id; this.list.select(c.id); this.layer.setCameras(ops.cameras.filter(cameraShown)); });
    ops.select.on((id) => {
      const inc = ops.incidents.get(id);
      if (inc?.latitude != null && inc.longitude != null) this.focus(inc.latitude, inc.longitude);
    });
    onLangChange(() => this.list.render());
    this.refilter();
    for (const inc of ops.incidents.values()) this.layer.setIncident(inc, isOpen(inc) && incidentShown(inc));
    // Where cameras and clusters are drawn, so a browser test can put the mouse there and click.
    (window as unknown as { kuzetMap: unknown }).kuzetMap = {
      cameraPoint: (id: string) => this.layer.pointOf(id),
      clusterPoints: () => this.layer.clusterPoints(),
      dronePoint: (id: string) => drones.pointOf(id),
      dronePath: (id: string) => drones.pathLength(id),
    };
    ops.mapMade.emit(this.map);
  }

  refilter(): void {
    this.layer.setCameras(ops.cameras.filter(cameraShown));
    for (const inc of ops.incidents.values()) this.layer.setIncident(inc, isOpen(inc) && incidentShown(inc));
    this.list.render();
  }

  shown(): void { this.map.invalidateSize(); }

  focus(lat: number, lon: number): void { this.map.setView([lat, lon], Math.max(this.map.getZoom(), 15)); }

  focusCamera(c: CameraPin): void { if (c.lat != null && c.lon != null) this.focus(c.lat, c.lon); }

  private click(hit: Hit | null): void {
    if (!hit) return;
    if (hit.kind === "camera") ops.openCamera.emit(hit.cam);
    else if (hit.kind === "incident") ops.select.emit(hit.inc.id);
    else this.map.setView([hit.lat, hit.lon], Math.min(this.map.getMaxZoom(), this.map.getZoom() + 2));
  }

  private hover(hit: Hit | null, p: L.Point): void {
    this.map.getContainer().style.cursor = hit ? "pointer" : "";
    if (!hit) { this.tip.hidden = true; return; }
    this.tip.textContent = hit.kind === "camera"
      ? `${hit.cam.name ?? hit.cam.id} · ${statusName(hit.cam.status)}`
      : hit.kind === "incident" ? `${typeName(hit.inc.type)} · ${hit.inc.camera_name ?? hit.inc.camera_id}`
      : `× ${hit.n}`;
    this.tip.style.left = `${p.x + 14}px`;
    this.tip.style.top = `${p.y + 10}px`;
    this.tip.hidden = false;
  }
}
