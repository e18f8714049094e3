// The search-and-history screens, registered with the shell: event search, the journal of
// closed incidents and the shift hand-over report. (An analyst lands on statistics, next
// to search.)
import { onLangChange } from "../i18n/core";
import { registerScreen } from "../shell";
import { HandoverView } from "./handover";
import { JournalView } from "./journal";
import { SearchView } from "./search";

registerScreen({
  id: "search", label: "hist.tabSearch", order: 100, needs: ["events.read"],
  async mount(pane, me) {
    const v = new SearchView(pane, me);
    onLangChange(() => v.render());
    await v.load();
  },
});

registerScreen({
  id: "journal", label: "hist.tabJournal", order: 110, needs: ["events.read"],
  async mount(pane, me) {
    const v = new JournalView(pane, me);
    onLangChange(() => v.render());
    await v.load();
  },
});

registerScreen({
  id: "handover", label: "hist.tabHandover", order: 120, needs: ["live.read"],
  async mount(pane, me) {
    const v = new HandoverView(pane, me);
    onLangChange(() => v.render());
    await v.load();
  },
});
