// A clearance request waiting for a second person, shown where it was made (new account,
// changed clearances, reset sign-in, new API key) and on the account's card: what was not
// given, and who must approve it. Separation of duties must be visible, not a surprise.
import { permName, tc } from "../i18n/access";
import { tad } from "../i18n/admin";
import { fmtDateTime } from "../i18n/core";
import type { Grant } from "./api";
import { h } from "./dom";

/** "biometrics (faces), search by face": a request's clearances and permissions in words. */
export const grantWhat = (g: Grant): string =>
  [...g.clearances.map((c) => tad(`cl_${c}`)), ...g.permissions.map(permName)].join(", ");

/** The notice for a request just made; ``suspended`` when it holds clearances the account
 *  had (credentials issued by the one who made the change). */
export function pendingBox(g: Grant, suspended = g.why === "user.reset",
                           id = "adm-pending"): HTMLElement {
  const what = grantWhat(g);
  return h("div", { class: "pending", id, "data-grant": g.id },
    h("strong", {}, tc("pendingTitle")), " ",
    tc(suspended ? "pendingSuspended" : "pendingAsked", { what }));
}

/** One line per request still waiting for an account (its card). */
export function pendingLines(list: Grant[]): HTMLElement | null {
  if (!list.length) return null;
  return h("ul", { class: "pending", id: "adm-u-pending" }, ...list.map((g) =>
    h("li", { "data-grant": g.id }, tc("pendingOnCard", { what: grantWhat(g),
      who: g.requested_by, time: fmtDateTime(g.created_at) }))));
}
