// Accounts: the list (search), a new account (its one-time password shown once), and one
// account's card: role, clearances, scope, the account actions and, for an integration
// account, its API keys. Every change can carry a reason, which the audit log keeps.
import { can, type Me } from "../api";
import { tc } from "../i18n/access";
import { ta, tad } from "../i18n/admin";
import { fmtDateTime } from "../i18n/core";
import { errorText } from "../i18n/errors";
import { agencyName, roleName } from "../i18n/terms";
import { ACCOUNT_ACTIONS, type AccountAction, type ActionResult, locked } from "./account_actions";
import { type Agency, agencies, CLEARANCES, type Grant, grants, ROLES, type User,
  users } from "./api";
import { field, h, mark, say, select, table, words } from "./dom";
import { KeysPanel } from "./keys";
import { pendingBox, pendingLines } from "./pending";

export class UsersView {
  private all: User[] = [];
  private ags: Agency[] = [];
  private pending: Grant[] = [];  // clearance requests waiting for a second person
  private chosen: string | null = null;
  private card = h("section", { class: "adm-card", id: "adm-user-card" });
  private list = h("div", { id: "adm-users" });
  private filter = h("input", { id: "adm-user-filter", type: "search" });

  constructor(private el: HTMLElement, private me: Me) {}

  async load(): Promise<void> {
    [this.all, this.ags] = await Promise.all([users.list(), agencies.list()]);
    await this.loadPending();
    this.render();
  }

  private async loadPending(): Promise<void> {
    if (!can(this.me, "users.read")) return;
    try { this.pending = await grants.list("pending"); } catch { this.pending = []; }
  }

  render(): void {
    this.filter.placeholder = ta("searchUsers");
    this.filter.oninput = () => this.renderList();
    const add = h("button", { id: "adm-user-new", class: "primary" }, ta("newAccount"));
    add.onclick = () => { this.chosen = null; mark(this.list, ""); this.newForm(); };
    this.el.replaceChildren(h("div", { class: "adm-cols" },
      h("section", { class: "adm-list" }, h("div", { class: "bar" }, this.filter, add), this.list),
      this.card));
    this.renderList();
    const u = this.all.find((x) => x.id === this.chosen);
    if (u) this.userCard(u); else this.newForm();
  }

  private state(u: User): string {
    if (!u.active) return ta("deactivated");
    if (locked(u)) return ta("lockedUntil", { until: fmtDateTime(u.locked_until) });
    return ta("active");
  }

  private renderList(): void {
    const q = this.filter.value.trim().toLowerCase();
    const shown = this.all.filter((u) => !q || [u.username, u.agency_id, u.role,
      roleName(u.role), agencyName(u.agency_id)].some((s) => s.toLowerCase().includes(q)));
    this.list.replaceChildren(table(
      [ta("username"), ta("agency"), ta("role"), ta("state"), ta("totp"), ta("created")],
      shown, (u) => u.id,
      (u) => [u.username, agencyName(u.agency_id), roleName(u.role), this.state(u),
        u.totp_enabled ? ta("totpOn") : ta("totpOff"), fmtDateTime(u.created_at)],
      (u) => { this.chosen = u.id; mark(this.list, u.id); this.userCard(u); }));
    if (this.chosen) mark(this.list, this.chosen);
  }

  private agencyPairs(): [string, string][] {
    return this.ags.map((a) => [a.id, agencyName(a.id, { agencies: this.ags, routing: [] })]);
  }

  private newForm(): void {
    const name = h("input", { id: "adm-new-username", required: true, minlength: 3,
      maxlength: 64, autocomplete: "off" });
    const agency = select("adm-new-agency", this.agencyPairs(), undefined, this.me.agency_id);
    const role = select("adm-new-role", ROLES.map((r) => [r, roleName(r)]), undefined, "operator");
    const reason = h("input", { id: "adm-new-reason", maxlength: 500 });
    const out = h("div", { id: "adm-new-result" });
    const form = h("form", { id: "adm-new-form", class: "adm-form" },
      h("h2", {}, ta("newAccount")), field(ta("username"), name), field(ta("agency"), agency),
      field(ta("role"), role), field(ta("reason"), reason),
      h("button", { id: "adm-new-submit", type: "submit", class: "primary" }, ta("create")), out);
    form.onsubmit = async (ev) => {
      ev.preventDefault();
      try {
        const u = await users.create({ username: name.value.trim(), agency_id: agency.value,
          role: role.value }, reason.value.trim() || null);
        this.all = await users.list();
        await this.loadPending();
        this.renderList();
        out.replaceChildren(this.secretBox(u.username, u.one_time_password,
          u.one_time_password ? "otpHint" : "integrationHint"));
        if (u.pending_grant) out.append(pendingBox(u.pending_grant));
        name.value = "";
      } catch (e) {
        say(out, errorText(e));
      }
    };
    this.card.dataset.user = "";
    this.card.replaceChildren(form);
  }

  /** The one-time password, shown once, with what to do with it. */
  private secretBox(user: string, otp: string | null, hint: string): HTMLElement {
    return h("div", { class: "secret" }, h("p", {}, ta("createdFor", { user })),
      otp ? h("code", { id: "adm-otp" }, otp) : null, h("p", { class: "meta" }, tad(hint)));
  }

