// A page of forensic hits as pictures: each the track's best look, when and where, what
// it was and wore; a click opens the recording at that moment (the crossing of a drawn
// line, the entry into a zone, the matched face, else the track's start).
import { can, type Me } from "../api";
import { h } from "../admin/dom";
import { fmtDateTime, fmtTime } from "../i18n/core";
import { tf, tfd } from "../i18n/forensic";
import { className } from "../history/search";
import { openPlayback } from "../playback/open";
import type { Hit } from "./api";

const value = (k: string, v: string): string => (k === "plate" || k === "age_band" ? v : tfd(`v_${v}`));

export function hitCard(x: Hit, me: Me, cameraName: (id: string) => string): HTMLElement {
  const pic = x.snapshot_url
    ? h("img", { src: x.snapshot_url, alt: className(x.class_name), loading: "lazy" })
    : h("div", { class: "fx-nopic" }, className(x.class_name));
  const attrs = Object.entries(x.attributes).filter(([k]) => k !== "carried_bag" || x.attributes[k] !== "none")
    .map(([k, v]) => `${tfd(`attr_${k}`)}: ${value(k, v)}`);
  const cross = (x.crossings ?? []).map((c) =>
    tf("crossed", { dir: tfd(`d_${c.direction}`), time: fmtTime(c.at) }));
  const card = h("figure", { class: "fx-hit", "data-ref": x.ref, "data-at": x.at, "data-camera": x.camera_id,
    tabindex: 0, title: tf("openHint") }, pic,
    h("figcaption", {}, h("b", {}, fmtDateTime(x.at)), h("br"), cameraName(x.camera_id), " · ",
      className(x.class_name), " · ", tf("duration", { s: x.duration_s.toFixed(0) }),
      x.face_score != null ? ` · ${tf("matchScore", { s: x.face_score.toFixed(2) })}` : "",
      attrs.length ? h("span", { class: "fx-attrs" }, attrs.join(", ")) : "",
      cross.length ? h("span", { class: "fx-attrs" }, cross.join(", ")) : ""));
  if (can(me, "recordings.read")) {
    const go = () => openPlayback({ cameras: [x.camera_id], at: Date.parse(x.at) - 3000 });
    card.addEventListener("click", go);
    card.addEventListener("keydown", (e) => { if (e.key === "Enter") go(); });
    card.classList.add("pick");
  }
  return card;
}
