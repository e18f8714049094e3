// The journal of closed incidents (resolved or false alarm), newest first: filters by the
// time they were closed, owner agency, type, district and outcome; one incident's facts,
// picture, playback and (for those who work incidents) its timeline.
import { api, type CameraPin, can, type Incident, type Me, type Settings } from "../api";
import { field, h, mark, say, select, table } from "../admin/dom";
import { fromLocal, timeInput } from "../admin/when";
import { fmtDateTime, fmtDuration } from "../i18n/core";
import { errorText } from "../i18n/errors";
import { th } from "../i18n/history";
import { actionName, agencyName, districtName, priorityName, stateName,
  typeName } from "../i18n/terms";
import { latest } from "../latest";
import { incident, journal, type JournalQuery } from "./api";
import { eventMedia } from "./media";

const WEEK = 7 * 86_400_000;
const TYPES = ["zone_presence", "intrusion", "loitering", "crowd", "line_crossing",
  "stopped_vehicle", "wrong_way", "speeding", "abandoned_object", "illegal_dump", "fight",
  "fire", "fall", "plate_match", "red_light", "stop_line", "bus_lane", "solid_line", "illegal_stopping", "average_speed"];
const PAGE = 50;

export const owner = (i: Incident, s?: Settings): string =>
  agencyName(i.agency_id, s) + (i.unit ? ` / ${i.unit}` : "");
export const took = (i: Incident): string => (i.closed_at
  ? fmtDuration((Date.parse(i.closed_at) - Date.parse(i.created_at)) / 1000) : "—");

export class JournalView {
  private settings: Settings = { agencies: [], routing: [] };
  private districts: string[] = [];
  private rows: Incident[] = [];
  private total = 0;
  private q: JournalQuery = {};
  private since = timeInput("jr-since", Date.now() - WEEK);
  private until = timeInput("jr-until");
  private agency = select("jr-agency", []);
  private type = select("jr-type", []);
  private district = select("jr-district", []);
  private state = select("jr-state", []);
  private list = h("div", { id: "jr-list" });
  private card = h("section", { class: "adm-card", id: "jr-card" });
  private note = h("div", { id: "jr-note" });
  private more = h("button", { id: "jr-more", hidden: true });
  private fresh = latest();  // the newest search or page: an earlier, slower one is dropped

  constructor(private el: HTMLElement, private me: Me) {}

  async load(): Promise<void> {
    const [s, cams] = await Promise.all([api<Settings>("/api/ops/settings"),
      api<CameraPin[]>("/api/ops/cameras")]);
    this.settings = s;
    this.districts = [...new Set(cams.map((c) => c.district).filter((d): d is string => !!d))]
      .sort();
    this.render();
    await this.search();
  }

  render(): void {
    const keep = [this.agency.value, this.type.value, this.district.value, this.state.value];
    this.agency = select("jr-agency", this.settings.agencies.map((a) =>
      [a.id, agencyName(a.id, this.settings)]), th("allAgencies"), keep[0]);
    this.type = select("jr-type", TYPES.map((x) => [x, typeName(x)]), th("allTypes"), keep[1]);
    this.district = select("jr-district", this.districts.map((d) => [d, districtName(d)]),
      th("allDistricts"), keep[2]);
    this.state = select("jr-state", ["resolved", "false_alarm"].map((s) => [s, stateName(s)]),
      th("allOutcomes"), keep[3]);
    this.more.textContent = th("more");
    this.more.onclick = () => void this.page();
    const go = h("button", { id: "jr-go", type: "submit", class: "primary" }, th("search"));
    const form = h("form", { class: "bar", id: "jr-form" },
      field(th("closedSince"), this.since), field(th("until"), this.until),
      field(th("agency"), this.agency), field(th("type"), this.type),
      field(th("district"), this.district), field(th("outcome"), this.state), go);
    form.onsubmit = (ev) => { ev.preventDefault(); void this.search(); };
    this.el.replaceChildren(h("div", { class: "adm-cols" },
      h("section", { class: "adm-list" }, form, this.note, this.list, this.more), this.card));
    this.card.replaceChildren(h("p", { class: "meta" }, th("journalHint")));
    this.draw();
  }

  private async search(): Promise<void> {
    this.q = { since: fromLocal(this.since.value), until: fromLocal(this.until.value),
      agency: this.agency.value, type: this.type.value, district: this.district.value,
      state: this.state.value };
    this.rows = [];
    this.total = 0;
    this.list.dataset.state = "busy";
    await this.page();
  }

  private async page(): Promise<void> {
    const still = this.fresh();
    try {
      const p = await journal(this.q, this.rows.length, PAGE);
      if (!still()) return;
      this.rows.push(...p.items);
      this.total = p.total;
      this.note.textContent = th("shownOf", { n: this.rows.length, all: p.total });
      this.note.className = "meta";
    } catch (e) {
      if (!still()) return;
      say(this.note, errorText(e));
    }
    this.draw();
  }

  private draw(): void {
    this.list.dataset.state = "done";
    this.more.hidden = this.rows.length >= this.total;
    if (!this.rows.length) {
      this.list.replaceChildren(h("p", { class: "meta" }, th("nothingFound")));
      return;
    }
    this.list.replaceChildren(table(
      [th("closedAt"), th("type"), th("camera"), th("district"), th("owner"), th("outcome"),
        th("took"), th("events")], this.rows, (i) => i.id,
      (i) => [fmtDateTime(i.closed_at), typeName(i.type), i.camera_name ?? i.camera_id,
        districtName(i.district), owner(i, this.settings),
        h("span", { class: `state s-${i.state}` }, stateName(i.state)), took(i), i.event_count],
      (i) => { mark(this.list, i.id); void this.show(i); }));
  }

  private async show(i: Incident): Promise<void> {
    const row = (k: string, v: string) => [h("dt", {}, k), h("dd", {}, v)];
    const ev = i.snapshot_event_id ?? i.first_event_id;
    const media = eventMedia({ id: ev }, this.me, "jr");
    const log = h("div", { id: "jr-log" });
    this.card.dataset.incident = i.id;
    this.card.replaceChildren(h("h2", {}, typeName(i.type), " · ", stateName(i.state)), media,
      h("dl", {}, ...row(th("camera"), i.camera_name ?? i.camera_id),
        ...row(th("district"), districtName(i.district)), ...row(th("priority"),
          priorityName(i.priority)), ...row(th("owner"), owner(i, this.settings)),
        ...row(th("opened"), fmtDateTime(i.created_at)),
        ...row(th("closedAt"), fmtDateTime(i.closed_at)), ...row(th("took"), took(i)),
        ...row(th("events"), String(i.event_count))), log);
    if (!can(this.me, "live.read")) return;  // the timeline is the workflow's: its roles only
    try {
      const d = await incident(i.id);
      const clip = d.events.find((e) => typeof e.attributes?.clip === "string");
      if (clip) media.replaceWith(eventMedia(clip, this.me, "jr"));
      log.replaceChildren(h("h3", {}, th("timeline")), h("ol", { class: "log" },
        ...d.log.map((l) => h("li", {}, `${fmtDateTime(l.ts)} · ${actionName(l.action)} · ` +
          l.actor + (l.agency_id ? ` (${agencyName(l.agency_id, this.settings)})` : "") +
          ` → ${stateName(l.state)}` + (l.note ? `: ${l.note}` : "")))));
    } catch (e) {
      say(log, errorText(e));
    }
  }
}
