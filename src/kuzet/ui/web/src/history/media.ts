// An event's picture and the seconds around it, for those who may see video
// (snapshots.read; faces blurred by the server without biometric clearance).
import { can, type Me } from "../api";
import { h } from "../admin/dom";
import { th } from "../i18n/history";

export interface HasMedia { id: string; snapshot?: string | null;
  attributes?: Record<string, unknown> }

export function eventMedia(ev: HasMedia, me: Me, prefix: string): HTMLElement {
  const box = h("div", { class: "media" });
  if (!can(me, "snapshots.read")) {
    box.append(h("p", { class: "meta" }, th("noVideoRole")));
    return box;
  }
  const id = encodeURIComponent(ev.id);
  if (ev.snapshot !== null) {  // undefined: not known here (an incident), ask anyway
    const img = h("img", { id: `${prefix}-snap`, class: "snap", alt: th("snapshot"),
      src: `/api/events/${id}/snapshot` });
    img.onerror = () => img.replaceWith(h("p", { class: "meta" }, th("noSnapshot")));
    box.append(img);
  }
  const clip = ev.attributes?.clip;
  if (typeof clip === "string" && clip) {
    const note = h("p", { class: "meta", id: `${prefix}-clip-note` });
    const video = h("video", { id: `${prefix}-clip`, class: "clip", controls: true, muted: true,
      playsinline: true, preload: "auto", src: `/api/events/${id}/clip` });
    video.onerror = () => { note.textContent = th("noClip"); };
    box.append(h("h3", {}, th("playback")), video, note);
  }
  return box;
}
