// API keys of an integration account: list, a new key (permissions, lifetime; the key is
// shown once, only its hash is kept), rotate, revoke.
import { permName } from "../i18n/access";
import { ta } from "../i18n/admin";
import { fmtDateTime } from "../i18n/core";
import { errorText } from "../i18n/errors";
import { type ApiKey, type ApiKeyCreated, KEY_PERMISSIONS, keys, type User } from "./api";
import { field, h, say, table } from "./dom";
import { pendingBox } from "./pending";

export class KeysPanel {
  constructor(private el: HTMLElement, private user: User) {}

  async load(shown?: ApiKeyCreated): Promise<void> {
    let list: ApiKey[] = [];
    const out = h("div", { id: "adm-key-result" });
    try {
      list = await keys.list(this.user.id);
    } catch (e) {
      say(out, errorText(e));
    }
    if (shown) out.replaceChildren(h("div", { class: "secret" }, h("p", {}, ta("keyOnce")),
      h("code", { id: "adm-key" }, shown.key)),
    // face permissions beyond the maker's, and the account's clearances beyond theirs,
    // wait for a second person
    shown.pending_grant ? pendingBox(shown.pending_grant, false, "adm-key-pending") : "",
    shown.suspended_grant ? pendingBox(shown.suspended_grant, true, "adm-key-suspended") : "");
    const tbl = table([ta("keyId"), ta("permissions"), ta("created"), ta("expires"),
      ta("lastUsed"), ta("state"), ""], list, (k) => k.id,
    (k) => [k.id.slice(0, 8), k.permissions.join(", "), fmtDateTime(k.created_at),
      fmtDateTime(k.expires_at), fmtDateTime(k.last_used_at),
      k.revoked_at ? ta("revoked") : ta("active"), k.revoked_at ? null : this.buttons(k, out)]);
    const perms = KEY_PERMISSIONS.map((p) => h("label", { class: "chk" },
      h("input", { type: "checkbox", name: "adm-key-perm", value: p }), `${permName(p)} (${p})`));
    const ttl = h("input", { id: "adm-key-ttl", type: "number", min: 1, max: 3650, value: 365 });
    const make = h("button", { id: "adm-key-create", class: "primary" }, ta("newKey"));
    make.onclick = async () => {
      const chosen = [...this.el.querySelectorAll<HTMLInputElement>("input[name=adm-key-perm]")]
        .filter((c) => c.checked).map((c) => c.value);
      if (!chosen.length) { say(out, ta("pickPermission")); return; }
      try {
        const k = await keys.create(this.user.id, chosen, ttl.value ? Number(ttl.value) : null);
        await this.load(k);
      } catch (e) {
        say(out, errorText(e));
      }
    };
    this.el.replaceChildren(h("h3", {}, ta("apiKeys")), tbl,
      h("fieldset", {}, h("legend", {}, ta("permissions")), ...perms),
      field(ta("ttlDays"), ttl), h("div", { class: "actions" }, make), out);
  }

  private buttons(k: ApiKey, out: HTMLElement): HTMLElement {
    const rotate = h("button", { "data-key-action": "rotate" }, ta("rotate"));
    rotate.onclick = async (ev) => {
      ev.stopPropagation();
      try { await this.load(await keys.rotate(k.id)); } catch (e) { say(out, errorText(e)); }
    };
    const revoke = h("button", { "data-key-action": "revoke", class: "danger" }, ta("revoke"));
    revoke.onclick = async (ev) => {
      ev.stopPropagation();
      try { await keys.revoke(k.id); await this.load(); } catch (e) { say(out, errorText(e)); }
    };
    return h("span", { class: "actions" }, rotate, revoke);
  }
}
