// The plate screens' tabs: search of plate reads (plates.search) and plate watchlists
// (platelists.read). The server also checks plates clearance on every call.
import "./strings";
import { onLangChange } from "../i18n/core";
import { registerScreen } from "../shell";
import { PlateListsView } from "./lists";
import { PlateSearchView } from "./search";

registerScreen({
  id: "plates", label: "pl.tabSearch", order: 106, needs: ["plates.search"],
  async mount(pane, me) {
    const v = new PlateSearchView(pane, me);
    onLangChange(() => v.render());
    await v.load();
  },
});

registerScreen({
  id: "plate-lists", label: "pl.tabLists", order: 107, needs: ["platelists.read"],
  async mount(pane, me) {
    const v = new PlateListsView(pane, me);
    onLangChange(() => v.render());
    await v.load();
  },
});
