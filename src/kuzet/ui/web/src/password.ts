// The password rules, shown before the person types and ticked off while they type. The
// policy comes from the server (GET /api/auth/password-policy) where it offers one, else
// the platform's defaults. Letters are letters in any script: Cyrillic and Kazakh count.
import { api } from "./api";
import { onLangChange } from "./i18n/core";
import { tl } from "./i18n/login";

export interface Policy { min_length: number; min_classes: number; common_words?: string[] }
const DEFAULTS: Policy = { min_length: 12, min_classes: 3,
  common_words: ["password", "passw0rd", "qwerty", "123456", "admin", "letmein", "welcome", "kuzet", "almaty"] };

let cached: Promise<Policy> | null = null;
export function policy(): Promise<Policy> {
  cached ??= api<Partial<Policy>>("/api/auth/password-policy")
    .then((p) => ({ ...DEFAULTS, ...p }))
    .catch(() => DEFAULTS);
  return cached;
}

/** How many character classes a password mixes: lower, upper, digit, other (any script). */
export function classes(pw: string): number {
  return [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{L}\p{N}]/u].filter((re) => re.test(pw)).length;
}

export function checks(p: Policy, pw: string, username: string): Record<string, boolean> {
  const low = pw.toLowerCase();
  return {
    length: [...pw].length >= p.min_length,
    classes: classes(pw) >= p.min_classes,
    name: !username || !low.includes(username.toLowerCase()),
    common: !(p.common_words ?? DEFAULTS.common_words!).some((w) => low.includes(w)),
  };
}

/** Shows the rules in ``el`` and ticks them as ``input`` changes; returns "all met?". */
export async function showRules(el: HTMLElement, input: HTMLInputElement, username: () => string):
    Promise<() => boolean> {
  const p = await policy();
  const paint = () => {
    const ok = checks(p, input.value, username());
    const rows: [string, string][] = [["length", tl("pwLength", { n: p.min_length })],
      ["classes", tl("pwClasses", { n: p.min_classes })], ["name", tl("pwNoName")], ["common", tl("pwNoCommon")]];
    el.innerHTML = `<p class="meta"></p><ul class="pw-rules"></ul>`;
    el.querySelector("p")!.textContent = tl("pwRules");
    const ul = el.querySelector("ul")!;
    for (const [k, text] of rows) {
      const li = document.createElement("li");
      li.dataset.rule = k;
      li.className = input.value ? (ok[k] ? "ok" : "bad") : "";
      li.textContent = text;
      ul.appendChild(li);
    }
  };
  paint();
  input.addEventListener("input", paint);
  onLangChange(paint);
  return () => Object.values(checks(p, input.value, username())).every(Boolean);
}
