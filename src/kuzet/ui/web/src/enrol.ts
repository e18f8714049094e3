// First sign-in: an account with a one-time password has no TOTP yet. Its "enrol" session
// may only set TOTP up: show the QR code (and the secret, for typing) and the password
// rules, take a first code and a new password, show the recovery codes once, then sign in
// again properly.
import { ApiError, post } from "./api";
import { errorText } from "./i18n/errors";
import { tl } from "./i18n/login";
import { showRules } from "./password";

interface Enrolment { secret: string; otpauth_uri: string; qr_svg: string }

const $ = <T extends HTMLElement>(sel: string): T => document.querySelector(sel) as T;

export async function enrol(username: string): Promise<void> {
  const e = await post<Enrolment>("/api/auth/totp/enrol", {});
  $("#login").hidden = true;
  $("#enrol").hidden = false;
  // The server draws the QR as inline SVG; shown as an image, it cannot run anything
  // (an image needs the SVG namespace, which inline markup may omit).
  const svg = e.qr_svg.includes("xmlns=") ? e.qr_svg
    : e.qr_svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"');
  $<HTMLImageElement>("#enrol-qr").src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
  $("#enrol-secret").textContent = e.secret.replace(/(.{4})/g, "$1 ").trim();
  $("#enrol-uri").textContent = e.otpauth_uri;
  const pw = $<HTMLInputElement>("#enrol-password");
  const rulesMet = await showRules($("#enrol-rules"), pw, () => username);
  const form = $<HTMLFormElement>("#enrol-form");
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    const err = $("#enrol-error");
    err.textContent = "";
    if (!rulesMet()) { err.textContent = `${tl("enrolFailed")}: ${errorText(new ApiError(422, "weak_password", ""))}`; pw.focus(); return; }
    try {
      const r = await post<{ recovery_codes: string[] }>("/api/auth/totp/confirm", {
        code: $<HTMLInputElement>("#enrol-code").value.trim(), new_password: pw.value,
      });
      form.hidden = true;
      $("#recovery-codes").replaceChildren(...r.recovery_codes.map((c) => {
        const li = document.createElement("li");
        li.textContent = c;
        return li;
      }));
      $("#enrol-done").hidden = false;
    } catch (x) {
      err.textContent = `${tl("enrolFailed")}: ${errorText(which(x))}`;
    }
  };
  // The enrolment session has ended on the server: sign in with the new password and code.
  $<HTMLFormElement>("#enrol-done").onsubmit = (ev) => {
    ev.preventDefault();
    $("#enrol").hidden = true;
    $("#login").hidden = false;
    $<HTMLInputElement>("#username").value = username;
    $<HTMLInputElement>("#password").value = "";
    $<HTMLInputElement>("#totp").value = "";
    $("#login-error").textContent = tl("enrolDone");
  };
}

/** The server words a refused set-up as a 422 naming the field ("new_password: ...",
 *  "code: ..."): the person gets the rule or the code problem in their own language. */
function which(x: unknown): unknown {
  if (!(x instanceof ApiError) || x.status !== 422 || x.code !== "validation_error") return x;
  if (x.message.startsWith("new_password")) return new ApiError(422, "weak_password", "");
  if (x.message.startsWith("code")) return new ApiError(422, "totp_invalid", "");
  return x;
}
