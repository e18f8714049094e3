// Clearance requests (separation of duties): what administrators asked beyond their own
// clearances waits here for a second, independent person. Everyone who reads accounts sees
// the requests of their view, pending or decided; supervisors (grants.approve) approve or
// reject one with a reason the audit log keeps. The server refuses an approver who asked,
// is the account, or issued credentials in either's chain (approver_not_independent): the
// page says so in the person's language.
import { can, type Me } from "../api";
import { tc, tcd } from "../i18n/access";
import { fmtDateTime } from "../i18n/core";
import { errorText } from "../i18n/errors";
import { latest } from "../latest";
import { type Grant, type GrantStatus, grants } from "./api";
import { field, h, mark, say, select, table } from "./dom";
import { grantWhat } from "./pending";

const STATUSES: GrantStatus[] = ["pending", "approved", "rejected", "cancelled", "all"];
const why = (g: Grant): string => tcd(`why_${g.why.replace(/\./g, "_")}`);
const decision = (g: Grant): string => g.decided_by
  ? tc("decidedBy", { who: g.decided_by, time: fmtDateTime(g.decided_at) }) : "—";

export class GrantsView {
  private rows: Grant[] = [];
  private status: GrantStatus = "pending";
  private chosen: string | null = null;
  private list = h("div", { id: "gr-list" });
  private detail = h("section", { class: "adm-card", id: "gr-detail" });
  private note = h("div", { id: "gr-note" });
  private fresh = latest();  // the status chosen last: a slower earlier list is dropped

  constructor(private el: HTMLElement, private me: Me) {}

  async load(): Promise<void> {
    const still = this.fresh();
    try {
      const rows = await grants.list(this.status);
      if (!still()) return;
      this.rows = rows;
      this.note.textContent = "";
    } catch (e) {
      if (!still()) return;
      this.rows = [];
      say(this.note, errorText(e));
    }
    this.render();
  }

  render(): void {
    const pick = select("gr-status", STATUSES.map((s) => [s, tc(`st_${s}`)]), undefined, this.status);
    pick.onchange = () => { this.status = pick.value as GrantStatus; void this.load(); };
    this.el.replaceChildren(h("div", { class: "adm-cols" },
      h("section", { class: "adm-list" }, h("p", { class: "meta" }, tc("grantsHint")),
        h("div", { class: "bar" }, field(tc("show"), pick)), this.note, this.list),
      this.detail));
    this.list.dataset.state = "done";
    this.list.replaceChildren(this.rows.length ? table(
      [tc("requested"), tc("account"), tc("asked"), tc("change"), tc("requestedBy"), tc("state"),
        tc("decided")], this.rows, (g) => g.id,
      (g) => [fmtDateTime(g.created_at), g.username ?? g.user_id, grantWhat(g), why(g),
        g.requested_by, tc(`st_${g.status}`), decision(g)],
      (g) => { this.chosen = g.id; mark(this.list, g.id); this.show(g); })
      : h("p", { class: "meta" }, tc("noGrants")));
    const g = this.rows.find((x) => x.id === this.chosen);
    if (g) { mark(this.list, g.id); this.show(g); }
    else this.detail.replaceChildren(h("p", { class: "meta" }, tc("chooseGrant")));
  }

  private show(g: Grant): void {
    const row = (k: string, v: string, id?: string) => [h("dt", {}, k), h("dd", id ? { id } : {}, v)];
    const out = h("div", { id: "gr-result" });
    const parts: (HTMLElement | null)[] = [
      h("h2", {}, g.username ?? g.user_id, " · ", grantWhat(g)),
      h("dl", {}, ...row(tc("asked"), grantWhat(g)),
        ...row(tc("change"), g.api_key_id ? `${why(g)} · ${tc("apiKey", { id: g.api_key_id.slice(0, 8) })}` : why(g)),
        ...row(tc("requestedBy"), g.requested_by), ...row(tc("requested"), fmtDateTime(g.created_at)),
        ...row(tc("reasonAsked"), g.reason ?? "—"), ...row(tc("state"), tc(`st_${g.status}`), "gr-state"),
        ...row(tc("decided"), decision(g))),
    ];
    if (g.status === "pending" && can(this.me, "grants.approve")) {
      const reason = h("input", { id: "gr-reason", maxlength: 500 });
      const approve = h("button", { id: "gr-approve", class: "primary" }, tc("approve"));
      const reject = h("button", { id: "gr-reject", class: "danger" }, tc("reject"));
      const decide = async (yes: boolean) => {
        approve.disabled = reject.disabled = true;
        try {
          const done = await grants.decide(g.id, yes, reason.value.trim() || null);
          this.chosen = done.id;
          await this.load();
          if (!this.rows.some((x) => x.id === done.id)) this.show(done);  // left the filter
          say(this.detail.querySelector<HTMLElement>("#gr-result")!,
            tc(yes ? "approved" : "rejected"), true);
        } catch (e) {
          say(out, errorText(e));
          approve.disabled = reject.disabled = false;
        }
      };
      approve.onclick = () => void decide(true);
      reject.onclick = () => void decide(false);
      parts.push(field(tc("decisionReason"), reason), h("div", { class: "actions" }, approve, reject));
    } else if (g.status === "pending") {
      parts.push(h("p", { class: "meta", id: "gr-who-decides" },
        tc(g.requested_by === this.me.username ? "ownRequest" : "othersDecide")));
    }
    parts.push(out);
    this.detail.replaceChildren(...parts.filter((x): x is HTMLElement => x !== null));
  }
}
