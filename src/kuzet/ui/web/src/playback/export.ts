// Evidence export from the recordings screen: a time range of one or several of the
// cameras playing, with the reason and case number the law asks for, watermark and face
// blurring; the export's progress is followed until the signed bundle can be downloaded.
import { ApiError, type Me } from "../api";
import { h, say } from "../admin/dom";
import { fromLocal } from "../admin/when";
import { fmtDateTime } from "../i18n/core";
import { errorText } from "../i18n/errors";
import { tp, tpd } from "../i18n/playback";
import { latest, type Ticket } from "../latest";
import { createExport, downloadUrl, type Export, getExport, localSec, recentExports } from "./api";
import type { IncidentRef } from "./open";

export interface Ctx { cameras: string[]; t: number; incident: IncidentRef | null;
  name: (id: string) => string }

const FINAL = new Set(["done", "failed", "released"]);

export class ExportPanel {
  readonly el = h("section", { class: "pb-panel", id: "pb-export" });
  private start = h("input", { id: "pb-ex-start", type: "datetime-local", step: "1" });
  private end = h("input", { id: "pb-ex-end", type: "datetime-local", step: "1" });
  private reason = h("input", { id: "pb-ex-reason", maxlength: 512 });
  private caseNo = h("input", { id: "pb-ex-case", maxlength: 64 });
  private watermark = h("input", { id: "pb-ex-watermark", type: "checkbox" });
  private blur = h("input", { id: "pb-ex-blur", type: "checkbox" });
  private status = h("div", { id: "pb-ex-status" });
  private recent = h("ol", { id: "pb-ex-recent", class: "pb-list" });
  private chosen = new Set<string>();
  private cleared: boolean;
  private fresh = latest();  // the export asked for last owns the status line

  constructor(me: Me, private ctx: () => Ctx) {
    this.cleared = (me.clearances ?? []).includes("biometrics");
  }

  /** A new recording opened at ``at``: a minute around it, until the person says otherwise. */
  reset(at: number): void {
    this.start.value = localSec(at - 30_000);
    this.end.value = localSec(at + 30_000);
    this.chosen = new Set(this.ctx().cameras);
    void this.listRecent();
  }

  render(): void {
    const c = this.ctx();
    for (const id of [...this.chosen]) if (!c.cameras.includes(id)) this.chosen.delete(id);
    const boxes = c.cameras.map((id) => {
      const box = h("input", { type: "checkbox", "data-camera": id, checked: this.chosen.has(id) });
      box.onchange = () => { if (box.checked) this.chosen.add(id); else this.chosen.delete(id); };
      return h("label", { class: "chk" }, box, c.name(id));
    });
    const markIn = h("button", { id: "pb-ex-in", type: "button" }, tp("markIn"));
    const markOut = h("button", { id: "pb-ex-out", type: "button" }, tp("markOut"));
    markIn.onclick = () => { this.start.value = localSec(this.ctx().t); };
    markOut.onclick = () => { this.end.value = localSec(this.ctx().t); };
    if (!this.cleared) { this.blur.checked = true; this.blur.disabled = true; }
    const go = h("button", { id: "pb-ex-go", type: "submit", class: "primary" }, tp("exportGo"));
    const form = h("form", { class: "pb-form" },
      h("div", { class: "pb-cams" }, h("span", { class: "meta" }, tp("exportCameras")), ...boxes),
      h("label", { class: "fld" }, h("span", {}, tp("start")), h("span", { class: "pb-row2" }, this.start, markIn)),
      h("label", { class: "fld" }, h("span", {}, tp("end")), h("span", { class: "pb-row2" }, this.end, markOut)),
      h("label", { class: "fld" }, h("span", {}, tp("reason")), this.reason),
      h("label", { class: "fld" }, h("span", {}, tp("caseNumber")), this.caseNo),
      h("label", { class: "chk" }, this.watermark, tp("watermark")),
      h("label", { class: "chk" }, this.blur, tp("blur")),
      this.cleared ? null : h("p", { class: "meta" }, tp("blurForced")), go);
    form.onsubmit = (e) => { e.preventDefault(); void this.submit(); };
    this.el.replaceChildren(h("h3", {}, tp("exportTitle")), form, this.status,
      h("h4", {}, tp("recentExports")), this.recent);
  }

  private async submit(): Promise<void> {
    const cameras = [...this.chosen];
    const start = fromLocal(this.start.value), end = fromLocal(this.end.value);
    if (!cameras.length) { say(this.status, tp("exportNeedsCamera")); return; }
    if (this.reason.value.trim().length < 3 || !this.caseNo.value.trim()) {
      say(this.status, tp("exportNeedsReason"));
      return;
    }
    if (!start || !end) { say(this.status, errorText(new ApiError(422, "validation_error", ""))); return; }
    this.status.dataset.state = "busy";
    const still = this.fresh();
    try {
      const x = await createExport({ cameras, start, end, reason: this.reason.value.trim(),
        case_number: this.caseNo.value.trim(), watermark: this.watermark.checked,
        blur: this.blur.checked || !this.cleared });
      await this.follow(x, still);
    } catch (e) {
      if (!still()) return;
      this.status.dataset.state = "error";
      say(this.status, errorText(e) + nearest(e));
    }
  }

  /** Polls the export until it is finished, showing its state; then the download link. */
  private async follow(x: Export, still: Ticket): Promise<void> {
    for (;;) {
      if (!still()) return;  // a later export took the status line (this one goes on)
      this.show(x);
      if (FINAL.has(x.state) || !this.el.isConnected) break;
      await new Promise((r) => setTimeout(r, 1000));
      x = await getExport(x.id);
    }
    void this.listRecent();
  }

  private show(x: Export): void {
    this.status.dataset.state = x.state;
    this.status.dataset.export = x.id;
    this.status.className = x.state === "failed" ? "note error" : "note ok";
    const line = `${x.case_number} · ${tpd(`ex_${x.state}`)}`;
    const parts: (HTMLElement | string)[] = [line];
    if (x.state === "done") {
      const mb = ((x.bytes ?? 0) / 1e6).toFixed(1);
      parts.push(h("br"), tp("exportFiles", { n: x.files.length, mb }));
      if (x.gaps.length) parts.push(h("br"), tp("exportGaps", { n: x.gaps.length }));
      parts.push(h("br"), h("a", { id: "pb-ex-download", href: downloadUrl(x.id), download: "" }, tp("download")));
    }
    if (x.state === "failed" && x.error) parts.push(h("br"), x.error);
    this.status.replaceChildren(...parts);
  }

  private async listRecent(): Promise<void> {
    try {
      const xs = await recentExports();
      this.recent.replaceChildren(...xs.map((x) => h("li", { "data-id": x.id },
        `${fmtDateTime(x.created_at)} · ${x.case_number} · ${tpd(`ex_${x.state}`)} `,
        x.state === "done" ? h("a", { href: downloadUrl(x.id), download: "" }, tp("download")) : "")));
    } catch { /* the list is a convenience: the export itself says how it went */ }
  }
}

/** The server's `nearest` recording (a 404 no_recording) in words. */
function nearest(e: unknown): string {
  if (!(e instanceof ApiError) || e.code !== "no_recording") return "";
  const n = e.body.nearest as { before?: string | null; after?: string | null } | undefined;
  const out = [n?.before ? tp("nearestBefore", { time: fmtDateTime(n.before) }) : "",
    n?.after ? tp("nearestAfter", { time: fmtDateTime(n.after) }) : ""].filter(Boolean);
  return out.length ? ` ${out.join("; ")}` : "";
}
