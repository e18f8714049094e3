// Time inputs in the city's clock. A <input type="datetime-local"> holds a wall time with
// no zone; the screens read and fill it as Almaty time (whatever the browser's zone is),
// the same clock every other time on the page is shown in.
import { ZONE } from "../i18n/core";

const parts = new Intl.DateTimeFormat("en-GB", { timeZone: ZONE, hourCycle: "h23",
  year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  second: "2-digit" });

/** Almaty's offset from UTC at an instant, in ms (no DST today, but never assumed). */
function offset(ms: number): number {
  const p = Object.fromEntries(parts.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const wall = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour % 24, +p.minute, +p.second);
  return wall - Math.floor(ms / 1000) * 1000;
}

/** "2026-12-06T14:05" read as Almaty time -> ISO 8601 UTC ("...Z"); "" -> null. */
export function fromLocal(v: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(v.trim());
  if (!m) return null;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0));
  let ms = wall - offset(wall);
  ms = wall - offset(ms);  // second pass: right across an offset change
  return new Date(ms).toISOString();
}

/** An instant -> the "YYYY-MM-DDTHH:MM" an input shows for it in Almaty. */
export function toLocal(v: number | string | Date): string {
  const ms = new Date(v).getTime();
  return new Date(ms + offset(ms)).toISOString().slice(0, 16);
}

/** A datetime-local input in Almaty time, filled with `initial` if given. */
export function timeInput(id: string, initial?: number | null): HTMLInputElement {
  const el = document.createElement("input");
  el.type = "datetime-local";
  el.id = id;
  if (initial != null) el.value = toLocal(initial);
  return el;
}
