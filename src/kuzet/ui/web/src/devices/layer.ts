// Devices on the ops map: one icon per device, its kind's glyph coloured by state (an alarm
// also pulses; offline and tampered are also struck through, not only coloured). A click
// opens the device's popup: state, last heard, battery, and the commands this person may
// send. States are re-read every 5 s and at once when one of its incidents changes.
import L from "leaflet";
import { api } from "../api";
import { fmtTime, onLangChange, t } from "../i18n/core";
import { tx } from "../i18n/devices";
import { latest } from "../latest";
import { ops } from "../ops/state";
import { openCommand } from "./dialog";
import type { DevicePin } from "./types";

// letters and symbols every control-room font has (no emoji fonts on many consoles)
const GLYPH: Record<string, string> = {
  sos_button: "SOS", fire_panel: "F", smoke_sensor: "S", door: "D", intercom: "☎",
  siren: "♫", speaker: "♪", sensor: "●",
};
const esc = (s: unknown): string => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export class DeviceLayer {
  private markers = new Map<string, L.Marker>();
  private pins = new Map<string, DevicePin>();
  private group = L.layerGroup();
  private timer = 0;
  private fresh = latest();  // the newest read of the states: an older one is not drawn

  constructor(private map: L.Map) {
    this.group.addTo(map);
    void this.load();
    this.timer = window.setInterval(() => void this.load(), 5000);
    ops.incident.on((inc) => { if (this.pins.has(inc.camera_id)) void this.load(); });
    onLangChange(() => { for (const p of this.pins.values()) this.draw(p); });
    (window as unknown as { kuzetDevices: unknown }).kuzetDevices = { layer: this };
  }

  get(id: string): DevicePin | undefined { return this.pins.get(id); }

  async load(): Promise<void> {
    let pins: DevicePin[];
    const still = this.fresh();
    try { pins = await api<DevicePin[]>("/api/ops/devices"); } catch { return; }
    if (!still()) return;
    const seen = new Set<string>();
    for (const p of pins) {
      if (p.lat == null || p.lon == null) continue;
      seen.add(p.id);
      const old = this.pins.get(p.id);
      this.pins.set(p.id, p);
      if (!old || old.state !== p.state || old.last_at !== p.last_at || old.battery !== p.battery) this.draw(p);
    }
    for (const [id, m] of this.markers) if (!seen.has(id)) { m.remove(); this.markers.delete(id); this.pins.delete(id); }
  }

  stop(): void { window.clearInterval(this.timer); }

  private draw(p: DevicePin): void {
    const icon = L.divIcon({
      className: "", iconSize: [30, 30], iconAnchor: [15, 15],
      html: `<div class="dev dev-${esc(p.state)}" data-device="${esc(p.id)}" data-state="${esc(p.state)}"
        title="${esc(`${p.name ?? p.id} · ${t(`dv_s_${p.state}`)}`)}">${esc(GLYPH[p.kind] ?? "◆")}</div>`,
    });
    let m = this.markers.get(p.id);
    if (!m) {
      m = L.marker([p.lat!, p.lon!], { icon, keyboard: true, title: p.name ?? p.id, zIndexOffset: 500 });
      m.on("click", () => this.popup(p.id));
      m.addTo(this.group);
      this.markers.set(p.id, m);
    } else {
      m.setIcon(icon);
      m.setLatLng([p.lat!, p.lon!]);
    }
  }

  private popup(id: string): void {
    const p = this.pins.get(id), m = this.markers.get(id);
    if (!p || !m) return;
    const el = document.createElement("div");
    el.className = "dev-pop";
    el.dataset.device = p.id;
    const kind = t(`dv_k_${p.kind}`);
    const bits = [`<b>${esc(p.name ?? p.id)}</b>`, `<span>${esc(kind)} · <span class="dev-state">${esc(t(`dv_s_${p.state}`))}</span></span>`];
    if (p.last_at) bits.push(`<span class="meta">${esc(tx("dv_lastHeard", { time: fmtTime(p.last_at) }))}</span>`);
    if (p.battery != null) bits.push(`<span class="meta">${esc(tx("dv_battery", { n: Math.round(p.battery) }))}</span>`);
    el.innerHTML = bits.join("<br>");
    const actions = document.createElement("div");
    actions.className = "actions";
    for (const a of p.actions) {
      const b = document.createElement("button");
      b.dataset.command = a;
      b.textContent = t(`dv_a_${a}`);
      b.onclick = () => { m.closePopup(); openCommand(p, a); };
      actions.append(b);
    }
    if (p.actions.length) el.append(actions);
    m.unbindPopup().bindPopup(el, { minWidth: 200 }).openPopup();
  }
}
