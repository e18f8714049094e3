// The i18n core: per-module dictionaries (each file registers its own strings), one
// current language, and the city's clock. Every module's Russian and Kazakh tables must
// hold every key of its English one (the compiler checks it), so nothing shows half-English.
export type Lang = "ru" | "kk" | "en";
export const LANGS: Lang[] = ["ru", "kk", "en"];
export const ZONE = "Asia/Almaty";

type Table = Record<string, string>;
const tables: Record<Lang, Table> = { en: {}, ru: {}, kk: {} };
const listeners: (() => void)[] = [];
let lang: Lang = (localStorage.getItem("kuzet.lang") as Lang) || "ru";
if (!LANGS.includes(lang)) lang = "ru";

/** A module's strings: English is the key set, Russian and Kazakh must translate each key. */
export interface Dictionary<E extends Table> { en: E; ru: { [K in keyof E]: string };
  kk: { [K in keyof E]: string } }

/** Registers a module's dictionary and returns a translator typed to its keys. A key
 *  registered twice with another text is a programming error: it is reported on the console
 *  (the later module wins), so two modules cannot silently fight over a word. */
export function dictionary<E extends Table>(d: Dictionary<E>):
    (key: keyof E & string, vars?: Record<string, string | number>) => string {
  for (const l of LANGS) {
    const src = d[l] as Table;
    for (const k of Object.keys(src)) {
      if (k in tables[l] && tables[l][k] !== src[k]) console.warn(`i18n: ${l}.${k} redefined`);
      tables[l][k] = src[k];
    }
  }
  return (key, vars) => t(key, vars);
}

/** Any registered key (dynamic ones too, e.g. "s_" + state); `{name}` takes vars.name. */
export function t(key: string, vars?: Record<string, string | number>): string {
  let s = tables[lang][key] ?? tables.en[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
  return s;
}

/** The text for a key if one is registered, else undefined (for data-driven labels). */
export function lookup(key: string): string | undefined {
  return tables[lang][key] ?? tables.en[key];
}

export function getLang(): Lang { return lang; }

export function setLang(l: Lang): void {
  lang = l;
  localStorage.setItem("kuzet.lang", l);
  document.documentElement.lang = l;
  applyStatic();
  for (const f of listeners) f();
}

/** Called after every language switch: screens that render text re-render. */
export function onLangChange(f: () => void): void { listeners.push(f); }

/** Fills elements marked data-t (text), data-t-placeholder, data-t-title, data-t-aria. */
export function applyStatic(root: ParentNode = document): void {
  root.querySelectorAll<HTMLElement>("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t!); });
  root.querySelectorAll<HTMLElement>("[data-t-placeholder]").forEach((el) =>
    el.setAttribute("placeholder", t(el.dataset.tPlaceholder!)));
  root.querySelectorAll<HTMLElement>("[data-t-title]").forEach((el) => { el.title = t(el.dataset.tTitle!); });
  root.querySelectorAll<HTMLElement>("[data-t-aria]").forEach((el) =>
    el.setAttribute("aria-label", t(el.dataset.tAria!)));
  document.querySelectorAll<HTMLSelectElement>("select.lang").forEach((s) => (s.value = lang));
  document.documentElement.lang = lang;
}

// ---- the city's clock: 24-hour Asia/Almaty whatever the browser's zone ------------------
const fmtCache = new Map<string, Intl.DateTimeFormat>();
function fmt(kind: "time" | "datetime" | "date"): Intl.DateTimeFormat {
  const key = `${lang}:${kind}`;
  let f = fmtCache.get(key);
  if (!f) {
    const o: Intl.DateTimeFormatOptions = { timeZone: ZONE, hourCycle: "h23" };
    if (kind !== "date") Object.assign(o, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
    if (kind !== "time") Object.assign(o, { year: "numeric", month: "2-digit", day: "2-digit" });
    f = new Intl.DateTimeFormat(lang === "kk" ? "kk-KZ" : lang === "ru" ? "ru-RU" : "en-GB", o);
    fmtCache.set(key, f);
  }
  return f;
}
const toDate = (v: string | number | Date): Date => (v instanceof Date ? v : new Date(v));
/** 14:03:27 in Almaty. */
export const fmtTime = (v: string | number | Date | null | undefined): string =>
  v == null ? "—" : fmt("time").format(toDate(v));
/** 06.12.2026, 14:03:27 in Almaty. */
export const fmtDateTime = (v: string | number | Date | null | undefined): string =>
  v == null ? "—" : fmt("datetime").format(toDate(v));
/** A duration as h:mm (minutes rounded down): 0:07, 1:45, 26:00. */
export function fmtDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  return `${h}:${String(m).padStart(2, "0")}`;
}
/** A countdown, h:mm:ss (0:00:59 is 59 s: never read as h:mm), for SLA clocks. */
export function fmtClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return `${h}:${String(m).padStart(2, "0")}:${String(r).padStart(2, "0")}`;
}
/** The hour-of-day label of a UTC hour bucket ("2026-12-06T09" or "09") in Almaty time. */
export function almatyHour(utcHour: string): string {
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}/.test(utcHour) ? `${utcHour.slice(0, 13)}:00:00Z`
    : `2026-01-01T${utcHour.padStart(2, "0")}:00:00Z`;
  return new Intl.DateTimeFormat("en-GB", { timeZone: ZONE, hour: "2-digit", hourCycle: "h23" })
    .format(new Date(iso)) + ":00";
}
