// Roles: what each one is for (in words: the server has no route listing grants yet) and
// how many accounts of your view hold it. A role is given on the account's card.
import { ta, tad } from "../i18n/admin";
import { roleName } from "../i18n/terms";
import { ROLES, users } from "./api";
import { h, table } from "./dom";

export async function renderRoles(el: HTMLElement): Promise<void> {
  const all = await users.list();
  const count = (r: string) => all.filter((u) => u.role === r && u.active).length;
  el.replaceChildren(h("section", { class: "adm-wide", id: "adm-roles" },
    h("p", { class: "meta" }, ta("rolesHint")),
    table([ta("role"), ta("whatFor"), ta("accounts")], ROLES, (r) => r,
      (r) => [roleName(r), tad(`roledesc_${r}`), count(r)])));
}
