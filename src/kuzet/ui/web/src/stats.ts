// Statistics: plain SVG bar charts (no chart library) and a CSV link. Labels are in the
// interface language (event types, agencies, districts), hours on Almaty's clock, reaction
// times as h:mm; a language switch redraws from the figures already loaded.
import { api, type Settings } from "./api";
import { almatyHour, dictionary, fmtDuration, onLangChange } from "./i18n/core";
import { errorText } from "./i18n/errors";
import { agencyName, districtName, priorityName, typeName } from "./i18n/terms";
import { registerScreen } from "./shell";

interface Reaction { agency: string; priority: number; incidents: number;
  ack_median_s: number | null; ack_p90_s: number | null; resolve_median_s: number | null;
  resolve_p90_s: number | null }
interface Stats { events: number; incidents: number; by_type: Record<string, number>;
  by_hour: Record<string, number>; by_district: Record<string, number>;
  by_agency: Record<string, number>; reactions: Reaction[] }

const tst = dictionary({
  en: { byType: "Events by type", byHour: "Events by hour (Almaty time)", byDistrict: "Events by district",
        byAgency: "Events by agency", reactions: "Reaction times (h:mm)", exportCsv: "Export CSV",
        statIncidents: "Incidents", statEvents: "Events", ackMedian: "acknowledge, median", ackP90: "acknowledge, p90",
        resolveMedian: "resolve, median", resolveP90: "resolve, p90", statAgency: "Agency", statPriority: "Priority",
        period: "Last 7 days", reload: "Refresh" },
  ru: { byType: "События по типам", byHour: "События по часам (время Алматы)", byDistrict: "События по районам",
        byAgency: "События по ведомствам", reactions: "Время реакции (ч:мм)", exportCsv: "Экспорт CSV",
        statIncidents: "Инциденты", statEvents: "События", ackMedian: "принятие, медиана", ackP90: "принятие, p90",
        resolveMedian: "решение, медиана", resolveP90: "решение, p90", statAgency: "Ведомство", statPriority: "Приоритет",
        period: "Последние 7 дней", reload: "Обновить" },
  kk: { byType: "Оқиғалар түрі бойынша", byHour: "Оқиғалар сағат бойынша (Алматы уақыты)", byDistrict: "Оқиғалар аудан бойынша",
        byAgency: "Оқиғалар ведомство бойынша", reactions: "Әрекет ету уақыты (сағ:мин)", exportCsv: "CSV экспорттау",
        statIncidents: "Инциденттер", statEvents: "Оқиғалар", ackMedian: "қабылдау, медиана", ackP90: "қабылдау, p90",
        resolveMedian: "шешу, медиана", resolveP90: "шешу, p90", statAgency: "Ведомство", statPriority: "Басымдық",
        period: "Соңғы 7 күн", reload: "Жаңарту" },
});

const esc = (s: unknown): string => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const dur = (s: number | null): string => (s == null ? "—" : fmtDuration(s));

function bars(title: string, entries: [string, number][]): string {
  entries = entries.slice(0, 24);
  const max = Math.max(1, ...entries.map(([, v]) => v));
  const h = 18, w = 420, label = 170;
  const rows = entries.map(([k, v], i) => {
    const bw = Math.max(1, ((w - label - 40) * v) / max);
    return `<text x="0" y="${i * h + 13}">${esc(k)}</text>
      <rect x="${label}" y="${i * h + 3}" width="${bw}" height="${h - 6}"></rect>
      <text x="${label + bw + 4}" y="${i * h + 13}">${v}</text>`;
  }).join("");
  return `<div class="chart"><h3>${esc(title)}</h3>
    <svg width="${w}" height="${Math.max(h, entries.length * h)}" role="img" aria-label="${esc(title)}">${rows}</svg></div>`;
}

const named = (d: Record<string, number>, name: (k: string) => string): [string, number][] =>
  Object.entries(d).map(([k, v]) => [name(k), v]);

function hours(d: Record<string, number>): [string, number][] {
  return Object.entries(d).map(([h, v]) => [almatyHour(h), v] as [string, number])
    .sort((a, b) => a[0].localeCompare(b[0]));
}

function draw(el: HTMLElement, s: Stats, settings?: Settings): void {
  const r = s.reactions.map((x) => `<tr><td>${esc(agencyName(x.agency, settings))}</td><td>${esc(priorityName(x.priority))}</td>
    <td>${x.incidents}</td><td>${dur(x.ack_median_s)}</td><td>${dur(x.ack_p90_s)}</td>
    <td>${dur(x.resolve_median_s)}</td><td>${dur(x.resolve_p90_s)}</td></tr>`).join("");
  el.innerHTML = `<p>${esc(tst("period"))} · ${esc(tst("statEvents"))}: <b>${s.events}</b> · ${esc(tst("statIncidents"))}: <b>${s.incidents}</b>
    · <a href="/api/ops/stats.csv" download>${esc(tst("exportCsv"))}</a> · <button id="stats-reload">${esc(tst("reload"))}</button></p>
    <div class="charts">${bars(tst("byType"), named(s.by_type, typeName))}${bars(tst("byHour"), hours(s.by_hour))}
    ${bars(tst("byDistrict"), named(s.by_district, districtName))}${bars(tst("byAgency"), named(s.by_agency, (a) => agencyName(a, settings)))}</div>
    <h3>${esc(tst("reactions"))}</h3><table class="reactions"><tr><th>${esc(tst("statAgency"))}</th><th>${esc(tst("statPriority"))}</th>
    <th>${esc(tst("statIncidents"))}</th><th>${esc(tst("ackMedian"))}</th><th>${esc(tst("ackP90"))}</th>
    <th>${esc(tst("resolveMedian"))}</th><th>${esc(tst("resolveP90"))}</th></tr>${r}</table>`;
}

let pane: HTMLElement | null = null;
let last: Stats | null = null;
let settings: Settings | undefined;

async function load(): Promise<void> {
  if (!pane) return;
  try {
    last = await api<Stats>("/api/ops/stats");
    draw(pane, last, settings);
    pane.querySelector("#stats-reload")?.addEventListener("click", () => void load());
  } catch (e) {
    pane.innerHTML = `<p class="error"></p>`;
    pane.querySelector("p")!.textContent = errorText(e);
  }
}

onLangChange(() => { if (pane && last) { draw(pane, last, settings); pane.querySelector("#stats-reload")?.addEventListener("click", () => void load()); } });

registerScreen({
  id: "stats", label: "tabStats", order: 30, needs: ["events.read"], side: false,
  landingFor: ["analyst"],
  async mount(p) {
    pane = p;
    try { settings = await api<Settings>("/api/ops/settings"); } catch { settings = undefined; }
  },
  show() { void load(); },
});
