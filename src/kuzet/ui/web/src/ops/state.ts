// What the operator's screens share: settings, cameras, the incidents this agency sees
// (kept current by one WebSocket), the filters, and a tiny publish/subscribe between them.
import type { Map as LeafletMap } from "leaflet";
import { api, type CameraPin, type Incident, type LogEntry, type Settings } from "../api";

type Handler<T> = (v: T) => void;
class Topic<T> {
  private hs: Handler<T>[] = [];
  on(h: Handler<T>): void { this.hs.push(h); }
  emit(v: T): void { for (const h of this.hs) h(v); }
}

export interface Filters { cat: string; dis: string; ag: string }
export const CLOSED = new Set(["resolved", "false_alarm"]);

export const ops = {
  settings: { agencies: [], routing: [] } as Settings,
  cameras: [] as CameraPin[],
  incidents: new Map<string, Incident>(),
  filters: { cat: "", dis: "", ag: "" } as Filters,
  selected: null as string | null,
  connected: false,
  /** every incident change (from the socket, a reload or our own step), newest version only */
  incident: new Topic<Incident>(),
  camerasChanged: new Topic<CameraPin[]>(),
  filtersChanged: new Topic<Filters>(),
  select: new Topic<string>(),           // an incident chosen (queue, map, keyboard)
  openCamera: new Topic<CameraPin>(),    // a camera chosen (map, list)
  addToWall: new Topic<CameraPin>(),
  connection: new Topic<boolean>(),
  /** a timeline entry that came with a change (steps, notes, ticks, escalations) */
  log: new Topic<{ id: string; entry: LogEntry }>(),
  /** hooks for other modules (devices): the map once made, an incident card once drawn */
  mapMade: new Topic<LeafletMap>(),
  cardShown: new Topic<{ incident: Incident; body: HTMLElement }>(),
};

ops.select.on((id) => { ops.selected = id; });  // first subscriber: the others read it

let started: Promise<void> | null = null;
let socket = false;

/** Loads settings, cameras and the open incidents, then follows /api/ws/ops. Once. */
export function startOps(): Promise<void> {
  started ??= (async () => {
    [ops.settings, ops.cameras] = await Promise.all([
      api<Settings>("/api/ops/settings"), api<CameraPin[]>("/api/ops/cameras")]);
    ops.camerasChanged.emit(ops.cameras);
    if (!socket) { socket = true; connect(); }  // before the first list: a change in between arrives twice, never zero times
    await loadIncidents();
    setInterval(() => void refreshCameras(), 15000);
  })();
  started.catch(() => { started = null; });
  return started;
}

export function upsert(inc: Incident): void {
  const old = ops.incidents.get(inc.id);
  if (old && old.version > inc.version) return;  // an older message overtaken by a newer one
  ops.incidents.set(inc.id, inc);
  ops.incident.emit(inc);
}

async function loadIncidents(): Promise<void> {
  for (const inc of await api<Incident[]>("/api/ops/incidents")) upsert(inc);
}

async function refreshCameras(): Promise<void> {
  try {
    ops.cameras = await api<CameraPin[]>("/api/ops/cameras");
    ops.camerasChanged.emit(ops.cameras);
  } catch { /* the next round tries again; the connection dot tells the operator */ }
}

// The server closes the stream when its access token ends (each refresh rotates it), so
// it reconnects with the new cookie and re-reads the list for what changed in between.
function connect(again = false): void {
  const proto = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${proto}://${location.host}/api/ws/ops`);
  ws.onopen = () => {
    ops.connected = true;
    ops.connection.emit(true);
    if (again) void loadIncidents().catch(() => undefined);
  };
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data as string);
    if (msg.kind !== "incident") return;
    upsert(msg.incident as Incident);
    if (msg.log) ops.log.emit({ id: (msg.incident as Incident).id, entry: msg.log as LogEntry });
  };
  ws.onclose = () => {
    ops.connected = false;
    ops.connection.emit(false);
    setTimeout(() => connect(true), 2000);
  };
}

/** The agency a camera's incidents go to by default (the routing rule for its category). */
export function agencyOf(category: string | null, district: string | null, given?: string): string {
  if (given) return given;  // the server says (CameraPin.agency)
  for (const r of ops.settings.routing)
    if (r.event_type === null && (r.category === null || r.category === category) &&
        (r.district === null || r.district === district)) return r.agency;
  return "";
}

export function cameraShown(c: CameraPin): boolean {
  const f = ops.filters;
  return (!f.cat || c.category === f.cat) && (!f.dis || c.district === f.dis) &&
    (!f.ag || agencyOf(c.category, c.district, c.agency) === f.ag);
}

export function incidentShown(i: Incident): boolean {
  const f = ops.filters;
  return (!f.cat || i.category === f.cat) && (!f.dis || i.district === f.dis) &&
    (!f.ag || i.agency_id === f.ag);
}

export const isOpen = (i: Incident): boolean => !CLOSED.has(i.state);
export const cameraById = (id: string): CameraPin | undefined => ops.cameras.find((c) => c.id === id);
