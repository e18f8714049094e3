// The forensic search as the screen calls it (docs/archive.md): what the user may filter
// on, a page of tracks, the tracks of a face photo.
import { api } from "../api";
import { qs } from "../history/api";

export interface Info { attributes: string[]; max_range_days: number; max_limit: number;
  directions: string[]; zone_modes: string[]; frame?: { width: number; height: number } | null }
export interface Hit { ref: string; camera_id: string; track_id: number; part: number;
  class_name: string; start: string; end: string; duration_s: number; at: string;
  score: number; frames: number; frame_w: number; frame_h: number;
  attributes: Record<string, string>; snapshot_url: string | null;
  crossings: { at: string; direction: "in" | "out" }[] | null; face_score: number | null }
export interface Page { items: Hit[]; next_cursor: string | null; cameras: number | null; files: number }
export interface Query { since: string; until: string; camera_id?: string[]; district?: string[];
  category?: string[]; area?: string; class_name?: string; attr?: string[]; line?: string;
  in_point?: string; direction?: string; zone?: string; zone_mode?: string }

export const info = (camera?: string): Promise<Info> =>
  api<Info>(`/api/archive/info${camera ? `?${qs({ camera_id: camera })}` : ""}`);

export const tracks = (q: Query, cursor: string | null, limit = 24): Promise<Page> =>
  api<Page>(`/api/archive/tracks?${qs({ ...q, cursor, limit })}`);

export function byFace(photo: File, q: Query, reason: string, limit = 24): Promise<Page> {
  const f = new FormData();
  f.set("photo", photo);
  f.set("since", q.since);
  f.set("until", q.until);
  f.set("reason", reason);
  f.set("limit", String(limit));
  if (q.camera_id?.length) f.set("cameras", q.camera_id.join(","));
  return api<Page>("/api/archive/tracks/face", { method: "POST", body: f });
}
