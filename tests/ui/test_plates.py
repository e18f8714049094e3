"""Plates in the browser: a city-police investigator makes a stolen-car list, types a
plate in, imports a CSV file (one bad row named), sees the hit a passing car made, and
searches the reads with a wildcard and a reason (audited)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.incidents.conftest import wait_for
from tests.platedata.conftest import T0, Site, hours, make_site, plate_read

from kuzet.access.model import Role
from kuzet.assets import ensure

from .conftest import Hold, Server, login, person, shot, until

pytestmark = pytest.mark.slow
VIEW = {"width": 1440, "height": 900}
CSV = b"plate,reason,valid_until\n777KZA01,unpaid fines,2027-01-31\n12#4,bad,\n"


@pytest.fixture
def city(tmp_path: Path) -> Iterator[tuple[Site, Server, str]]:
    site = make_site(tmp_path)
    # a real photo of a vehicle (bus.jpg) as the read's picture
    site.blobs.put("snap/car.jpg", ensure("bus.jpg").read_bytes())
    site.sink.start()
    site.plates.start()
    site.ops.start()
    secret = person(site.access, "aidos", "city-police", Role.INVESTIGATOR)
    with Server(site.app) as server:
        yield site, server, secret
    site.sink.stop(drain=False)
    site.plates.stop()
    site.ops.stop()
    site.bus.close()
    site.store.close()


def test_plate_lists_and_search(
    city: tuple[Site, Server, str], browser: Any, tmp_path: Path
) -> None:
    site, server, secret = city
    page = browser.new_page(viewport=VIEW)
    login(page, server.url, "aidos", secret, lang="en")
    page.click('#tabs button[data-tab="plate-lists"]')
    page.fill("#pwl-name", "Stolen cars")
    page.select_option("#pwl-kind", "stolen")
    page.select_option("#pwl-fuzzy", "1")
    page.click("#pwl-create")
    page.wait_for_selector("#pwl-title:has-text('Stolen cars')")
    page.fill("#pwl-plate", "123 abc 02")
    page.fill("#pwl-reason", "stolen 2026-12-01, case 77")
    page.click("#pwl-add-go")
    page.wait_for_selector("#pwl-card td:has-text('123ABC02')")
    page.set_input_files("#pwl-csv", {"name": "list.csv", "mimeType": "text/csv", "buffer": CSV})
    page.wait_for_selector("#pwl-errors li")
    assert "1 new" in page.inner_text("#pwl-out")
    assert "line 3, plate" in page.inner_text("#pwl-errors")
    assert page.locator("#pwl-card td:has-text('777KZA01')").count() == 1

    # cars pass: one listed (read with B as 8: the list allows one difference), one not
    site.bus.publish(plate_read("123A8C02", "traffic-1", track=1, ts=T0, snapshot="snap/car.jpg"))
    site.bus.publish(plate_read("555XYZ05", "traffic-1", track=2, ts=T0 + hours(1)))
    wait_for(lambda: site.plates.consumer.reads == 2, what="two reads stored")
    page.click("#pwl-lists tr[data-id] >> nth=0")
    page.wait_for_selector("#pwl-card td:has-text('123A8C02')")
    shot(page, tmp_path, "plate-lists", docs=True)

    page.click('#tabs button[data-tab="plates"]')
    page.fill("#pl-q", "*02")
    page.select_option("#pl-mode", "wildcard")
    page.fill("#pl-since", "2026-12-06T00:00")
    page.click("#pl-go")
    assert "reason" in page.inner_text("#pl-note")  # no reason typed: nothing asked
    page.fill("#pl-reason", "case 77")
    page.click("#pl-go")
    page.wait_for_selector("#pl-results td:has-text('123A8C02')")
    assert page.locator("#pl-results td:has-text('555XYZ05')").count() == 0
    page.click("#pl-results tr[data-id] >> nth=0")  # the read: its picture
    page.wait_for_selector("#pl-snap")
    until(page, "document.querySelector('#pl-snap').naturalWidth > 0")
    shot(page, tmp_path, "plate-search", docs=True)
    searches = site.audit("plate.search")
    assert [(a["actor"], a["target"], a["reason"]) for a in searches] == [
        ("aidos", "*02", "case 77")
    ]
    page.close()


def test_a_slow_list_does_not_draw_over_the_next_one(
    city: tuple[Site, Server, str], browser: Any
) -> None:
    """An investigator opens one watchlist, then another before the first one's plates came
    back: the card keeps the list chosen last (the late answer used to replace it, with
    the add form of the other list under its title)."""
    _, server, secret = city
    page = browser.new_page(viewport=VIEW)
    login(page, server.url, "aidos", secret, lang="en")
    page.click('#tabs button[data-tab="plate-lists"]')
    for name in ("Stolen cars", "Wanted"):
        page.fill("#pwl-name", name)
        page.click("#pwl-create")
        page.wait_for_selector(f"#pwl-title:has-text('{name}')")
    ids = {
        page.inner_text(f"#pwl-lists tr[data-id='{i}'] td >> nth=0"): i
        for i in page.eval_on_selector_all(
            "#pwl-lists tr[data-id]", "rs => rs.map(r => r.dataset.id)"
        )
    }
    stolen = f"/api/plate-lists/{ids['Stolen cars']}/entries?"
    held = Hold(page, lambda u: stolen in u)
    page.click(f"#pwl-lists tr[data-id='{ids['Stolen cars']}']")
    held.wait()
    page.click(f"#pwl-lists tr[data-id='{ids['Wanted']}']")
    page.wait_for_selector("#pwl-title:has-text('Wanted')")
    held.release()
    assert page.inner_text("#pwl-title") == "Wanted"
    assert page.locator("#pwl-lists tr.sel").get_attribute("data-id") == ids["Wanted"]
    page.close()
