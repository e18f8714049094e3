// Entry point: sign-in (password + TOTP; TOTP set-up on the first one), then the map,
// queue, detail card, camera wall and statistics, fed by one WebSocket of incident changes.
import { api, post, setToken, type CameraPin, type Incident, type Me, type Settings } from "./api";
import { CityMap } from "./map";
import { DetailPane } from "./detail";
import { enrol } from "./enrol";
import { applyStatic, setLang, t, type Lang } from "./i18n";
import { Queue } from "./queue";
import { renderStats } from "./stats";

const $ = <T extends HTMLElement>(sel: string): T => document.querySelector(sel) as T;
let settings: Settings = { agencies: [], routing: [] };
let cameras: CameraPin[] = [];
let map: CityMap;
let queue: Queue;
let detail: DetailPane;
const wall = new Set<string>(JSON.parse(localStorage.getItem("kuzet.wall") ?? "[]"));

function beep(): void {
  // A short two-tone alarm made on the spot: no audio file to ship.
  try {
    const ctx = new AudioContext();
    const o = ctx.createOscillator(), g = ctx.createGain();
    o.connect(g); g.connect(ctx.destination);
    o.frequency.setValueAtTime(880, ctx.currentTime);
    o.frequency.setValueAtTime(660, ctx.currentTime + 0.15);
    g.gain.setValueAtTime(0.2, ctx.currentTime);
    o.start(); o.stop(ctx.currentTime + 0.3);
    o.onended = () => void ctx.close();
  } catch { /* no audio device: highlight only */ }
}
let lastBeep = 0;
function alarm(): void {
  if (Date.now() - lastBeep > 1500) { lastBeep = Date.now(); beep(); }
}

function agencyOf(category: string | null, district: string | null): string {
  for (const r of settings.routing)
    if (r.event_type === null && (r.category === null || r.category === category) &&
        (r.district === null || r.district === district)) return r.agency;
  return "";
}

function filters(): { cat: string; dis: string; ag: string } {
  return { cat: $<HTMLSelectElement>("#f-category").value,
           dis: $<HTMLSelectElement>("#f-district").value,
           ag: $<HTMLSelectElement>("#f-agency").value };
}

function incidentShown(i: Incident): boolean {
  const f = filters();
  return (!f.cat || i.category === f.cat) && (!f.dis || i.district === f.dis) &&
    (!f.ag || i.agency_id === f.ag);
}

function applyFilters(): void {
  const f = filters();
  map.setCameras(cameras.filter((c) => (!f.cat || c.category === f.cat) &&
    (!f.dis || c.district === f.dis) && (!f.ag || agencyOf(c.category, c.district) === f.ag)));
  queue.refilter();
  for (const i of queue.all.values()) map.upsertIncident(i, incidentShown(i));
}

function fillSelect(sel: HTMLSelectElement, values: [string, string][]): void {
  const first = sel.options[0];
  sel.replaceChildren(first, ...values.map(([v, label]) => new Option(label, v)));
}

function onIncident(inc: Incident): void {
  queue.upsert(inc);
  map.upsertIncident(inc, incidentShown(inc));
}

async function loadIncidents(): Promise<void> {
  for (const inc of await api<Incident[]>("/api/ops/incidents")) onIncident(inc);
}

// The server closes the stream when its access token ends (each refresh rotates it), so
// it reconnects with the new cookie and re-reads the list for what changed in between.
function connect(again = false): void {
  const proto = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${proto}://${location.host}/api/ws/ops`);
  ws.onopen = () => {
    $("#conn").classList.add("on");
    if (again) void loadIncidents();
  };
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data as string);
    if (msg.kind === "incident") onIncident(msg.incident as Incident);
  };
  ws.onclose = () => {
    $("#conn").classList.remove("on");
    setTimeout(() => connect(true), 2000);
  };
}

function renderWall(): void {
  localStorage.setItem("kuzet.wall", JSON.stringify([...wall]));
  $("#wall").replaceChildren(...[...wall].map((id) => {
    const fig = document.createElement("figure");
    const cam = cameras.find((c) => c.id === id);
    fig.innerHTML = `<img alt=""><figcaption><span></span><button></button></figcaption>`;
    fig.querySelector("img")!.src = `/api/ops/cameras/${encodeURIComponent(id)}/live.mjpeg`;
    fig.querySelector("span")!.textContent = cam?.name ?? id;
    const b = fig.querySelector("button")!;
    b.textContent = t("remove");
    b.onclick = () => { wall.delete(id); renderWall(); };
    return fig;
  }));
}

