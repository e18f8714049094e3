// Search and history as the screens call them: events (GET /api/events), the journal of
// closed incidents (GET /api/ops/journal) and the shift hand-over (GET /api/ops/handover).
import { api, type Incident } from "../api";

export interface EventRow { id: string; type: string; camera_id: string; ts: string; pts: number;
  phase: string; rule: string | null; track_id: number | null; class_name: string | null;
  score: number | null; box: number[] | null; attributes: Record<string, unknown>;
  snapshot: string | null }
export interface EventPage { items: EventRow[]; next_cursor: string | null }
export interface EventQuery { since?: string | null; until?: string | null; camera_id?: string;
  district?: string; category?: string; type?: string; class_name?: string; attr?: string[] }

export interface JournalPage { items: Incident[]; total: number; offset: number; limit: number }
export interface JournalQuery { since?: string | null; until?: string | null; agency?: string;
  type?: string; district?: string; state?: string }

export interface Note { ts: string; actor: string; note: string }
export interface Step { ts: string; actor: string; action: string }
export interface OpenItem { incident: Incident; notes: Note[]; last_step: Step | null }
export interface HandOver { since: string; until: string; generated_at: string; events: number;
  opened: number; closed: number; by_type: Record<string, number>;
  by_priority: Record<string, number>; by_agency: Record<string, number>;
  closed_by_state: Record<string, number>; sla_missed: { ack: number; resolve: number };
  missed: { id: string; type: string; agency_id: string; escalation: string | null;
    escalated_at: string | null }[];
  open: OpenItem[] }

export interface LogEntry { ts: string; actor: string; agency_id: string | null; action: string;
  state: string; note: string | null }
export interface IncidentDetail { incident: Incident; events: EventRow[]; log: LogEntry[] }

/** A query string of the set values; a list value repeats the parameter. */
export function qs(q: object): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (Array.isArray(v)) for (const x of v) p.append(k, String(x));
    else if (v != null && v !== "") p.set(k, String(v));
  }
  return p.toString();
}

export const events = (q: EventQuery, cursor: string | null, limit = 50): Promise<EventPage> =>
  api<EventPage>(`/api/events?${qs({ ...q, cursor, limit })}`);

export const journal = (q: JournalQuery, offset: number, limit = 50): Promise<JournalPage> =>
  api<JournalPage>(`/api/ops/journal?${qs({ ...q, offset, limit })}`);

export const handover = (since: string | null, until: string | null): Promise<HandOver> =>
  api<HandOver>(`/api/ops/handover?${qs({ since, until })}`);
export const handoverCsv = (since: string | null, until: string | null): string =>
  `/api/ops/handover.csv?${qs({ since, until })}`;

export const incident = (id: string): Promise<IncidentDetail> =>
  api<IncidentDetail>(`/api/ops/incidents/${encodeURIComponent(id)}`);
