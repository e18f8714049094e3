// The cameras an SOS press or a fire alarm opened, in its incident card: each camera's
// picture at the alarm (or what there is, said plainly), linked or how far, whether its
// video is held; a click puts a camera on the wall, "Open all" puts all of them. When the
// alarm's cameras arrive (a timeline entry pushed over the socket), they go on the wall by
// themselves: the operator sees the place without looking for it.
import { api } from "../api";
import { fmtTime, t } from "../i18n/core";
import { tx } from "../i18n/devices";
import { cameraById, ops } from "../ops/state";
import { ALARM_TYPES, type AlarmCamera } from "./types";

const esc = (s: unknown): string => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const walled = new Set<string>();  // incidents whose cameras were put on the wall once

function toWall(cams: AlarmCamera[]): void {
  for (const c of cams) {
    const pin = cameraById(c.camera_id);
    if (pin) ops.addToWall.emit(pin);
  }
}

async function fill(box: HTMLElement, incidentId: string): Promise<void> {
  let cams: AlarmCamera[];
  try { cams = await api<AlarmCamera[]>(`/api/ops/incidents/${encodeURIComponent(incidentId)}/cameras`); }
  catch { return; }
  if (!box.isConnected) return;
  const list = box.querySelector<HTMLElement>(".dev-cams")!;
  const note = box.querySelector<HTMLElement>(".meta")!;
  if (!cams.length) { note.textContent = tx("dv_camerasWaiting"); return; }
  note.textContent = "";
  list.innerHTML = cams.map((c) => {
    const where = c.linked ? tx("dv_linked") : tx("dv_near", { m: Math.round(c.distance_m ?? 0) });
    const pic = t(`dv_pic_${c.picture}`, { time: fmtTime(c.frame_ts) });
    const img = c.snapshot ? `<img alt="" src="${esc(c.snapshot)}">` : `<div class="noimg"></div>`;
    return `<li data-camera="${esc(c.camera_id)}" data-picture="${esc(c.picture)}">${img}
      <b>${esc(c.name ?? c.camera_id)}</b><span class="meta">${esc(where)} · ${esc(pic)}${
      c.held ? ` · ${esc(tx("dv_held"))}` : ""}</span></li>`;
  }).join("");
  list.querySelectorAll<HTMLElement>("li").forEach((li, i) => {
    li.onclick = () => toWall([cams[i]]);
  });
  const all = box.querySelector<HTMLButtonElement>(".dev-openall")!;
  all.hidden = false;
  all.onclick = () => toWall(cams);
  if (!walled.has(incidentId)) { walled.add(incidentId); toWall(cams); }
}

export function installAlarmCameras(): void {
  ops.cardShown.on(({ incident, body }) => {
    if (!ALARM_TYPES.has(incident.type)) return;
    const box = document.createElement("section");
    box.className = "dev-alarm";
    box.dataset.incident = incident.id;
    box.innerHTML = `<h3>${esc(tx("dv_cameras"))}</h3><p class="meta">${esc(tx("dv_camerasWaiting"))}</p>
      <ul class="dev-cams"></ul><button class="dev-openall" hidden>${esc(tx("dv_openAll"))}</button>`;
    body.prepend(box);
    void fill(box, incident.id);
  });
  ops.log.on(({ id, entry }) => {
    if (entry.action !== "cameras") return;
    const box = document.querySelector<HTMLElement>(`section.dev-alarm[data-incident="${CSS.escape(id)}"]`);
    if (box) void fill(box, id);
    else if (!walled.has(id)) {
      // not open on this console: the cameras still come to the wall
      void api<AlarmCamera[]>(`/api/ops/incidents/${encodeURIComponent(id)}/cameras`)
        .then((cams) => { if (cams.length && !walled.has(id)) { walled.add(id); toWall(cams); } })
        .catch(() => undefined);
    }
  });
}
