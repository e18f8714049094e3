// Sign-in (name, password, TOTP code or a recovery code). A failure says why in the
// person's language: wrong code, a code already used (wait for the next one), an account
// locked until a given time; anything else gets the generic "wrong name, password or code".
import { ApiError, post, setToken } from "./api";
import { errorText } from "./i18n/errors";
import { tl } from "./i18n/login";

const $ = <T extends HTMLElement>(sel: string): T => document.querySelector(sel) as T;

export interface LoginResult { stage: string; username: string }

/** Wires the form; ``done`` gets each successful sign-in (full, or the enrolment stage). */
export function wireLogin(done: (r: LoginResult) => Promise<void>): void {
  const form = $<HTMLFormElement>("#login-form");
  const toggle = $<HTMLButtonElement>("#use-recovery");
  toggle.addEventListener("click", () => {
    const rec = $("#recovery-row");
    rec.hidden = !rec.hidden;
    $("#totp-row").hidden = !rec.hidden;
  });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const err = $("#login-error"), button = $<HTMLButtonElement>("#login-submit");
    err.textContent = "";
    err.dataset.code = "";
    button.disabled = true;
    const username = $<HTMLInputElement>("#username").value.trim();
    const recovery = !$("#recovery-row").hidden;
    try {
      const tok = await post<{ stage: string; access_token: string }>("/api/auth/login", {
        username, password: $<HTMLInputElement>("#password").value,
        totp_code: recovery ? null : $<HTMLInputElement>("#totp").value.trim() || null,
        recovery_code: recovery ? $<HTMLInputElement>("#recovery").value.trim() || null : null,
      });
      setToken(tok.access_token);
      await done({ stage: tok.stage, username });
    } catch (e) {
      err.textContent = loginError(e);
      err.dataset.code = e instanceof ApiError ? e.code : "";
      $<HTMLInputElement>("#totp").value = "";
    } finally {
      button.disabled = false;
    }
  });
}

/** The sign-in failure in words; a plain 401 is the generic wrong-credentials message. */
export function loginError(e: unknown): string {
  if (e instanceof ApiError && e.status === 401 && (e.code === "unauthorized" || e.code === "auth_failed"))
    return errorText(new ApiError(401, "login_failed", ""));
  return errorText(e);
}

export { tl };
