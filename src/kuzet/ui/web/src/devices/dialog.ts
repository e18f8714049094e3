// The command dialog: what to send (the value the command takes, and a reason, which the
// audit log keeps), then a second, explicit confirmation, then the device's answer followed
// until it comes or the wait runs out: "done", "refused", or "no answer within N s" (the
// operator must know a siren may not be sounding). Nothing is sent before the confirmation.
import { api, post } from "../api";
import { fmtTime, t } from "../i18n/core";
import { errorText } from "../i18n/errors";
import { tx } from "../i18n/devices";
import { PARAM, type Command, type DevicePin } from "./types";

const FINAL = new Set(["acknowledged", "failed", "timed_out", "send_failed", "expired"]);

export function openCommand(dev: DevicePin, action: string): HTMLDialogElement {
  document.querySelector("dialog.dev-cmd")?.remove();
  const dlg = document.createElement("dialog");
  dlg.className = "dev-cmd";
  dlg.dataset.device = dev.id;
  const param = PARAM[action] ?? null;
  const label = t(`dv_a_${action}`), name = dev.name ?? dev.id;
  const h = document.createElement("h2");
  h.textContent = `${label} · ${name}`;
  const form = document.createElement("form");
  form.method = "dialog";
  let valueInput: HTMLInputElement | HTMLTextAreaElement | null = null;
  if (param === "duration_s") {
    const i = document.createElement("input");
    Object.assign(i, { type: "number", min: "1", max: "600", value: "60", name: "duration_s", required: true });
    valueInput = i;
  } else if (param === "text") {
    const i = document.createElement("textarea");
    Object.assign(i, { name: "text", maxLength: 500, rows: 3, required: true });
    valueInput = i;
  }
  const field = (text: string, input: HTMLElement) => {
    const l = document.createElement("label");
    l.append(text, input);
    form.append(l);
  };
  if (valueInput) field(tx(param === "text" ? "dv_text" : "dv_duration"), valueInput);
  const reason = document.createElement("input");
  Object.assign(reason, { name: "reason", maxLength: 500, size: 40 });
  field(tx("dv_reason"), reason);
  const msg = document.createElement("p");
  msg.className = "dev-msg";
  msg.setAttribute("role", "status");
  const buttons = document.createElement("div");
  buttons.className = "actions";
  const next = document.createElement("button");
  next.type = "submit";
  next.className = "dev-next";
  next.textContent = tx("dv_next");
  const cancel = document.createElement("button");
  cancel.type = "button";
  cancel.className = "dev-cancel";
  cancel.textContent = tx("dv_cancel");
  cancel.onclick = () => dlg.close();
  buttons.append(next, cancel);
  form.append(msg, buttons);
  dlg.append(h, form);
  document.body.append(dlg);
  dlg.addEventListener("close", () => dlg.remove());
  dlg.showModal();
  (valueInput ?? reason).focus();

  const say = (text: string, kind = "") => { msg.textContent = text; msg.dataset.kind = kind; };
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (reason.value.trim().length < 3) { say(tx("dv_reasonNeeded"), "error"); reason.focus(); return; }
    const body: Record<string, unknown> = { action, reason: reason.value.trim() };
    if (param === "duration_s") body.duration_s = Number(valueInput!.value);
    if (param === "text") body.text = valueInput!.value;
    next.disabled = true;
    void post<{ command: Command; confirm_token: string }>(
      `/api/devices/${encodeURIComponent(dev.id)}/commands`, body)
      .then((asked) => confirmStep(asked.command, asked.confirm_token))
      .catch((err) => { say(errorText(err), "error"); next.disabled = false; });
  });

  function confirmStep(cmd: Command, token: string): void {
    for (const l of form.querySelectorAll("label")) (l as HTMLElement).hidden = true;
    const value = param === "duration_s" ? ` (${valueInput!.value} s)` : "";
    say(tx("dv_confirmQ", { action: label + value, device: name }), "confirm");
    next.remove();
    const send = document.createElement("button");
    send.type = "button";
    send.className = "dev-confirm danger";
    send.textContent = tx("dv_confirmSend");
    buttons.prepend(send);
    send.focus();
    send.onclick = () => {
      send.disabled = true;
      cancel.disabled = true;
      void post<Command>(`/api/device-commands/${encodeURIComponent(cmd.id)}/confirm`, { confirm_token: token })
        .then((c) => follow(c))
        .catch((err) => { say(errorText(err), "error"); cancel.disabled = false; });
    };
  }

  function follow(c: Command): void {
    const waitS = c.deadline_at && c.confirmed_at
      ? Math.round((Date.parse(c.deadline_at) - Date.parse(c.confirmed_at)) / 1000) : 0;
    const show = (cmd: Command) => {
      dlg.dataset.state = cmd.state;
      if (cmd.state === "sent") say(tx("dv_sent", { s: waitS }), "wait");
      else if (cmd.state === "acknowledged") say(tx("dv_acknowledged", { time: fmtTime(cmd.finished_at) }), "ok");
      else if (cmd.state === "timed_out") say(tx("dv_timed_out", { s: waitS }), "error");
      else say(t(`dv_${cmd.state}`), "error");
      if (FINAL.has(cmd.state)) {
        buttons.querySelector(".dev-confirm")?.remove();
        cancel.disabled = false;
        cancel.textContent = tx("dv_close");
      }
    };
    show(c);
    const poll = () => {
      if (!dlg.isConnected || FINAL.has(dlg.dataset.state ?? "")) return;
      void api<Command>(`/api/device-commands/${encodeURIComponent(c.id)}`)
        .then(show).catch(() => undefined).finally(() => window.setTimeout(poll, 500));
    };
    window.setTimeout(poll, 300);
  }
  return dlg;
}
