// The administration screens, registered with the shell: "admin" (accounts, roles,
// agencies; where an administrator lands), clearance requests, the camera registry and the
// audit log (where an auditor lands). Importing this module is all the shell needs.
import type { Me } from "../api";
import { ta } from "../i18n/admin";
import { onLangChange } from "../i18n/core";
import { registerScreen } from "../shell";
import { AgenciesView } from "./agencies";
import { AuditView } from "./audit";
import { GrantsView } from "./grants";
import { RegistryView } from "./cameras";
import { h } from "./dom";
import { renderRoles } from "./roles";
import { UsersView } from "./users";

const SUBS = ["users", "roles", "agencies"] as const;
type Sub = (typeof SUBS)[number];
const SUB_LABEL = { users: "subUsers", roles: "subRoles", agencies: "subAgencies" } as const;

/** Accounts, roles and agencies under one tab, with a sub-menu. */
function mountAdmin(pane: HTMLElement, me: Me): void {
  const nav = h("nav", { class: "subnav", id: "adm-nav" });
  const body = h("div", { class: "adm-body", id: "adm-body" });
  let sub: Sub = "users";
  let view: { render(): void } | null = null;
  const open = async (s: Sub) => {
    sub = s;
    nav.querySelectorAll<HTMLElement>("button").forEach((b) =>
      b.classList.toggle("active", b.dataset.sub === s));
    view = null;
    // each visit draws into its own slot: a slower earlier visit (the first "users" load
    // still running when roles is clicked) then draws into a detached node, not over this one
    const slot = h("div", { class: "adm-slot" });
    body.replaceChildren(slot);
    if (s === "roles") { await renderRoles(slot); return; }
    const v = s === "users" ? new UsersView(slot, me) : new AgenciesView(slot);
    view = v;
    await v.load();
  };
  const draw = () => nav.replaceChildren(...SUBS.map((s) => {
    const b = h("button", { "data-sub": s, class: s === sub ? "active" : null }, ta(SUB_LABEL[s]));
    b.onclick = () => void open(s);
    return b;
  }));
  draw();
  onLangChange(() => { draw(); if (view) view.render(); else void open(sub); });
  pane.replaceChildren(nav, body);
  void open("users");
}

registerScreen({
  id: "admin", label: "adm.tabAdmin", order: 130, needs: ["users.write"],
  landingFor: ["administrator"], mount: mountAdmin,
});

// Clearance requests: seen by whoever reads accounts (administrators follow their own,
// auditors watch), decided by supervisors (grants.approve).
let grants: GrantsView | null = null;
registerScreen({
  id: "grants", label: "acc.tabGrants", order: 135, needs: ["users.read"],
  mount(pane, me) {
    const v = grants = new GrantsView(pane, me);
    onLangChange(() => v.render());
  },
  show() { void grants?.load(); },  // every visit: requests come in from administrators
});

registerScreen({
  id: "registry", label: "adm.tabRegistry", order: 140, needs: ["cameras.write"],
  async mount(pane) {
    const v = new RegistryView(pane);
    onLangChange(() => v.render());
    await v.load();
  },
});

registerScreen({
  id: "audit", label: "adm.tabAudit", order: 150, needs: ["audit.read"],
  landingFor: ["auditor"],
  async mount(pane, me) {
    const v = new AuditView(pane, me);
    onLangChange(() => v.render());
    await v.load();
  },
});
