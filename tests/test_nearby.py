"""geo.nearby on tiny frames: who is within the radius, in what order, and the fallback."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.nearby import FALLBACK_COUNT, nearby

HERE = (25.0, 42.0)
KM_LON = 1 / 82.7  # about one kilometre of longitude at 42° N


def _orgs(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    """Organisations (id, name, km east of HERE)."""
    return pd.DataFrame({"id": [r[0] for r in rows], "name": [r[1] for r in rows],
                         "lon": [HERE[0] + r[2] * KM_LON for r in rows],
                         "lat": [HERE[1]] * len(rows), "kind": ["ngo"] * len(rows)})


def test_within_the_radius_nearest_first_then_by_name():
    orgs = _orgs([("a", "Вега", 3.0), ("c", "Бета", 1.0), ("b", "Алфа", 1.0),
                  ("d", "Далеч", 30.0)])
    found = nearby(orgs, *HERE, radius_km=5)
    assert list(found.within["id"]) == ["b", "c", "a"]
    assert found.within["distance_km"].tolist() == pytest.approx([1.0, 1.0, 3.0], abs=0.05)
    assert found.nearest_beyond.empty
    assert list(found.within.columns) == [*orgs.columns, "distance_km"]


def test_limit_and_candidates_narrow_what_is_within():
    orgs = _orgs([("a", "А", 1.0), ("b", "Б", 2.0), ("c", "В", 3.0)])
    assert list(nearby(orgs, *HERE, 5, limit=2).within["id"]) == ["a", "b"]
    assert list(nearby(orgs, *HERE, 5, candidates=["c", "b"]).within["id"]) == ["b", "c"]


def test_nothing_within_gives_the_nearest_beyond():
    orgs = _orgs([(str(i), f"N{i}", 10.0 + i) for i in range(FALLBACK_COUNT + 3)][::-1])
    found = nearby(orgs, *HERE, radius_km=2)
    assert found.within.empty and "distance_km" in found.within
    assert list(found.nearest_beyond["id"]) == [str(i) for i in range(FALLBACK_COUNT)]


def test_a_tie_at_the_last_place_of_the_nearest_goes_by_name():
    rows = [(str(i), f"N{i}", 10.0 + i) for i in range(FALLBACK_COUNT - 1)]
    orgs = _orgs([*rows, ("y", "Я", 20.0), ("z", "Ä", 20.0), ("x", "A", 20.0)])
    last = nearby(orgs, *HERE, radius_km=2).nearest_beyond["id"].iloc[-1]
    assert last == "x"


def test_no_organisations_at_all():
    found = nearby(_orgs([]), *HERE, radius_km=10)
    assert found.within.empty and found.nearest_beyond.empty
