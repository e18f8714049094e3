// The violations review screen: the queue of pending (or decided) violations, each one's
// evidence (frames before / at / after, plate crop and read, facts, every part's SHA-256,
// the clock), and the officer's decision signed with their own key (docs/violations.md).
import { api, can, post, type Me } from "../api";
import { fmtDateTime, onLangChange } from "../i18n/core";
import { errorText } from "../i18n/errors";
import { latest } from "../latest";
import { registerScreen } from "../shell";
import { tv, tvAny } from "./i18n";

interface Item { id: string; type: string; camera_id: string; camera_name: string; ts: string;
  vehicle_class: string | null; plate: string; speed_kmh: number | null;
  limit_kmh: number | null; signal_state: string | null }
interface Review { decision: string; officer: string; decided_at: string; key_fingerprint: string }
interface FileEntry { name: string; role: string; sha256: string; bytes: number }
interface Manifest { violation: { id: string; type: string; ts: string };
  camera: { id: string; name: string; district?: string };
  facts: Record<string, unknown>; plate: Record<string, unknown>;
  time: { clock_at_capture: unknown }; files: FileEntry[]; missing: { part: string; why: string }[] }
interface KeyState { enrolled: boolean; key: { fingerprint: string } | null }

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {},
  ...kids: (Node | string)[]): HTMLElementTagNameMap[K] => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...kids);
  return e;
};
const show = (v: unknown): string => (typeof v === "object" && v !== null ? JSON.stringify(v) : String(v));

class ReviewView {
  private status = "pending";
  private items: Item[] = [];
  private key: KeyState = { enrolled: false, key: null };
  private current: string | null = null;
  private readonly keyBox = el("div", { id: "vio-key" });
  private readonly list = el("div", { id: "vio-list" });
  private readonly detail = el("div", { id: "vio-detail" });
  private readonly filter = el("select", { id: "vio-status" });
  private freshList = latest();  // the status chosen last: a slower earlier queue is dropped
  private freshCard = latest();  // the violation opened last: a slower earlier one is dropped

  constructor(private pane: HTMLElement, private me: Me) {
    this.filter.addEventListener("change", () => { this.status = this.filter.value; void this.load(); });
    pane.replaceChildren(el("div", { className: "vio" }, this.keyBox, this.filter, this.list, this.detail));
  }

  async load(): Promise<void> {
    const still = this.freshList();
    const key = await api<KeyState>("/api/violations/officer-key");
    const items = await api<Item[]>(`/api/violations?status=${this.status}`);
    if (!still()) return;
    this.key = key;
    this.items = items;
    this.render();
    if (this.current) await this.open(this.current);
  }

  render(): void {
    this.filter.replaceChildren(...["pending", "accepted", "rejected"].map((s) =>
      el("option", { value: s, selected: s === this.status }, tvAny(s))));
    this.renderKey();
    if (!this.items.length) { this.list.replaceChildren(el("p", {}, tv("empty"))); return; }
    const head = el("tr", {}, ...["time", "camera", "type", "plate"].map((k) => el("th", {}, tvAny(k))), el("th"));
    this.list.replaceChildren(el("table", { className: "vio-queue" }, head, ...this.items.map((v) => {
      const b = el("button", { className: "vio-open" }, tv("open"));
      b.dataset.id = v.id;
      b.addEventListener("click", () => void this.open(v.id));
      const row = el("tr", {}, el("td", {}, fmtDateTime(v.ts)), el("td", {}, v.camera_name),
        el("td", {}, v.type), el("td", {}, v.plate), el("td", {}, b));
      row.dataset.id = v.id;
      return row;
    })));
  }

  private renderKey(): void {
    if (this.key.enrolled && this.key.key) {
      this.keyBox.replaceChildren(el("p", { className: "vio-key-ok" }, tv("yourKey", { fp: this.key.key.fingerprint })));
      return;
    }
    const account = el("input", { id: "vio-account-pass", type: "password", autocomplete: "current-password" });
    const pass = el("input", { id: "vio-new-pass", type: "password", autocomplete: "new-password" });
    const msg = el("p", { className: "error", id: "vio-key-msg" });
    const go = el("button", { id: "vio-enrol" }, tv("enrol"));
    go.addEventListener("click", async () => {
      try {
        await post("/api/violations/officer-key", { password: account.value, passphrase: pass.value });
        await this.load();
      } catch (e) { msg.textContent = errorText(e); }
    });
    this.keyBox.replaceChildren(el("p", {}, tv("noKey")),
      el("label", {}, tv("password"), " ", account), " ",
      el("label", {}, tv("passphrase"), " ", pass), " ", go, msg);
  }

