// The plate routes (/api/plates, /api/plate-lists) as the screens use them.
import { api } from "../api";

export interface PlateRead {
  event_id: string; plate: string; plate_display: string | null; plate_format: string | null;
  plate_country: string | null; confidence: number | null; camera_id: string;
  track_id: number | null; ts: string; vehicle_class: string | null; has_snapshot: boolean;
  distance: number;
}
export interface PlateSearch { reads: PlateRead[]; next_cursor: string | null }
export interface PlateList {
  id: string; agency_id: string; name: string; kind: string; alert_target: string;
  fuzzy_distance: number; priority: number; visibility: string[]; entries: number;
  created_by: string; created_at: string; updated_at: string;
}
export interface PlateEntry {
  id: string; list_id: string; plate: string; plate_display: string | null; reason: string;
  added_by: string; valid_until: string | null; created_at: string; updated_at: string;
}
export interface PlateMatch { event_id: string; plate: string; entry_plate: string;
  distance: number; camera_id: string; ts: string }
export interface ImportReport { created: number; updated: number; unchanged: number;
  errors: { line: number; field: string | null; error: string }[] }

export interface SearchQuery { q: string; mode: string; distance: number; camera: string;
  since: string | null; until: string | null; reason: string }

export function searchReads(s: SearchQuery, cursor: string | null): Promise<PlateSearch> {
  const p = new URLSearchParams({ q: s.q, mode: s.mode, reason: s.reason, limit: "50" });
  if (s.mode === "fuzzy") p.set("distance", String(s.distance));
  if (s.camera) p.set("camera", s.camera);
  if (s.since) p.set("since", s.since);
  if (s.until) p.set("until", s.until);
  if (cursor) p.set("cursor", cursor);
  return api<PlateSearch>(`/api/plates/reads?${p}`);
}

const L = "/api/plate-lists";
export const lists = (): Promise<PlateList[]> => api<PlateList[]>(L);
export const createList = (body: Record<string, unknown>): Promise<PlateList> =>
  api<PlateList>(L, { method: "POST", body: JSON.stringify(body) });
export const entries = (id: string): Promise<PlateEntry[]> =>
  api<PlateEntry[]>(`${L}/${encodeURIComponent(id)}/entries?limit=1000`);
export const matches = (id: string): Promise<PlateMatch[]> =>
  api<PlateMatch[]>(`${L}/${encodeURIComponent(id)}/matches?limit=20`);
export const putEntry = (id: string, body: Record<string, unknown>):
  Promise<{ outcome: string; entry: PlateEntry }> =>
  api(`${L}/${encodeURIComponent(id)}/entries`, { method: "POST", body: JSON.stringify(body) });
export const removeEntry = (id: string, entry: string): Promise<PlateEntry> =>
  api(`${L}/${encodeURIComponent(id)}/entries/${encodeURIComponent(entry)}`, { method: "DELETE" });
/** The CSV file's text as the body (the server reads it whatever the declared type). */
export const importCsv = (id: string, text: string): Promise<ImportReport> =>
  api(`${L}/${encodeURIComponent(id)}/import`, { method: "POST", body: text });
