// The shell: the tabs a signed-in person may use, and where they land. A module registers
// a screen (its tab, the permissions it needs, how to mount it); the shell shows only the
// screens the caller's permissions allow and says so plainly when none is.
import { can, type Me } from "./api";
import { dictionary, onLangChange, t } from "./i18n/core";
import { errorText } from "./i18n/errors";
import { roleName } from "./i18n/terms";

export interface Screen {
  id: string;               // data-tab value and DOM id suffix
  label: string;            // i18n key of the tab's name
  order: number;            // tab position (ops 10-30, admin 100+)
  needs: string[];          // permissions, all required (see /api/auth/me)
  side?: boolean;           // shows the alert queue and the detail card beside it
  landingFor?: string[];    // roles that start on this screen
  mount(pane: HTMLElement, me: Me): void | Promise<void>;   // once, on first show
  show?(): void;            // every time it becomes visible
  hide?(): void;            // when another tab is chosen (stop streams, timers)
}

const ts = dictionary({
  en: { noScreens: "Your role ({role}) has no screen in the operations centre. Ask an administrator of your agency for the access you need.",
        screenFailed: "This screen could not be opened: {why}" },
  ru: { noScreens: "Для вашей роли ({role}) в ситуационном центре нет доступных экранов. Обратитесь к администратору своего ведомства за нужным доступом.",
        screenFailed: "Экран не удалось открыть: {why}" },
  kk: { noScreens: "Сіздің рөліңіз ({role}) үшін жағдайлық орталықта қолжетімді экран жоқ. Қажетті рұқсат үшін ведомствоңыздың әкімшісіне жүгініңіз.",
        screenFailed: "Экранды ашу мүмкін болмады: {why}" },
});

const screens: Screen[] = [];
const mounted = new Set<string>();
let current: Screen | null = null;
let me: Me | null = null;

/** Adds a screen; modules call it at import time (before sign-in). */
export function registerScreen(s: Screen): void {
  screens.push(s);
  screens.sort((a, b) => a.order - b.order);
}

export const allowed = (m: Me): Screen[] => screens.filter((s) => s.needs.every((p) => can(m, p)));

/** After sign-in: builds the tab bar from what the caller may use and opens the landing
 *  screen (the one named for the role, else the first allowed). */
export function startShell(who: Me): void {
  me = who;
  const nav = document.querySelector<HTMLElement>("#tabs")!;
  const host = document.querySelector<HTMLElement>("#screens")!;
  const mine = allowed(who);
  nav.replaceChildren(...mine.map((s) => {
    const b = document.createElement("button");
    b.dataset.tab = s.id;
    b.dataset.t = s.label;
    b.textContent = t(s.label);
    b.addEventListener("click", () => void showScreen(s.id));
    return b;
  }));
  host.replaceChildren(...mine.map((s) => {
    const pane = document.createElement("div");
    pane.className = "tab";
    pane.id = `${s.id}-pane`;
    pane.dataset.tab = s.id;
    pane.hidden = true;
    return pane;
  }));
  const empty = document.querySelector<HTMLElement>("#no-screens")!;
  if (!mine.length) {
    empty.hidden = false;
    const say = () => { empty.textContent = ts("noScreens", { role: roleName(who.role) }); };
    say();
    onLangChange(say);
    document.body.dataset.screen = "none";
    return;
  }
  const landing = mine.find((s) => s.landingFor?.includes(who.role)) ?? mine[0];
  void showScreen(landing.id);
}

export function currentScreen(): string | null { return current?.id ?? null; }
/** Who is signed in (null before sign-in): for cards that offer what the role may do. */
export const signedIn = (): Me | null => me;

export async function showScreen(id: string): Promise<void> {
  const s = screens.find((x) => x.id === id);
  const pane = document.querySelector<HTMLElement>(`#screens > [data-tab="${id}"]`);
  if (!s || !pane || !me) return;
  if (current && current !== s) current.hide?.();
  current = s;
  document.querySelectorAll<HTMLElement>("#tabs button").forEach((b) =>
    b.classList.toggle("active", b.dataset.tab === id));
  document.querySelectorAll<HTMLElement>("#screens > .tab").forEach((p) => (p.hidden = p !== pane));
  document.querySelector<HTMLElement>("main")!.classList.toggle("side", !!s.side);
  document.body.dataset.screen = id;
  if (!mounted.has(id)) {
    mounted.add(id);
    try {
      await s.mount(pane, me);
    } catch (e) {
      mounted.delete(id);
      const p = document.createElement("p");
      p.className = "error";
      p.textContent = ts("screenFailed", { why: errorText(e) });
      pane.replaceChildren(p);
      return;
    }
  }
  if (current === s) s.show?.();
}