function showTab(name: string): void {
  document.querySelectorAll<HTMLElement>("nav button").forEach((b) =>
    b.classList.toggle("active", b.dataset.tab === name));
  document.querySelectorAll<HTMLElement>(".tab").forEach((p) => (p.hidden = p.dataset.tab !== name));
  if (name === "map") map.map.invalidateSize();
  if (name === "wall") renderWall();
  else $("#wall").replaceChildren();  // closes the streams: the tap stops encoding for them
  if (name === "stats") void renderStats($("#stats-pane"));
}

async function start(me: Me): Promise<void> {
  $("#login").hidden = true;
  $("#app").hidden = false;
  $("#whoami").textContent = `${me.username} · ${me.agency_id}`;
  [settings, cameras] = await Promise.all([
    api<Settings>("/api/ops/settings"), api<CameraPin[]>("/api/ops/cameras")]);
  const uniq = (xs: (string | null)[]) => [...new Set(xs.filter((x): x is string => !!x))].sort();
  fillSelect($("#f-category"), uniq(cameras.map((c) => c.category)).map((c) => [c, c]));
  fillSelect($("#f-district"), uniq(cameras.map((c) => c.district)).map((d) => [d, d]));
  fillSelect($("#f-agency"), settings.agencies.map((a) => [a.id, a.name]));
  queue = new Queue($("#queue"), $("#queue-count"), (id) => void select(id), alarm);
  queue.filter = incidentShown;
  detail = new DetailPane($("#detail"), () => settings, onIncident,
                          (c) => { wall.add(c.id); renderWall(); });
  map = new CityMap($("#map"), (c) => void detail.showCamera(c), (id) => void select(id));
  map.setCameras(cameras);
  connect();  // before the first list: a change in between arrives twice, never zero times
  await loadIncidents();
  ["#f-category", "#f-district", "#f-agency"].forEach((s) =>
    $(s).addEventListener("change", applyFilters));
  document.querySelectorAll<HTMLElement>("nav button").forEach((b) =>
    b.addEventListener("click", () => showTab(b.dataset.tab!)));
  setInterval(() => void refreshCameras(), 15000);
  setInterval(() => void refresh().catch(() => location.reload()), 600_000);
}

async function refresh(): Promise<void> {
  const tok = await post<{ access_token: string }>("/api/auth/refresh", {});
  setToken(tok.access_token);
}

async function refreshCameras(): Promise<void> {
  cameras = await api<CameraPin[]>("/api/ops/cameras");
  applyFilters();
}

async function select(id: string): Promise<void> {
  queue.select(id);
  const inc = queue.all.get(id);
  if (inc?.latitude != null && inc.longitude != null) map.focus(inc.latitude, inc.longitude);
  await detail.showIncident(id);
}

async function login(ev: Event): Promise<void> {
  ev.preventDefault();
  const err = $("#login-error");
  err.textContent = "";
  try {
    const username = $<HTMLInputElement>("#username").value;
    const tok = await post<{ stage: string; access_token: string }>("/api/auth/login", {
      username,
      password: $<HTMLInputElement>("#password").value,
      totp_code: $<HTMLInputElement>("#totp").value || null,
    });
    setToken(tok.access_token);
    if (tok.stage !== "full") { await enrol(username); return; }
    await start(await api<Me>("/api/auth/me"));
  } catch {
    err.textContent = t("loginFailed");
  }
}

function boot(): void {
  applyStatic();
  document.querySelectorAll<HTMLSelectElement>("select.lang").forEach((s) =>
    s.addEventListener("change", () => { setLang(s.value as Lang); if (queue) queue.refilter(); }));
  $("#login-form").addEventListener("submit", (e) => void login(e));
  $("#logout").addEventListener("click", () =>
    void post("/api/auth/logout", {}).finally(() => { setToken(null); location.reload(); }));
  // A reload keeps the session: the refresh cookie buys a fresh token.
  refresh().then(() => api<Me>("/api/auth/me"))
    .then((me) => { if (me.stage === "full") void start(me); }).catch(() => undefined);
}

boot();
