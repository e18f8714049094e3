// Bookmarks on the cameras' timeline: mark the moment under the playhead with a note
// (each holds a little video from deletion), attach it to the incident the recording was
// opened from, edit or delete it (with a reason). A click on one's time goes there.
import { ApiError, can, type Me } from "../api";
import { h, say, select } from "../admin/dom";
import { fmtDateTime } from "../i18n/core";
import { errorText } from "../i18n/errors";
import { tp } from "../i18n/playback";
import { addBookmark, type Bookmark, dropBookmark, editBookmark, type Timeline } from "./api";
import type { IncidentRef } from "./open";

export interface Ctx { cameras: string[]; t: number; incident: IncidentRef | null;
  name: (id: string) => string; data: Map<string, Timeline> }

export class Bookmarks {
  readonly el = h("section", { class: "pb-panel", id: "pb-bookmarks" });
  private note = h("textarea", { id: "pb-bm-note", rows: 2, maxlength: 2000 });
  private attach = h("input", { id: "pb-bm-attach", type: "checkbox", checked: true });
  private msg = h("div", { id: "pb-bm-msg" });
  private list = h("ol", { id: "pb-bm-list", class: "pb-list" });
  private camera = select("pb-bm-camera", []);
  private writer: boolean;

  constructor(me: Me, private ctx: () => Ctx, private go: (t: number) => void,
              private changed: () => Promise<void>) {
    this.writer = can(me, "bookmarks.write");
  }

  render(): void {
    const c = this.ctx();
    const keep = this.camera.value;
    this.camera = select("pb-bm-camera", c.cameras.map((id) => [id, c.name(id)]), undefined,
      c.cameras.includes(keep) ? keep : c.cameras[0] ?? "");
    const parts: (HTMLElement | null)[] = [h("h3", {}, tp("bookmarksTitle"))];
    if (this.writer) {
      this.note.placeholder = tp("note");
      const add = h("button", { id: "pb-bm-add", type: "submit", class: "primary" }, tp("bookmarkHere"));
      const form = h("form", { class: "pb-form" }, c.cameras.length > 1 ? this.camera : null, this.note,
        c.incident ? h("label", { class: "chk" }, this.attach, `${tp("attachTo")} ${c.incident.id.slice(0, 8)}`) : null,
        add);
      form.onsubmit = (e) => { e.preventDefault(); void this.create(); };
      parts.push(form, this.msg);
    }
    parts.push(this.list);
    this.el.replaceChildren(...parts.filter((x): x is HTMLElement => !!x));
    this.fill();
  }

  private fill(): void {
    const c = this.ctx();
    const all = c.cameras.flatMap((id) => c.data.get(id)?.bookmarks ?? [])
      .sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
    this.list.replaceChildren(...(all.length ? all.map((b) => this.item(b))
      : [h("li", { class: "meta" }, tp("noBookmarks"))]));
  }

  private item(b: Bookmark): HTMLElement {
    const c = this.ctx();
    const when = h("button", { class: "link" }, fmtDateTime(b.ts));
    when.onclick = () => this.go(Date.parse(b.ts));
    const li = h("li", { "data-id": b.id }, when, " · ", c.name(b.camera_id), " · ",
      h("span", { class: "meta" }, b.created_by), h("br"));
    if (!this.writer) {
      li.append(b.note, h("br"), b.incident_id ? tp("attached", { id: b.incident_id.slice(0, 8) }) : "");
      return li;
    }
    const text = h("input", { class: "pb-bm-text", value: b.note, maxlength: 2000 });
    const save = h("button", { class: "pb-bm-save" }, tp("save"));
    save.onclick = () => void this.act(() => editBookmark(b.id, { note: text.value.trim() }));
    li.append(text, save);
    const inc = c.incident;
    if (inc) {
      const on = h("input", { type: "checkbox", class: "pb-bm-inc", checked: b.incident_id === inc.id });
      on.onchange = () => void this.act(() => editBookmark(b.id, { incident_id: on.checked ? inc.id : null }));
      li.append(h("label", { class: "chk" }, on, tp("attachTo")));
    } else if (b.incident_id) {
      li.append(h("span", { class: "meta" }, ` ${tp("attached", { id: b.incident_id.slice(0, 8) })}`));
    }
    const drop = h("button", { class: "pb-bm-del danger" }, tp("del"));
    drop.onclick = () => {  // asked in the page: why, then confirm
      const why = h("input", { class: "pb-bm-why", placeholder: tp("deleteReason") });
      const yes = h("button", { class: "danger" }, tp("del"));
      yes.onclick = () => void this.act(() => dropBookmark(b.id, why.value.trim()));
      drop.replaceWith(why, yes);
      why.focus();
    };
    li.append(drop);
    return li;
  }

  private async create(): Promise<void> {
    const c = this.ctx();
    const camera = this.camera.value || c.cameras[0];
    const note = this.note.value.trim();
    if (!camera || !note) { say(this.msg, errorText(new ApiError(422, "note_required", ""))); return; }
    const inc = c.incident && this.attach.checked ? c.incident.id : null;
    await this.act(async () => { await addBookmark(camera, c.t, note, inc); this.note.value = ""; });
  }

  private async act(f: () => Promise<unknown>): Promise<void> {
    this.msg.textContent = "";
    try {
      await f();
      await this.changed();  // the timeline's rows and this list, from the server
    } catch (e) {
      say(this.msg, errorText(e));
    }
  }
}
