"""`civicmap stats` and `civicmap export` through the real CLI entry point."""

from __future__ import annotations

import csv
import io
import json

import pytest

from civic.cli import main
from civic.export import PUBLIC_COLUMNS, neutralise


def test_stats_json_shape_and_figures(built, capsys):
    assert main(["stats", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"organisations", "organisations_all_statuses", "precision",
                        "settlements", "population_2017", "population_2021"}
    assert set(doc["organisations"]["KRZ"]) == {"ngo", "chitalishte", "library",
                                                "library_presumed"}
    assert doc["organisations"]["RAZ"]["chitalishte"] == 107
    assert set(doc["precision"]) == {"source_point", "street", "settlement", "municipality",
                                     "none"}
    assert doc["settlements"]["total"] == 5256 and doc["settlements"]["VRC"] == 123
    assert doc["population_2021"]["KRZ"] == 141177
    assert doc["organisations_all_statuses"]["SOF"]["chitalishte"] >= \
        doc["organisations"]["SOF"]["chitalishte"]


def test_export_csv_one_province(built, tmp_path):
    out = tmp_path / "krz.csv"
    assert main(["export", "organisations", "--format", "csv", "--province", "KRZ",
                 "--out", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == PUBLIC_COLUMNS
    assert {r["province_code"] for r in rows} == {"KRZ"}
    assert sum(r["kind"] == "chitalishte" for r in rows) == 103


def test_export_geojson(built, tmp_path):
    out = tmp_path / "vrc.geojson"
    main(["export", "organisations", "--format", "geojson", "--province", "VRC",
          "--out", str(out)])
    doc = json.loads(out.read_text(encoding="utf-8"))
    feature = doc["features"][0]
    assert feature["geometry"]["type"] == "Point"
    assert isinstance(feature["properties"]["fields"], list)


def test_unknown_province_is_a_clear_error(built):
    with pytest.raises(SystemExit) as err:
        main(["export", "organisations", "--province", "XYZ"])
    assert "XYZ" in str(err.value)


def test_export_neutralises_formulas():
    assert neutralise("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert neutralise("НЧ „Пробуда“") == "НЧ „Пробуда“"
