// What the devices routes answer (kuzet.api.routers.device_response).
export interface DevicePin {
  id: string; kind: string; name: string | null; lat: number | null; lon: number | null;
  agency: string; category: string | null; district: string | null; linked_cameras: string[];
  state: string; last_type: string | null; last_at: string | null; battery: number | null;
  actions: string[];
}
export interface AlarmCamera {
  camera_id: string; name: string | null; linked: boolean; distance_m: number | null;
  picture: string; frame_ts: string | null; held: boolean; snapshot: string | null;
}
export interface Command {
  id: string; device_id: string; action: string; params: Record<string, unknown>; state: string;
  deadline_at: string | null; confirmed_at: string | null; finished_at: string | null;
  result: Record<string, unknown> | null;
}
export const ALARM_TYPES = new Set(["sos", "fire_alarm"]);
export const PARAM: Record<string, "duration_s" | "text" | null> = {
  siren_on: "duration_s", siren_off: null, announce: "text", speaker_stop: null,
  door_release: "duration_s", door_lock: null,
};
