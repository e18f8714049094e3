// A small inline SVG line chart: the measured values and, beside them, the forecast
// (dashed). No chart library: two polylines, a time axis on Almaty's clock, min/max.
import { fmtTime } from "../i18n/core";

export interface Point { start: number; value: number }   // start: epoch seconds

const esc = (s: unknown): string => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const W = 640, H = 180, L = 44, R = 8, T = 10, B = 22;

export function lineChart(metric: string, title: string, unit: string, measured: Point[],
                          forecast: Point[], labels: { measured: string; forecast: string }): string {
  const all = [...measured, ...forecast];
  if (!all.length) return `<div class="tr-chart"><h3>${esc(title)}</h3><p class="muted">—</p></div>`;
  const t0 = Math.min(...all.map((p) => p.start)), t1 = Math.max(...all.map((p) => p.start));
  const vmax = Math.max(1, ...all.map((p) => p.value));
  const x = (t: number): number => L + ((W - L - R) * (t - t0)) / Math.max(1, t1 - t0);
  const y = (v: number): number => T + (H - T - B) * (1 - v / vmax);
  const line = (ps: Point[]): string => ps.map((p) => `${x(p.start).toFixed(1)},${y(p.value).toFixed(1)}`).join(" ");
  // the forecast starts from the last measured point, so the two lines join
  const fc = measured.length && forecast.length ? [measured[measured.length - 1], ...forecast] : forecast;
  const ticks = [t0, (t0 + t1) / 2, t1].map((t) =>
    `<text class="axis" x="${x(t).toFixed(1)}" y="${H - 6}" text-anchor="middle">${esc(fmtTime(t * 1000).slice(0, 5))}</text>`).join("");
  return `<div class="tr-chart"><h3>${esc(title)} <small>(${esc(unit)})</small></h3>
    <svg data-metric="${esc(metric)}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">
      <line class="axis" x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}"></line>
      <text class="axis" x="${L - 4}" y="${T + 8}" text-anchor="end">${esc(Math.round(vmax))}</text>
      <text class="axis" x="${L - 4}" y="${H - B}" text-anchor="end">0</text>${ticks}
      <polyline class="measured" data-n="${measured.length}" fill="none" stroke="#2b6cb0" stroke-width="1.5" points="${line(measured)}"></polyline>
      <polyline class="forecast" data-n="${forecast.length}" fill="none" stroke="#dd6b20" stroke-width="2" stroke-dasharray="5 3" points="${line(fc)}"></polyline>
    </svg>
    <p class="legend"><span class="sw measured"></span>${esc(labels.measured)} <span class="sw forecast"></span>${esc(labels.forecast)}</p></div>`;
}