  private userCard(u: User): void {
    const self = u.username === this.me.username;
    const role = select("adm-u-role", ROLES.map((r) => [r, roleName(r)]), undefined, u.role);
    role.disabled = self;
    const waiting = this.pending.filter((g) => g.user_id === u.id);
    const asked = new Set(waiting.flatMap((g) => g.clearances));
    const cl = CLEARANCES.map((c) => h("label", { class: "chk", "data-clearance": c },
      h("input", { type: "checkbox", name: "adm-u-cl", value: c, checked: u.clearances.includes(c) }),
      tad(`cl_${c}`), asked.has(c) ? h("span", { class: "badge pending" }, tc("pendingBadge")) : null));
    const sc = u.scope;
    const txt = (id: string, v: string[] | null) => h("input", { id, value: (v ?? []).join(", "),
      placeholder: ta("noLimit") });
    const cats = txt("adm-u-cats", sc.categories), dis = txt("adm-u-dis", sc.districts);
    const cams = txt("adm-u-cams", sc.camera_ids), types = txt("adm-u-types", sc.event_types);
    const reason = h("input", { id: "adm-u-reason", maxlength: 500 });
    const out = h("div", { id: "adm-u-result" });
    const save = h("button", { id: "adm-u-save", class: "primary" }, ta("save"));
    save.onclick = async () => {
      const clearances = [...this.card.querySelectorAll<HTMLInputElement>("input[name=adm-u-cl]")]
        .filter((c) => c.checked).map((c) => c.value);
      const scope = { categories: words(cats.value), districts: words(dis.value),
        camera_ids: words(cams.value), event_types: words(types.value) };
      const body = role.value !== u.role ? { role: role.value, clearances, scope }
        : { clearances, scope };
      await this.apply(out, () => users.patch(u.id, body, reason.value.trim() || null)
        .then((user) => ({ user, grant: user.pending_grant })), ta("saved"));
    };
    const acts = h("div", { class: "actions" },
      ...ACCOUNT_ACTIONS.filter((a) => a.applies(u)).map((a) => this.actionButton(a, u, reason, out)));
    const dl = h("dl", {},
      h("dt", {}, ta("agency")), h("dd", {}, agencyName(u.agency_id)),
      h("dt", {}, ta("state")), h("dd", { id: "adm-u-state" }, this.state(u)),
      h("dt", {}, tc("failedLogins")), h("dd", { id: "adm-u-failed" }, u.failed_logins ?? 0),
      h("dt", {}, ta("totp")), h("dd", { id: "adm-u-totp" }, u.totp_enabled ? ta("totpOn") : ta("totpOff")),
      h("dt", {}, ta("created")), h("dd", {}, fmtDateTime(u.created_at)));
    this.card.dataset.user = u.username;
    this.card.replaceChildren(h("h2", {}, u.username, " · ", roleName(u.role)), dl,
      field(ta("role"), role),
      h("fieldset", {}, h("legend", {}, ta("clearances")), ...cl, pendingLines(waiting)),
      h("fieldset", {}, h("legend", {}, ta("scope")), h("p", { class: "meta" }, ta("scopeHint")),
        field(ta("categories"), cats), field(ta("districts"), dis), field(ta("cameraIds"), cams),
        field(ta("eventTypes"), types)),
      field(ta("reason"), reason), h("div", { class: "actions" }, save), acts, out);
    if (u.role === "integration") {
      const box = h("div", { id: "adm-keys" });
      this.card.append(box);
      void new KeysPanel(box, u).load();
    }
  }

  private actionButton(a: AccountAction, u: User, reason: HTMLInputElement,
                       out: HTMLElement): HTMLButtonElement {
    const b = h("button", { "data-action": a.id, class: a.danger ? "danger" : null },
      tad(`uact_${a.id}`));
    let armed = !a.confirm;  // an action that ends sessions asks once more, in the page
    b.onclick = async () => {
      if (!armed) { armed = true; b.textContent = ta("confirmAct", { act: tad(`uact_${a.id}`) }); return; }
      b.disabled = true;
      await this.apply(out, () => a.call(u, reason.value.trim() || null), ta("done"));
      b.disabled = false;
    };
    return b;
  }

  /** Runs a change, refreshes the list and the card, and says how it went. */
  private async apply(out: HTMLElement, f: () => Promise<ActionResult>,
                      okText: string): Promise<void> {
    try {
      const r = await f();
      this.all = await users.list();
      await this.loadPending();
      this.renderList();
      const u = this.all.find((x) => x.id === this.chosen) ?? r.user;
      if (u) this.userCard(u);
      const box = this.card.querySelector<HTMLElement>("#adm-u-result")!;
      if (r.oneTimePassword) box.replaceChildren(this.secretBox(u?.username ?? "",
        r.oneTimePassword, "otpHint"));
      else say(box, r.note ?? okText, true);
      if (r.grant) box.append(pendingBox(r.grant));
    } catch (e) {
      say(out, errorText(e));
    }
  }
}
