// The map's background, below everything that can be clicked. With a basemap in the site
// settings: the site's PMTiles archive, read by range requests from our own server —
// vector tiles drawn by protomaps-leaflet in the interface language, raster tiles (png,
// jpg, webp) by the pmtiles reader's Leaflet layer. Without one: the bundled schematic
// outline of Almaty and a 0.02° grid. Either way the pane takes no pointer events.
import L from "leaflet";
import { leafletRasterLayer, PMTiles } from "pmtiles";
import { namedFlavor } from "@protomaps/basemaps";
import { CenteredTextSymbolizer, LineSymbolizer, PolygonSymbolizer, labelRules, leafletLayer, paintRules,
         type LabelRule, type PaintRule } from "protomaps-leaflet";
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
  if (basemap?.url && basemap.tile_type && basemap.tile_type !== "mvt") {
    const raster = leafletRasterLayer(new PMTiles(basemap.url), {
      pane: pane(map), maxNativeZoom: basemap.max_zoom ?? 18, minNativeZoom: basemap.min_zoom ?? 0,
      attribution: credit(basemap),
      ...(basemap.bounds?.length === 4 ? { bounds: box(basemap.bounds) } : {}),
    }) as L.Layer;
    raster.addTo(map);
    frame(map, basemap);
    el.dataset.basemap = "pmtiles";
    return "pmtiles";
  }
  if (basemap?.url) {
    const opts = () => ({
      url: basemap.url, ...style(getLang()), pane: pane(map), attribution: credit(basemap),
      maxDataZoom: basemap.max_zoom ?? 15, noWrap: true,
      ...(basemap.bounds?.length === 4 ? { bounds: box(basemap.bounds) } : {}),
    });
    let layer = leafletLayer(opts()) as unknown as L.Layer;
    layer.addTo(map);
    onLangChange(() => {  // place names follow the interface language
      map.removeLayer(layer);
      layer = leafletLayer(opts()) as unknown as L.Layer;
      layer.addTo(map);
    });
    frame(map, basemap);
    el.dataset.basemap = "pmtiles";
    return "pmtiles";
  }
  void schematic(map);
  el.dataset.basemap = "schematic";
  return "schematic";
}

/** Protomaps' dark style for archives in the Protomaps schema (earth, water, roads, places,
 *  …), plus a plain style for a site's own "outline" layer (districts and roads, the schema
 *  of the schematic outline) so a home-made archive is drawn too. */
function style(lang: string): { paintRules: PaintRule[]; labelRules: LabelRule[]; backgroundColor: string } {
  const flavor = namedFlavor("dark");
  const kind = (k: string) => (_z: number, f: { props: Record<string, unknown> }) => f.props.kind === k;
  const own: PaintRule[] = [
    { dataLayer: "outline", filter: kind("district"),
      symbolizer: new PolygonSymbolizer({ fill: "#15263a", opacity: 0.9, stroke: "#35557d", width: 1 }) },
    { dataLayer: "outline", filter: (_z, f) => f.props.kind !== "district",
      symbolizer: new LineSymbolizer({ color: "#5d7696", width: 2 }) },
  ];
  const names: LabelRule[] = [{ dataLayer: "outline", filter: kind("district"),
    symbolizer: new CenteredTextSymbolizer({ fill: "#7f9cc0", font: "600 12px sans-serif",
      labelProps: ["name"] }) }];
  return { paintRules: [...paintRules(flavor), ...own], labelRules: [...labelRules(flavor, lang), ...names],
           backgroundColor: flavor.background };
}

const box = (b: number[]): L.LatLngBounds => L.latLngBounds([b[1], b[0]], [b[3], b[2]]);

/** The data's credit line (OpenStreetMap's licence asks for one) as plain text: never the
 *  library's default, which links to outside sites. */
function credit(basemap: Basemap): string {
  return (basemap.attribution ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Keeps the view on the archive's area (a little slack) and shows the credit line. */
function frame(map: L.Map, basemap: Basemap): void {
  if (basemap.attribution) L.control.attribution({ prefix: false }).addTo(map);
  if (basemap.bounds?.length === 4) {
    const b = box(basemap.bounds);
    map.setMaxBounds(b.pad(0.25));
    if (!b.contains(map.getCenter())) map.fitBounds(b);
  }
}

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
