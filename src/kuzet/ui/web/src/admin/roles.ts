// Roles: what each one is for, what it may do and which clearances a new account of it
// gets (read from the server's policy, GET /api/roles), and how many accounts of your view
// hold it. A role is given on the account's card; an older server without the route gets
// the descriptions alone.
import { permName, tc } from "../i18n/access";
import { ta, tad } from "../i18n/admin";
import { roleName } from "../i18n/terms";
import { ROLES, type RoleInfo, roles, users } from "./api";
import { h, table } from "./dom";

export async function renderRoles(el: HTMLElement): Promise<void> {
  const [all, policy] = await Promise.all([users.list(),
    roles.list().catch((): RoleInfo[] => [])]);
  const info = new Map(policy.map((r) => [r.role, r]));
  const count = (r: string) => all.filter((u) => u.role === r && u.active).length;
  const perms = (r: RoleInfo | undefined) => r ? h("ul", { class: "perms" },
    ...r.permissions.map((p) => h("li", { "data-perm": p, title: p }, permName(p))),
    r.human ? null : h("li", { class: "meta" }, tc("keysSubset"))) : "—";
  const cls = (r: RoleInfo | undefined) => r ? r.clearances.map((c) => tad(`cl_${c}`)).join(", ") || "—" : "—";
  const order = policy.length ? policy.map((r) => r.role) : ROLES;
  el.replaceChildren(h("section", { class: "adm-wide", id: "adm-roles" },
    h("p", { class: "meta" }, ta("rolesHint")),
    table([ta("role"), ta("whatFor"), ta("permissions"), tc("defaultClearances"), ta("accounts")],
      order, (r) => r,
      (r) => [roleName(r), tad(`roledesc_${r}`), perms(info.get(r)), cls(info.get(r)), count(r)])));
}