  private async open(id: string): Promise<void> {
    this.current = id;
    const still = this.freshCard();
    const got = await api<{ manifest: Manifest; review: Review | null }>(`/api/violations/${encodeURIComponent(id)}`);
    if (!still()) return;
    const m = got.manifest;
    const part = (n: string) => `/api/violations/${encodeURIComponent(id)}/parts/${n}`;
    const has = new Set(m.files.map((f) => f.name));
    const pics = (["before", "at", "after"] as const).map((w) => el("figure", {},
      has.has(`frame_${w}.jpg`) ? el("img", { src: part(`frame_${w}.jpg`), className: `vio-frame-${w}` })
        : el("span", {}, tv("missing")), el("figcaption", {}, tv(w))));
    if (has.has("plate_crop.jpg")) {
      pics.push(el("figure", {}, el("img", { src: part("plate_crop.jpg") }), el("figcaption", {}, tv("plateCrop"))));
    }
    const facts = el("table", { className: "vio-facts" },
      el("tr", {}, el("th", {}, tv("type")), el("td", {}, m.violation.type)),
      el("tr", {}, el("th", {}, tv("time")), el("td", {}, fmtDateTime(m.violation.ts))),
      el("tr", {}, el("th", {}, tv("camera")), el("td", {}, `${m.camera.name} (${m.camera.id})`)),
      el("tr", {}, el("th", {}, tv("plate")), el("td", { className: "vio-plate" },
        show(m.plate.plate_display ?? m.plate.status))),
      ...Object.entries(m.facts).map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", {}, show(v)))),
      el("tr", {}, el("th", {}, tv("clock")), el("td", {}, this.clockText(m.time.clock_at_capture))));
    const files = el("ul", { className: "vio-files" }, ...m.files.map((f) =>
      el("li", {}, `${f.name} · ${f.sha256.slice(0, 16)}… · ${f.bytes} B`)),
      ...m.missing.map((x) => el("li", { className: "missing" }, `${x.part}: ${tv("missing")} (${x.why})`)));
    this.detail.replaceChildren(el("div", { className: "vio-frames" }, ...pics), facts,
      el("h4", {}, tv("files")), files, this.decision(id, got.review));
  }

  private clockText(c: unknown): string {
    if (typeof c !== "object" || c === null) return tv("missing");
    const s = (c as { synchronised?: boolean | null; est_error_us?: number }).synchronised;
    const word = s === true ? tv("synced") : s === false ? tv("unsynced") : tv("unknown");
    const err = (c as { est_error_us?: number }).est_error_us;
    return err === undefined ? word : `${word}, ±${err} µs`;
  }

  private decision(id: string, r: Review | null): HTMLElement {
    if (r) {
      const box = el("div", { className: "vio-signed" }, el("p", {}, tv("signed", {
        decision: tvAny(r.decision), officer: r.officer, at: fmtDateTime(r.decided_at), fp: r.key_fingerprint })));
      if (r.decision === "accepted" && can(this.me, "evidence.export")) {
        box.append(el("a", { href: `/api/violations/${encodeURIComponent(id)}/package`, id: "vio-download" }, tv("download")));
      }
      return box;
    }
    const reason = el("textarea", { id: "vio-reason", rows: 2 });
    const pass = el("input", { id: "vio-pass", type: "password", autocomplete: "off" });
    const msg = el("p", { className: "error", id: "vio-msg" });
    const act = (decision: string) => async () => {
      try {
        await post(`/api/violations/${encodeURIComponent(id)}/decision`,
                   { decision, reason: reason.value, passphrase: pass.value });
        pass.value = "";
        await this.load();
      } catch (e) { msg.textContent = errorText(e); }
    };
    const ok = el("button", { id: "vio-accept" }, tv("accept"));
    const no = el("button", { id: "vio-reject" }, tv("reject"));
    ok.addEventListener("click", act("accept"));
    no.addEventListener("click", act("reject"));
    return el("div", { className: "vio-decide" }, el("p", {}, tv("notSigned")),
      el("label", {}, tv("reason"), " ", reason), el("label", {}, tv("passphrase"), " ", pass), ok, no, msg);
  }
}

registerScreen({
  id: "violations", label: "vio.tab", order: 130, needs: ["violations.review"],
  async mount(pane, me) {
    const v = new ReviewView(pane, me);
    onLangChange(() => v.render());
    await v.load();
  },
});
