// Small DOM helpers for the administration and history screens. Everything from the
// server goes in as text (textContent, attribute values), never as markup.
type Kid = Node | string | number | null | undefined | false;
type Props = Record<string, string | number | boolean | null | undefined | EventListener>;

/** An element with attributes (`on*` become listeners; `false`/null are left out). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K, props: Props = {}, ...kids: Kid[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v == null || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "value" && "value" in el) (el as HTMLInputElement).value = String(v);
    else if (k === "checked" && "checked" in el) (el as HTMLInputElement).checked = !!v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const k of kids) if (k != null && k !== false) el.append(k instanceof Node ? k : String(k));
  return el;
}

/** A labelled form field: the label's text over the control. */
export const field = (label: string, control: HTMLElement): HTMLLabelElement =>
  h("label", { class: "fld" }, h("span", {}, label), control);

/** A <select> of [value, text] pairs, with an optional first "any" option. */
export function select(id: string, pairs: [string, string][], any?: string,
                       value = ""): HTMLSelectElement {
  const s = h("select", { id });
  if (any !== undefined) s.append(new Option(any, ""));
  for (const [v, label] of pairs) s.append(new Option(label, v));
  s.value = value;
  return s;
}

/** A table: header cells, then one row per item (cells from `cells`); a click on a row
 *  calls `onRow`. Rows carry `data-id` so tests and people can find them. */
export function table<T>(heads: string[], items: T[], id: (x: T) => string,
                         cells: (x: T) => Kid[], onRow?: (x: T) => void): HTMLTableElement {
  const tb = h("table", { class: "grid" },
    h("thead", {}, h("tr", {}, ...heads.map((x) => h("th", {}, x)))));
  const body = h("tbody");
  for (const x of items) {
    const tr = h("tr", { "data-id": id(x), class: onRow ? "pick" : null },
      ...cells(x).map((c) => h("td", {}, c)));
    if (onRow) tr.addEventListener("click", () => onRow(x));
    body.append(tr);
  }
  tb.append(body);
  return tb;
}

/** Marks one row of a table chosen. */
export function mark(root: ParentNode, id: string): void {
  root.querySelectorAll<HTMLElement>("tr[data-id]").forEach((r) =>
    r.classList.toggle("sel", r.dataset.id === id));
}

/** A line for the outcome of an action: `ok` (green) or an error (red). */
export function say(el: HTMLElement, text: string, ok = false): void {
  el.textContent = text;
  el.className = ok ? "note ok" : "note error";
}

/** Comma/space separated words -> list, or null for "no limit" when empty. */
export function words(v: string): string[] | null {
  const out = v.split(/[,\s]+/).map((s) => s.trim()).filter(Boolean);
  return out.length ? out : null;
}
