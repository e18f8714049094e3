// The recordings screen's tab: for whoever may play recorded video (recordings.read).
// Other screens open it with openPlayback (./open.ts).
import "../i18n/playback";
import { onLangChange } from "../i18n/core";
import { registerScreen } from "../shell";
import { PlaybackView } from "./screen";

let view: PlaybackView | null = null;

registerScreen({
  id: "playback", label: "pb.tab", order: 25, needs: ["recordings.read"],
  async mount(pane, me) {
    view = new PlaybackView(pane, me);
    onLangChange(() => view?.render());
    await view.load();
  },
  show() { view?.show(); },
  hide() { view?.hide(); },
});
