// Recorded video as the screens call it (docs/recording.md): a camera's timeline (spans,
// gaps, event marks, bookmarks), HLS playlists and thumbnails, exports and bookmarks.
// Times go out as ISO 8601 with a zone ("...Z"), ranges are [start, end).
import { api, del, post } from "../api";
import { toLocal } from "../admin/when";
import { qs } from "../history/api";

export interface Span { start: string; end: string }
export interface Gap { start: string; end: string | null; reason: string }
export interface Mark { id: string; type: string; ts: string; phase: string;
  class_name: string | null; rule: string | null }
export interface Bookmark { id: string; camera_id: string; ts: string; note: string;
  created_by: string; agency_id: string; created_at: string; updated_at: string;
  incident_id: string | null; hold_id: string | null }
export interface Timeline { camera_id: string; start: string; end: string; spans: Span[];
  gaps: Gap[]; marks: Mark[]; marks_truncated: boolean; bookmarks: Bookmark[];
  first: string | null; last: string | null }
export interface ExportFile { name: string; camera_id: string; start: string; end: string;
  bytes: number; sha256: string }
export interface Export { id: string; state: string; cameras: string[]; start: string;
  end: string; reason: string; case_number: string; watermark: boolean;
  faces_blurred: boolean; created_by: string; created_at: string; finished_at: string | null;
  error: string | null; bytes: number | null; files: ExportFile[];
  gaps: { camera_id: string; start: string; end: string; reason: string }[] }
export interface ExportIn { cameras: string[]; start: string; end: string; reason: string;
  case_number: string; watermark: boolean; blur: boolean }

export const iso = (ms: number): string => new Date(ms).toISOString();
/** "YYYY-MM-DDTHH:MM:SS" in the city's clock, for time inputs with seconds. */
export const localSec = (ms: number): string =>
  `${toLocal(ms)}:${String(new Date(ms).getUTCSeconds()).padStart(2, "0")}`;
const cam = (id: string): string => `/api/recordings/${encodeURIComponent(id)}`;

export const timeline = (id: string, a: number, b: number): Promise<Timeline> =>
  api<Timeline>(`${cam(id)}/timeline?${qs({ start: iso(a), end: iso(b) })}`);
export const playlistUrl = (id: string, a: number, b: number): string =>
  `${cam(id)}/playlist.m3u8?${qs({ start: iso(a), end: iso(b) })}`;
export const thumbnailUrl = (id: string, t: number, width = 640): string =>
  `${cam(id)}/thumbnail.jpg?${qs({ t: iso(t), width })}`;
export const stripUrl = (id: string, a: number, b: number, count: number): string =>
  `${cam(id)}/thumbnails.jpg?${qs({ start: iso(a), end: iso(b), count, width: 96 })}`;

export const createExport = (body: ExportIn): Promise<Export> => post<Export>("/api/exports", body);
export const getExport = (id: string): Promise<Export> =>
  api<Export>(`/api/exports/${encodeURIComponent(id)}`);
export const recentExports = (): Promise<Export[]> => api<Export[]>("/api/exports?limit=10");
export const downloadUrl = (id: string): string => `/api/exports/${encodeURIComponent(id)}/download`;

export const bookmarksOf = (camera: string, a: number, b: number): Promise<Bookmark[]> =>
  api<Bookmark[]>(`/api/bookmarks?${qs({ camera_id: camera, start: iso(a), end: iso(b) })}`);
export const addBookmark = (camera_id: string, ts: number, note: string,
                            incident_id: string | null): Promise<Bookmark> =>
  post<Bookmark>("/api/bookmarks", { camera_id, ts: iso(ts), note, incident_id });
export const editBookmark = (id: string, patch: { note?: string; incident_id?: string | null }):
  Promise<Bookmark> => api<Bookmark>(`/api/bookmarks/${encodeURIComponent(id)}`,
  { method: "PATCH", body: JSON.stringify(patch) });
export const dropBookmark = (id: string, reason: string): Promise<void> =>
  del(`/api/bookmarks/${encodeURIComponent(id)}?${qs({ reason })}`);
