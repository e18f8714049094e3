// Thin fetch helpers. Reads (GET, images, the WebSocket) ride on the HttpOnly session
// cookie; writes carry the access token as a bearer header, because the API never takes
// a cookie as proof for a state change (no cross-site request can forge one). The token
// lives only in this module's memory; a reload gets a new one from the refresh cookie.
export interface Incident {
  id: string; state: string; priority: number; type: string; rule: string | null;
  camera_id: string; camera_name: string | null; category: string | null;
  district: string | null; latitude: number | null; longitude: number | null;
  agency_id: string; agencies: string[]; unit: string | null; score: number | null;
  first_event_id: string; last_event_id: string; snapshot_event_id: string | null;
  event_count: number; event_ts: string; created_at: string; updated_at: string;
  acknowledged_at: string | null; closed_at: string | null; ack_due_at: string;
  resolve_due_at: string; escalated_at: string | null; escalation: string | null;
  version: number;        // bumped by any change, events joining included
  step_version?: number;  // bumped by workflow steps only: the step lock sent back with a step
  checklist?: CheckMark[];
}
export interface CheckMark { item: number; done: boolean; actor: string; ts: string }
export interface LogEntry { id?: number; ts: string; actor: string; agency_id: string | null;
  action: string; state: string; note: string | null; detail?: Record<string, unknown> }
export interface CameraPin {
  id: string; name: string | null; category: string; district: string | null;
  lat: number | null; lon: number | null; status: string;
  direction_deg?: number | null; fov_deg?: number | null;  // view direction, clockwise from north
  agency?: string; enabled?: boolean;
}
export type Localised = string | Partial<Record<"ru" | "kk" | "en", string>>;
export interface ChecklistItem { id: number; text: Localised }
export interface Basemap { url: string; bounds?: number[] | null; min_zoom?: number | null;
  max_zoom?: number | null; center?: number[] | null; tile_type?: string; attribution?: string | null }
export interface Settings {
  agencies: { id: string; name: string }[];
  routing: { event_type: string | null; category: string | null; district: string | null;
             agency: string; priority: number }[];
  basemap?: Basemap | null;
  checklists?: Record<string, ChecklistItem[]>;
  labels?: { rules?: Record<string, Localised> };
}
export interface Me { username: string; agency_id: string; role: string; stage: string;
  permissions?: string[]; clearances?: string[] }

/** A failed call: HTTP status, the server's machine-readable code and its extra fields. */
export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string,
              public body: Record<string, unknown> = {}, public retryAfter: number | null = null) {
    super(message);
  }
}

let token: string | null = null;
export function setToken(t: string | null): void { token = t; }

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  // the caller's own headers (e.g. X-Kuzet-Reason on an administrator's write) are kept
  const headers: Record<string, string> = { Accept: "application/json",
    ...Object.fromEntries(new Headers(init.headers ?? {}).entries()) };
  if (init.body && !(init.body instanceof FormData)) headers["Content-Type"] = "application/json";
  if (token && init.method && init.method !== "GET") headers.Authorization = `Bearer ${token}`;
  let r: Response;
  try {
    r = await fetch(path, { credentials: "same-origin", ...init, headers });
  } catch {
    throw new ApiError(0, "network", "network error");
  }
  if (!r.ok) {
    let body: Record<string, unknown> = {};
    try { body = await r.json(); } catch { /* not JSON */ }
    const code = typeof body.error === "string" ? body.error : typeof body.code === "string"
      ? body.code : `http_${r.status}`;
    const after = Number(r.headers.get("Retry-After"));
    throw new ApiError(r.status, code, String(body.message ?? r.statusText), body,
                       Number.isFinite(after) && after > 0 ? after : null);
  }
  return (r.status === 204 ? undefined : await r.json()) as T;
}

export const post = <T>(path: string, body: unknown): Promise<T> =>
  api<T>(path, { method: "POST", body: JSON.stringify(body) });
export const put = <T>(path: string, body: unknown): Promise<T> =>
  api<T>(path, { method: "PUT", body: JSON.stringify(body) });
export const del = (path: string): Promise<void> => api<void>(path, { method: "DELETE" });

/** Whether the signed-in user holds a permission (an old server without the list: yes). */
export function can(me: Me, perm: string): boolean {
  return me.permissions === undefined || me.permissions.includes(perm);
}
