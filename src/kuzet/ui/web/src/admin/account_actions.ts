// The account actions of the user card, in one place: how each is called and when it
// applies. Each has a route of its own (kuzet.api.routers.admin), audited with the reason:
// reset (user.reset), unlock (user.unlock), reset second factor (user.totp_reset),
// deactivate / reactivate (user.update; sessions, keys and streams end at once).
import { tc } from "../i18n/access";
import { type Grant, type User, users } from "./api";

export interface ActionResult { user?: User; oneTimePassword?: string | null; note?: string;
  grant?: Grant | null }

export interface AccountAction {
  id: "reset" | "unlock" | "reset_totp" | "deactivate" | "reactivate";
  danger: boolean;
  /** asked twice, in the page (it ends the person's sessions or takes their access) */
  confirm: boolean;
  /** whether the button makes sense for this account now */
  applies(u: User): boolean;
  call(u: User, reason: string | null): Promise<ActionResult>;
}

const human = (u: User): boolean => u.role !== "integration";
export const locked = (u: User): boolean =>
  !!u.locked_until && Date.parse(u.locked_until) > Date.now();

export const ACCOUNT_ACTIONS: AccountAction[] = [
  { // new one-time password; TOTP, recovery codes and sessions cleared. Whoever resets
    // knows a password of the account: its clearances beyond theirs are suspended.
    id: "reset", danger: false, confirm: true, applies: human,
    call: async (u, reason) => {
      const r = await users.reset(u.id, reason);
      return { user: r, oneTimePassword: r.one_time_password, grant: r.pending_grant };
    },
  },
  { // the throttle's failed sign-ins from every address are forgotten (their locks end)
    id: "unlock", danger: false, confirm: false,
    applies: (u) => human(u) && (locked(u) || (u.failed_logins ?? 0) > 0),
    call: async (u, reason) => {
      const r = await users.unlock(u.id, reason);
      return { note: tc("unlocked", { n: r.failures_cleared }) };
    },
  },
  { // a lost phone: the password stays, the next sign-in sets up TOTP again
    id: "reset_totp", danger: true, confirm: true, applies: (u) => human(u) && u.totp_enabled,
    call: async (u, reason) => {
      await users.resetTotp(u.id, reason);
      return { note: tc("totpReset") };
    },
  },
  {
    id: "deactivate", danger: true, confirm: true, applies: (u) => u.active,
    call: async (u, reason) => ({ user: await users.deactivate(u.id, reason) }),
  },
  {
    id: "reactivate", danger: false, confirm: false, applies: (u) => !u.active,
    call: async (u, reason) => ({ user: await users.reactivate(u.id, reason) }),
  },
];
