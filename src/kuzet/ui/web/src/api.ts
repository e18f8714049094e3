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
  version: number;
}
export interface CameraPin {
  id: string; name: string | null; category: string; district: string | null;
  lat: number | null; lon: number | null; status: string;
}
export interface Settings {
  agencies: { id: string; name: string }[];
  routing: { event_type: string | null; category: string | null; district: string | null;
             agency: string; priority: number }[];
}
export interface Me { username: string; agency_id: string; role: string; stage: string }

export class ApiError extends Error {
  constructor(public status: number, message: string) { super(message); }
}

let token: string | null = null;
export function setToken(t: string | null): void { token = t; }

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (init.body) headers["Content-Type"] = "application/json";
  if (token && init.method && init.method !== "GET") headers.Authorization = `Bearer ${token}`;
  const r = await fetch(path, { credentials: "same-origin", ...init, headers });
  if (!r.ok) {
    let msg = r.statusText;
    try { msg = (await r.json()).message ?? msg; } catch { /* not JSON */ }
    throw new ApiError(r.status, msg);
  }
  return (r.status === 204 ? undefined : await r.json()) as T;
}

export const post = <T>(path: string, body: unknown): Promise<T> =>
  api<T>(path, { method: "POST", body: JSON.stringify(body) });
