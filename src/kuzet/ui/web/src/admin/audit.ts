// The audit-log viewer for auditors: search by person, action and time (oldest first, a
// page at a time), one record's full detail, the hash chain's check, and the export.
import type { Me } from "../api";
import { can } from "../api";
import { ta } from "../i18n/admin";
import { fmtDateTime } from "../i18n/core";
import { errorText } from "../i18n/errors";
import { latest } from "../latest";
import { type AuditQuery, type AuditRecord, audit } from "./api";
import { field, h, mark, say, table } from "./dom";
import { fromLocal, timeInput } from "./when";

const DAY = 86_400_000;

export class AuditView {
  private rows: AuditRecord[] = [];
  private next: number | null = null;
  private q: AuditQuery = {};
  private actor = h("input", { id: "aud-actor", maxlength: 128 });
  private action = h("input", { id: "aud-action", maxlength: 128, list: "aud-actions" });
  private since = timeInput("aud-since", Date.now() - DAY);
  private until = timeInput("aud-until");
  private list = h("div", { id: "aud-list" });
  private detail = h("section", { class: "adm-card", id: "aud-detail" });
  private note = h("div", { id: "aud-note" });
  private more = h("button", { id: "aud-more", hidden: true });
  private exports = h("span", { class: "exports" });
  private fresh = latest();  // the newest search or page: an earlier, slower one is dropped

  constructor(private el: HTMLElement, private me: Me) {}

  async load(): Promise<void> {
    this.render();
    await this.search();
  }

  render(): void {
    const go = h("button", { id: "aud-search", type: "submit", class: "primary" }, ta("search"));
    const verify = h("button", { id: "aud-verify", type: "button" }, ta("verifyChain"));
    verify.onclick = () => void this.verify();
    this.more.textContent = ta("more");
    this.more.onclick = () => void this.page();
    const known = ["login", "logout", "user.create", "user.update", "user.reset", "user.unlock",
      "user.totp_reset", "grant.approve", "grant.reject", "agency.upsert",
      "event.search", "snapshot.view", "clip.view", "camera.create", "camera.update",
      "camera.delete", "incident.create", "incident.resolve", "audit.search", "audit.export"];
    const form = h("form", { class: "bar", id: "aud-form" },
      field(ta("actor"), this.actor), field(ta("action"), this.action),
      field(ta("since"), this.since), field(ta("until"), this.until), go, verify, this.exports,
      h("datalist", { id: "aud-actions" }, ...known.map((a) => h("option", { value: a }))));
    form.onsubmit = (ev) => { ev.preventDefault(); void this.search(); };
    this.el.replaceChildren(h("div", { class: "adm-cols" },
      h("section", { class: "adm-list" }, form, this.note, this.list, this.more), this.detail));
    this.detail.replaceChildren(h("p", { class: "meta" }, ta("auditHint")));
    this.drawRows();
  }

  private async search(): Promise<void> {
    this.q = { actor: this.actor.value.trim(), action: this.action.value.trim(),
      since: fromLocal(this.since.value), until: fromLocal(this.until.value) };
    this.rows = [];
    this.next = 0;
    this.list.dataset.state = "busy";
    this.exports.replaceChildren(...(can(this.me, "audit.export") ? (["csv", "jsonl"] as const)
      .map((f) => h("a", { href: audit.exportUrl(this.q, f), download: `kuzet-audit.${f}`,
        id: `aud-export-${f}` }, ta(f === "csv" ? "exportCsv" : "exportJsonl"))) : []));
    await this.page();
  }

  private async page(): Promise<void> {
    if (this.next === null) return;
    const still = this.fresh();
    try {
      const p = await audit.page(this.q, this.next);
      if (!still()) return;
      this.rows.push(...p.items);
      this.next = p.next_after_seq;
      this.note.textContent = "";
    } catch (e) {
      if (!still()) return;
      say(this.note, errorText(e));
    }
    this.drawRows();
  }

  private drawRows(): void {
    this.list.dataset.state = "done";
    this.more.hidden = this.next === null || !this.rows.length;
    if (!this.rows.length) {
      this.list.replaceChildren(h("p", { class: "meta" }, ta("nothingFound")));
      return;
    }
    this.list.replaceChildren(table(
      ["#", ta("time"), ta("actor"), ta("agency"), ta("action"), ta("target"), ta("outcome"),
        ta("reason")], this.rows, (r) => String(r.seq),
      (r) => [r.seq, fmtDateTime(r.ts), r.actor, r.agency_id ?? "", r.action, r.target ?? "",
        h("span", { class: `outcome ${r.outcome}` }, r.outcome), r.reason ?? ""],
      (r) => { mark(this.list, String(r.seq)); this.show(r); }));
  }

  private show(r: AuditRecord): void {
    const row = (k: string, v: string) => [h("dt", {}, k), h("dd", {}, v)];
    this.detail.replaceChildren(h("h2", {}, `#${r.seq} · ${r.action}`),
      h("dl", {}, ...row(ta("time"), fmtDateTime(r.ts)), ...row(ta("actor"), r.actor),
        ...row(ta("agency"), r.agency_id ?? "—"), ...row(ta("target"), r.target ?? "—"),
        ...row(ta("outcome"), r.outcome), ...row(ta("reason"), r.reason ?? "—"),
        ...row("IP", r.ip ?? "—"), ...row(ta("hash"), r.hash.slice(0, 16) + "…"),
        ...row(ta("prevHash"), r.prev_hash.slice(0, 16) + "…")),
      h("h3", {}, ta("detail")), h("pre", { id: "aud-json" }, JSON.stringify(r.detail, null, 2)));
  }

  private async verify(): Promise<void> {
    try {
      const v = await audit.verify();
      say(this.note, v.ok ? ta("chainOk", { n: v.records })
        : ta("chainBroken", { n: v.problems.length }) + ": " + v.problems.slice(0, 3).join("; "),
      v.ok);
    } catch (e) {
      say(this.note, errorText(e));
    }
  }
}
