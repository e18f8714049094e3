// Keyboard shortcuts for the queue and the open incident, and the help overlay that lists
// them ("?" or F1). Keys typed into a field are the field's, never a shortcut.
import { dictionary, onLangChange } from "../i18n/core";

const tk = dictionary({
  en: { keysTitle: "Keyboard shortcuts", k_ack: "Acknowledge the open alert", k_false: "False alarm",
        k_next: "Next alert", k_prev: "Previous alert", k_open: "Open the first waiting alert",
        k_note: "Write a note", k_mute: "Sound on / off", k_snooze: "Snooze waiting alerts for 5 min",
        k_map: "Map", k_wall: "Camera wall", k_help: "This help", k_close: "Close (help, full-screen tile)",
        keysHint: "Press ? for keyboard shortcuts" },
  ru: { keysTitle: "Горячие клавиши", k_ack: "Принять открытую тревогу", k_false: "Ложная тревога",
        k_next: "Следующая тревога", k_prev: "Предыдущая тревога", k_open: "Открыть первую ожидающую тревогу",
        k_note: "Написать заметку", k_mute: "Звук вкл./выкл.", k_snooze: "Отложить ожидающие тревоги на 5 мин",
        k_map: "Карта", k_wall: "Видеостена", k_help: "Эта справка", k_close: "Закрыть (справку, плитку во весь экран)",
        keysHint: "Нажмите ? — горячие клавиши" },
  kk: { keysTitle: "Жылдам пернелер", k_ack: "Ашық дабылды қабылдау", k_false: "Жалған дабыл",
        k_next: "Келесі дабыл", k_prev: "Алдыңғы дабыл", k_open: "Күтіп тұрған бірінші дабылды ашу",
        k_note: "Жазба жазу", k_mute: "Дыбысты қосу / өшіру", k_snooze: "Күтіп тұрған дабылдарды 5 минутқа қалдыру",
        k_map: "Карта", k_wall: "Бейнеқабырға", k_help: "Осы анықтама", k_close: "Жабу (анықтаманы, толық экрандағы тақтаны)",
        keysHint: "Жылдам пернелер үшін ? басыңыз" },
});

export interface KeyActions {
  act(action: string): void; next(step: 1 | -1): void; first(): void; note(): void;
  mute(): void; snooze(): void; tab(id: string): void;
}

const KEYS: [string[], Parameters<typeof tk>[0], (a: KeyActions) => void][] = [
  [["a"], "k_ack", (a) => a.act("acknowledge")],
  [["f"], "k_false", (a) => a.act("false_alarm")],
  [["j", "ArrowDown"], "k_next", (a) => a.next(1)],
  [["k", "ArrowUp"], "k_prev", (a) => a.next(-1)],
  [["Enter"], "k_open", (a) => a.first()],
  [["n"], "k_note", (a) => a.note()],
  [["m"], "k_mute", (a) => a.mute()],
  [["s"], "k_snooze", (a) => a.snooze()],
  [["1"], "k_map", (a) => a.tab("map")],
  [["2"], "k_wall", (a) => a.tab("wall")],
];
const LABEL: Record<string, string> = { ArrowDown: "↓", ArrowUp: "↑", Enter: "Enter" };

export function installKeys(actions: KeyActions): void {
  const overlay = document.createElement("div");
  overlay.id = "keys-help";
  overlay.className = "overlay";
  overlay.hidden = true;
  overlay.setAttribute("role", "dialog");
  document.body.appendChild(overlay);
  const paint = () => {
    const rows = [...KEYS.map(([keys, label]) => [keys.map((k) => LABEL[k] ?? k.toUpperCase()).join(" / "), tk(label)]),
      ["? / F1", tk("k_help")], ["Esc", tk("k_close")]];
    overlay.innerHTML = `<div class="panel"><h2></h2><table></table></div>`;
    overlay.querySelector("h2")!.textContent = tk("keysTitle");
    const table = overlay.querySelector("table")!;
    for (const [k, text] of rows) {
      const tr = table.insertRow();
      const kbd = document.createElement("kbd");
      kbd.textContent = k;
      tr.insertCell().appendChild(kbd);
      tr.insertCell().textContent = text;
    }
    const hint = document.querySelector<HTMLElement>("#keys-hint");
    if (hint) { hint.textContent = "?"; hint.title = tk("keysHint"); }
  };
  paint();
  onLangChange(paint);
  overlay.addEventListener("click", () => (overlay.hidden = true));
  document.querySelector("#keys-hint")?.addEventListener("click", () => (overlay.hidden = !overlay.hidden));
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.altKey || e.metaKey) return;
    const target = e.target as HTMLElement;
    if (target.closest("input, textarea, select, [contenteditable]")) return;
    if (e.key === "Escape") { overlay.hidden = true; return; }
    if (e.key === "?" || e.key === "F1") { overlay.hidden = !overlay.hidden; e.preventDefault(); return; }
    if (document.querySelector("#app")?.hasAttribute("hidden")) return;
    if (!overlay.hidden) return;
    if (e.key === "Enter" && target.closest("button, a, li[tabindex]")) return;  // that element's own Enter
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    const hit = KEYS.find(([keys]) => keys.includes(key));
    if (!hit) return;
    e.preventDefault();
    hit[2](actions);
  });
}
