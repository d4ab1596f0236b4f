"""Issue 17's smaller items outside the importer: failed Nominatim look-ups are not retried
on every search; approvals refresh every view computed from the organisations."""

from __future__ import annotations

import pytest

import store
from geo.gazetteer import Gazetteer
from geo.geocoder import RETRY_FAILED_S, Geocoder


class _Down:
    """A street look-up whose server is down: every call fails."""

    def __init__(self):
        self.calls = 0

    def lookup(self, street: str, settlement: str, municipality: str):
        self.calls += 1
        raise TimeoutError("no answer")


@pytest.fixture(scope="module")
def gaz(built):
    return Gazetteer(store.load_settlements(), store.load_municipalities(),
                     store.load_provinces())


def test_failed_street_lookup_is_not_retried_on_every_search(gaz):
    now = [0.0]
    down = _Down()
    chain = Geocoder(gaz, grounds={}, street=down, clock=lambda: now[0])
    for _ in range(3):
        out = chain.geocode("ул. Лудогорие 19, 7330 Завет")
        assert out["precision"] == "settlement" and out["name"] == "Завет"
    assert down.calls == 1
    chain.geocode("ул. Лудогорие 21, 7330 Завет")  # another address is still asked
    assert down.calls == 2
    now[0] += RETRY_FAILED_S
    chain.geocode("ул. Лудогорие 19, 7330 Завет")  # asked again after the pause
    assert down.calls == 3


def test_approval_refreshes_everything_computed_from_organisations(monkeypatch):
    from ui import data

    cleared = []
    for name in ("organisations", "settlement_coverage", "municipality_coverage", "hubs",
                 "province_figures", "compass_pdf"):
        monkeypatch.setattr(getattr(data, name), "clear",
                            lambda name=name: cleared.append(name), raising=False)
    data.organisations_changed()
    assert {"organisations", "hubs", "settlement_coverage"} <= set(cleared)
