// The account actions of the user card, in one place: how each is called and when it
// applies. Unlock and reset-TOTP have no route of their own on this server yet (the
// security work adds them, with separation-of-duties rules); until then `call` is null and
// the card shows the button disabled with a note. Wiring one later = filling in its call.
import { type User, type UserCreated, users, write } from "./api";

export interface ActionResult { user?: User; oneTimePassword?: string | null }

export interface AccountAction {
  id: "reset" | "unlock" | "reset_totp" | "deactivate" | "reactivate";
  danger: boolean;
  /** whether the button makes sense for this account now */
  applies(u: User): boolean;
  /** the server call, or null when this server has no route for it */
  call: ((u: User, reason: string | null) => Promise<ActionResult>) | null;
}

const human = (u: User): boolean => u.role !== "integration";
const locked = (u: User): boolean => !!u.locked_until && Date.parse(u.locked_until) > Date.now();

export const ACCOUNT_ACTIONS: AccountAction[] = [
  { // new one-time password; TOTP, recovery codes and sessions cleared (POST .../reset)
    id: "reset", danger: false, applies: human,
    call: async (u, reason) => {
      const r = await users.reset(u.id, reason);
      return { user: r, oneTimePassword: r.one_time_password };
    },
  },
  { id: "unlock", danger: false, applies: (u) => human(u) && locked(u), call: null },
  { id: "reset_totp", danger: false, applies: (u) => human(u) && u.totp_enabled, call: null },
  {
    id: "deactivate", danger: true, applies: (u) => u.active,
    call: async (u, reason) => ({ user: await users.patch(u.id, { active: false }, reason) }),
  },
  {
    id: "reactivate", danger: false, applies: (u) => !u.active,
    call: async (u, reason) => ({ user: await users.patch(u.id, { active: true }, reason) }),
  },
];

/** Kept for the later wiring: a POST to an account route that answers with the account. */
export const accountPost = (u: User, route: string, reason: string | null): Promise<UserCreated> =>
  write<UserCreated>(`/api/users/${encodeURIComponent(u.id)}/${route}`, "POST", {}, reason);
