// The administration API as the screens use it: accounts, agencies, API keys, the camera
// registry and the audit log (shapes as in kuzet.api.schemas_access / schemas).
import { api } from "../api";

export interface ScopeJson { categories: string[] | null; camera_ids: string[] | null;
  districts: string[] | null; event_types: string[] | null }
export interface User { id: string; username: string; agency_id: string; role: string;
  active: boolean; totp_enabled: boolean; scope: ScopeJson; clearances: string[];
  locked_until: string | null; failed_logins?: number; created_at: string }
/** Clearances (or an API key's face permissions) waiting for a second person. */
export interface Grant { id: string; user_id: string; username: string | null;
  api_key_id: string | null; clearances: string[]; permissions: string[]; why: string;
  reason: string | null; requested_by: string; created_at: string;
  status: "pending" | "approved" | "rejected" | "cancelled"; decided_by: string | null;
  decided_at: string | null }
export interface UserChanged extends User { pending_grant?: Grant | null }
export interface UserCreated extends UserChanged { one_time_password: string | null }
export interface RoleInfo { role: string; permissions: string[]; clearances: string[];
  human: boolean }
export interface Agency { id: string; name: string; platform: boolean; scope: ScopeJson }
export interface ApiKey { id: string; user_id: string; permissions: string[]; created_at: string;
  expires_at: string | null; revoked_at: string | null; last_used_at: string | null }
export interface ApiKeyCreated extends ApiKey { key: string; pending_grant?: Grant | null;
  suspended_grant?: Grant | null }
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
export const CLEARANCES = ["video", "biometrics", "plates", "city_audit"];
/** What an integration account's key may be given (the integration role's ceiling). */
export const KEY_PERMISSIONS = ["cameras.read", "events.read", "snapshots.read", "live.read",
  "metrics.read", "watchlists.read", "watchlists.write", "faces.search", "platelists.read",
  "platelists.write"];

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
  patch: (id: string, b: Partial<Pick<User, "role" | "scope" | "clearances">>,
          reason: string | null) => write<UserChanged>(`/api/users/${enc(id)}`, "PATCH", b, reason),
  reset: (id: string, reason: string | null) =>
    write<UserCreated>(`/api/users/${enc(id)}/reset`, "POST", undefined, reason),
  /** forget failed sign-ins from every address (their locks end) */
  unlock: (id: string, reason: string | null) =>
    write<{ failures_cleared: number }>(`/api/users/${enc(id)}/unlock`, "POST", undefined, reason),
  /** lost phone: TOTP and recovery codes cleared, sessions ended; the password stays */
  resetTotp: (id: string, reason: string | null) =>
    write<void>(`/api/users/${enc(id)}/reset-totp`, "POST", undefined, reason),
  deactivate: (id: string, reason: string | null) =>
    write<UserChanged>(`/api/users/${enc(id)}/deactivate`, "POST", undefined, reason),
  reactivate: (id: string, reason: string | null) =>
    write<UserChanged>(`/api/users/${enc(id)}/reactivate`, "POST", undefined, reason),
};

export const roles = { list: () => api<RoleInfo[]>("/api/roles") };

export type GrantStatus = Grant["status"] | "all";
export const grants = {
  list: (status: GrantStatus = "pending") => api<Grant[]>(`/api/grants?status=${status}`),
  decide: (id: string, approve: boolean, reason: string | null) =>
    write<Grant>(`/api/grants/${enc(id)}/${approve ? "approve" : "reject"}`, "POST", undefined,
      reason),
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
