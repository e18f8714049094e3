// The administration API as the screens use it: accounts, agencies, API keys, the camera
// registry and the audit log (shapes as in kuzet.api.schemas_access / schemas).
import { api } from "../api";

export interface ScopeJson { categories: string[] | null; camera_ids: string[] | null;
  districts: string[] | null; event_types: string[] | null }
export interface User { id: string; username: string; agency_id: string; role: string;
  active: boolean; totp_enabled: boolean; scope: ScopeJson; clearances: string[];
  locked_until: string | null; created_at: string }
export interface UserCreated extends User { one_time_password: string | null }
export interface Agency { id: string; name: string; platform: boolean; scope: ScopeJson }
export interface ApiKey { id: string; user_id: string; permissions: string[]; created_at: string;
  expires_at: string | null; revoked_at: string | null; last_used_at: string | null }
export interface ApiKeyCreated extends ApiKey { key: string }
export interface LiveStatus { state: string; reason: string | null; fps: number;
  reconnects: number; last_frame_at: string | null }
export interface Camera { id: string; name: string | null; category: string;
  district: string | null; latitude: number | null; longitude: number | null;
  direction_deg?: number | null; fov_deg?: number | null; main_url: string; sub_url: string | null; enabled: boolean; status?: LiveStatus | null }
export interface AuditRecord { seq: number; ts: string; actor: string; agency_id: string | null;
  action: string; target: string | null; ip: string | null; reason: string | null;
  outcome: string; detail: Record<string, unknown>; prev_hash: string; hash: string }
export interface AuditPage { items: AuditRecord[]; next_after_seq: number | null }
export interface AuditVerify { ok: boolean; records: number; problems: string[] }

// The server's enums (kuzet.access.model): what a form may offer.
export const ROLES = ["operator", "supervisor", "investigator", "analyst", "administrator",
  "auditor", "integration"];
export const CLEARANCES = ["video", "biometrics", "plates"];
/** What an integration account's key may be given (the integration role's ceiling). */
export const KEY_PERMISSIONS = ["cameras.read", "events.read", "snapshots.read", "live.read",
  "metrics.read", "watchlists.read", "watchlists.write", "faces.search"];

const enc = encodeURIComponent;

/** A change sent with the person's reason, which the server writes to the audit log. */
export function write<T>(path: string, method: string, body: unknown,
                         reason?: string | null): Promise<T> {
  const headers: Record<string, string> = reason ? { "X-Kuzet-Reason": reason } : {};
  return api<T>(path, { method, headers,
    body: body === undefined ? undefined : JSON.stringify(body) });
}

export const users = {
  list: () => api<User[]>("/api/users"),
  create: (b: { username: string; agency_id: string; role: string; clearances?: string[] },
           reason: string | null) => write<UserCreated>("/api/users", "POST", b, reason),
  patch: (id: string, b: Partial<Pick<User, "role" | "active" | "scope" | "clearances">>,
          reason: string | null) => write<User>(`/api/users/${enc(id)}`, "PATCH", b, reason),
  reset: (id: string, reason: string | null) =>
    write<UserCreated>(`/api/users/${enc(id)}/reset`, "POST", {}, reason),
};

export const agencies = {
  list: () => api<Agency[]>("/api/agencies"),
  put: (id: string, b: { name: string; platform: boolean; scope: Partial<ScopeJson> }) =>
    write<Agency>(`/api/agencies/${enc(id)}`, "PUT", b),
};

export const keys = {
  list: (userId: string) => api<ApiKey[]>(`/api/users/${enc(userId)}/api-keys`),
  create: (userId: string, permissions: string[], ttl_days: number | null) =>
    write<ApiKeyCreated>(`/api/users/${enc(userId)}/api-keys`, "POST", { permissions, ttl_days }),
  rotate: (id: string) => write<ApiKeyCreated>(`/api/api-keys/${enc(id)}/rotate`, "POST", {}),
  revoke: (id: string) => write<void>(`/api/api-keys/${enc(id)}`, "DELETE", undefined),
};

export const cameras = {
  list: () => api<Camera[]>("/api/cameras"),
  create: (c: Camera) => write<Camera>("/api/cameras", "POST", c),
  replace: (c: Camera) => write<Camera>(`/api/cameras/${enc(c.id)}`, "PUT", c),
  remove: (id: string) => write<void>(`/api/cameras/${enc(id)}`, "DELETE", undefined),
};

export interface AuditQuery { actor?: string; action?: string; since?: string | null;
  until?: string | null }

function query(q: object): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v != null && v !== "") p.set(k, String(v));
  return p.toString();
}

export const audit = {
  page: (q: AuditQuery, afterSeq: number, limit = 100) =>
    api<AuditPage>(`/api/audit?${query({ ...q, after_seq: afterSeq, limit })}`),
  exportUrl: (q: AuditQuery, format: "csv" | "jsonl") =>
    `/api/audit/export?${query({ ...q, format })}`,
  verify: () => api<AuditVerify>("/api/audit/verify"),
};
