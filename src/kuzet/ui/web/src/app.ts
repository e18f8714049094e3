// Entry point: sign-in (password + TOTP; TOTP set-up on the first one), then the shell with
// the screens the caller's permissions allow. Screens register themselves when imported:
// a new module is one import line here (see docs/ui.md, "Adding a screen").
import "./i18n/errors";
import "./i18n/terms";
import "./i18n/traffic";
import "./i18n/ops";
import "./i18n/login";
import "./ops";
import "./stats";
import "./history/screens";
import "./playback/screens";
import "./forensic/screens";
import "./plates/screens";
import "./traffic/screens";
import "./admin/screens";
import "./review/screens";
import "./devices/screens";
import { api, post, setToken, type Me } from "./api";
import { enrol } from "./enrol";
import { applyStatic, fmtTime, onLangChange, setLang, type Lang } from "./i18n/core";
import { agencyName, roleName } from "./i18n/terms";
import { wireLogin } from "./login";
import { startShell } from "./shell";

const $ = <T extends HTMLElement>(sel: string): T => document.querySelector(sel) as T;

async function start(me: Me): Promise<void> {
  $("#login").hidden = true;
  $("#enrol").hidden = true;
  $("#app").hidden = false;
  const who = () => { $("#whoami").textContent = `${me.username} · ${agencyName(me.agency_id)} · ${roleName(me.role)}`; };
  who();
  onLangChange(who);
  const clock = $("#clock");  // the city's time, whatever the console's zone: a shift runs on it
  const tick = () => { clock.textContent = fmtTime(Date.now()); };
  tick();
  setInterval(tick, 1000);
  setInterval(() => void refresh().catch(() => location.reload()), 600_000);
  startShell(me);
}

async function refresh(): Promise<void> {
  const tok = await post<{ access_token: string }>("/api/auth/refresh", {});
  setToken(tok.access_token);
}

function boot(): void {
  applyStatic();
  document.querySelectorAll<HTMLSelectElement>("select.lang").forEach((s) =>
    s.addEventListener("change", () => setLang(s.value as Lang)));
  wireLogin(async (r) => {
    if (r.stage !== "full") { await enrol(r.username); return; }
    await start(await api<Me>("/api/auth/me"));
  });
  $("#logout").addEventListener("click", () =>
    void post("/api/auth/logout", {}).finally(() => { setToken(null); location.reload(); }));
  // A reload keeps the session: the refresh cookie buys a fresh token.
  refresh().then(() => api<Me>("/api/auth/me"))
    .then((me) => { if (me.stage === "full") void start(me); }).catch(() => undefined);
}

boot();
