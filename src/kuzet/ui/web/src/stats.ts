// Statistics: plain SVG bar charts (no chart library) and a CSV link.
import { api } from "./api";
import { t } from "./i18n";

interface Reaction { agency: string; priority: number; incidents: number;
  ack_median_s: number | null; ack_p90_s: number | null; resolve_median_s: number | null;
  resolve_p90_s: number | null }
interface Stats { events: number; incidents: number; by_type: Record<string, number>;
  by_hour: Record<string, number>; by_district: Record<string, number>;
  by_agency: Record<string, number>; reactions: Reaction[] }

const esc = (s: unknown): string =>
  String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function bars(title: string, data: Record<string, number>): string {
  const entries = Object.entries(data).slice(0, 24);
  const max = Math.max(1, ...entries.map(([, v]) => v));
  const h = 18, w = 400, label = 130;
  const rows = entries.map(([k, v], i) => {
    const bw = Math.max(1, ((w - label - 40) * v) / max);
    return `<text x="0" y="${i * h + 13}">${esc(k)}</text>
      <rect x="${label}" y="${i * h + 3}" width="${bw}" height="${h - 6}"></rect>
      <text x="${label + bw + 4}" y="${i * h + 13}">${v}</text>`;
  }).join("");
  return `<div class="chart"><h3>${esc(title)}</h3>
    <svg width="${w}" height="${Math.max(h, entries.length * h)}" role="img">${rows}</svg></div>`;
}

export async function renderStats(el: HTMLElement): Promise<void> {
  const s = await api<Stats>("/api/ops/stats");
  const r = s.reactions.map((x) => `<tr><td>${esc(x.agency)}</td><td>${esc(t("p" + x.priority))}</td>
    <td>${x.incidents}</td><td>${x.ack_median_s ?? "—"}</td><td>${x.ack_p90_s ?? "—"}</td>
    <td>${x.resolve_median_s ?? "—"}</td><td>${x.resolve_p90_s ?? "—"}</td></tr>`).join("");
  el.innerHTML = `<p>${t("events")}: <b>${s.events}</b> · ${t("incidents")}: <b>${s.incidents}</b>
    · <a href="/api/ops/stats.csv" download>${t("exportCsv")}</a></p>
    <div class="charts">${bars(t("byType"), s.by_type)}${bars(t("byHour"), s.by_hour)}
    ${bars(t("byDistrict"), s.by_district)}${bars(t("byAgency"), s.by_agency)}</div>
    <h3>${t("reactions")}</h3><table><tr><th>${t("agency")}</th><th>${t("priority")}</th>
    <th>${t("incidents")}</th><th>${t("ackMedian")}</th><th>${t("ackP90")}</th>
    <th>${t("resolveMedian")}</th><th>${t("resolveP90")}</th></tr>${r}</table>`;
}
