// The forensic search's tab: for whoever may search the track index (archive.search).
import "../i18n/forensic";
import { onLangChange } from "../i18n/core";
import { registerScreen } from "../shell";
import { ForensicView } from "./screen";

let view: ForensicView | null = null;

registerScreen({
  id: "forensic", label: "fx.tab", order: 105, needs: ["archive.search"],
  async mount(pane, me) {
    view = new ForensicView(pane, me);
    onLangChange(() => view?.render());
    await view.load();
  },
  hide() { view?.hide(); },
});
