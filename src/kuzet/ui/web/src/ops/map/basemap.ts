// The map's background, below everything that can be clicked. With a basemap in the site
// settings: the site's PMTiles vector tiles (read by range requests from our own server),
// drawn by protomaps-leaflet in the city's language. Without one: the bundled schematic
// outline of Almaty and a 0.02° grid. Either way the pane takes no pointer events.
import L from "leaflet";
import { leafletLayer } from "protomaps-leaflet";
import type { Basemap } from "../../api";
import { getLang, onLangChange } from "../../i18n/core";
import { districtName } from "../../i18n/terms";

const PANE = "kuzet-base";

function pane(map: L.Map): string {
  const p = map.getPane(PANE) ?? map.createPane(PANE);
  p.style.zIndex = "200";
  p.style.pointerEvents = "none";
  return PANE;
}

/** Draws the basemap; returns which kind was drawn (the page shows it as data-basemap). */
export function addBasemap(map: L.Map, basemap: Basemap | null | undefined): "pmtiles" | "schematic" {
  const el = map.getContainer();
  if (basemap?.url) {
    const opts = () => ({
      url: basemap.url, flavor: "dark", lang: getLang(), pane: pane(map),
      maxDataZoom: basemap.max_zoom ?? 15, noWrap: true,
      ...(basemap.bounds ? { bounds: box(basemap.bounds) } : {}),
    });
    let layer = leafletLayer(opts()) as unknown as L.Layer;
    layer.addTo(map);
    onLangChange(() => {  // place names follow the interface language
      map.removeLayer(layer);
      layer = leafletLayer(opts()) as unknown as L.Layer;
      layer.addTo(map);
    });
    if (basemap.bounds) {
      const b = box(basemap.bounds);
      map.setMaxBounds(b.pad(0.25));
      if (!b.contains(map.getCenter())) map.fitBounds(b);
    }
    if (basemap.min_zoom != null) map.setMinZoom(basemap.min_zoom);
    el.dataset.basemap = "pmtiles";
    return "pmtiles";
  }
  void schematic(map);
  el.dataset.basemap = "schematic";
  return "schematic";
}

const box = (b: [number, number, number, number]): L.LatLngBounds =>
  L.latLngBounds([b[1], b[0]], [b[3], b[2]]);

async function schematic(map: L.Map): Promise<void> {
  const renderer = L.canvas({ pane: pane(map), padding: 0.2 });
  const geo = await (await fetch("/ui/almaty.geojson")).json();
  const labels: L.Tooltip[] = [];
  L.geoJSON(geo, {
    interactive: false,
    style: (f) => f?.properties.kind === "district"
      ? { color: "#35557d", weight: 1, fillColor: "#15263a", fillOpacity: 0.6, renderer, interactive: false }
      : { color: "#5d7696", weight: 2, opacity: 0.8, renderer, interactive: false },
    onEachFeature: (f, layer) => {
      if (f.properties.kind !== "district") return;
      const tip = L.tooltip({ permanent: true, direction: "center", className: "district-label",
                              interactive: false })
        .setLatLng((layer as L.Polygon).getBounds().getCenter());
      (tip as unknown as { district: string }).district = f.properties.name;
      tip.setContent(districtName(f.properties.name));
      labels.push(tip);
      tip.addTo(map);
    },
  }).addTo(map);
  onLangChange(() => labels.forEach((tip) =>
    tip.setContent(districtName((tip as unknown as { district: string }).district))));
  // A coordinate grid every 0.02 degrees, so positions read without any tiles.
  const grid = { color: "#1b2736", weight: 1, interactive: false, renderer };
  for (let lat = 43.14; lat <= 43.4; lat += 0.02) L.polyline([[lat, 76.7], [lat, 77.08]], grid).addTo(map);
  for (let lon = 76.7; lon <= 77.08; lon += 0.02) L.polyline([[43.14, lon], [43.4, lon]], grid).addTo(map);
}
