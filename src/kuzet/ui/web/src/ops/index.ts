// The operator's screens (map, camera wall) and what stays beside them: the alert queue,
// the detail card (an incident or a camera), the filters, the alarm and the shortcuts.
// Everything loads on the first visit of an operator's screen, never for other roles.
import type { Me } from "../api";
import { onLangChange, t } from "../i18n/core";
import { agencyName, categoryName, districtName } from "../i18n/terms";
import { registerScreen, showScreen } from "../shell";
import { Alarm } from "./alarm";
import { CameraCard } from "./camera";
import { IncidentCard } from "./incident";
import { installKeys } from "./keys";
import { MapScreen } from "./map/screen";
import { Queue } from "./queue";
import { ops, startOps } from "./state";
import { Wall } from "./wall";
import { to } from "../i18n/ops";


const $ = <T extends HTMLElement>(sel: string): T => document.querySelector(sel) as T;
let side: Promise<{ incident: IncidentCard; wall: () => Wall | null }> | null = null;
let mapScreen: MapScreen | null = null;
let wall: Wall | null = null;

/** The queue, the card, filters, alarm and keys: once, for whichever screen comes first. */
function ensureSide(): Promise<{ incident: IncidentCard; wall: () => Wall | null }> {
  side ??= (async () => {
    $("#filters").hidden = false;
    $("#alarm").hidden = false;
    $("#keys-hint").hidden = false;
    $("#conn").hidden = false;
    await startOps();
    const detail = $("#detail");
    const incident = new IncidentCard(detail);
    const camera = new CameraCard(detail, (id) => wall?.has(id) ?? false);
    const queue = new Queue($("#queue"), $("#queue-count"));
    const alarm = new Alarm($("#alarm"), $("#alarm-banner"));
    const empty = () => { detail.innerHTML = `<div class="body"><p class="meta"></p></div>`;
                          detail.querySelector("p")!.textContent = to("noIncident"); };
    empty();
    ops.select.on((id) => { camera.close(); void incident.open(id).catch(() => empty()); });
    ops.openCamera.on((c) => { incident.close(); void camera.open(c); });
    ops.connection.on((on) => {
      $("#conn").classList.toggle("on", on);
      $("#conn").title = to(on ? "connOn" : "connOff");
    });
    fillFilters();
    onLangChange(fillFilters);
    ["#f-category", "#f-district", "#f-agency"].forEach((s) => $(s).addEventListener("change", () => {
      ops.filters = { cat: $<HTMLSelectElement>("#f-category").value, dis: $<HTMLSelectElement>("#f-district").value,
                      ag: $<HTMLSelectElement>("#f-agency").value };
      ops.filtersChanged.emit(ops.filters);
    }));
    installKeys({
      act: (a) => void incident.act(a),
      next: (step) => { const id = queue.neighbour(step); if (id) ops.select.emit(id); },
      first: () => { const id = queue.firstWaiting(); if (id) ops.select.emit(id); },
      note: () => $<HTMLTextAreaElement>("#d-note")?.focus(),
      mute: () => alarm.toggleMute(), snooze: () => alarm.snooze(),
      tab: (id) => void showScreen(id),
    });
    return { incident, wall: () => wall };
  })();
  side.catch(() => { side = null; });  // a failed start (server down): the next visit tries again
  return side;
}

function fillFilters(): void {
  const uniq = (xs: (string | null)[]) => [...new Set(xs.filter((x): x is string => !!x))].sort();
  const fill = (sel: HTMLSelectElement, all: string, values: [string, string][]) => {
    const keep = sel.value;
    sel.replaceChildren(new Option(t(all), ""), ...values.map(([v, label]) => new Option(label, v)));
    sel.value = keep;
  };
  fill($("#f-category"), "allCategories", uniq(ops.cameras.map((c) => c.category)).map((c) => [c, categoryName(c)]));
  fill($("#f-district"), "allDistricts", uniq(ops.cameras.map((c) => c.district)).map((d) => [d, districtName(d)]));
  fill($("#f-agency"), "allAgencies", ops.settings.agencies.map((a) => [a.id, agencyName(a.id, ops.settings)]));
}

registerScreen({
  id: "map", label: "tabMap", order: 10, needs: ["live.read", "cameras.read"], side: true,
  landingFor: ["operator", "supervisor", "investigator"],
  async mount(pane: HTMLElement, _me: Me) {
    await ensureSide();
    mapScreen = new MapScreen(pane);
  },
  show() { mapScreen?.shown(); },
});

registerScreen({
  id: "wall", label: "tabWall", order: 20, needs: ["live.read", "snapshots.read"], side: true,
  async mount(pane: HTMLElement) {
    await ensureSide();
    wall ??= new Wall(pane);
  },
  show() { wall?.show(); },
  hide() { wall?.hide(); },
});

// "Add to wall" works before the wall was ever opened: it is made (hidden, not streaming).
ops.addToWall.on((c) => {
  const pane = document.querySelector<HTMLElement>('#screens > [data-tab="wall"]');
  if (!pane) return;
  wall ??= new Wall(pane);
  wall.add(c);
});
