"""`civicmap stats` and `civicmap export` through the real CLI entry point."""

from __future__ import annotations

import csv
import io
import json

import pytest

from cli import main
from reports.export import PUBLIC_COLUMNS, neutralise


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


def test_unknown_province_is_a_clear_error(built, capsys):
    assert main(["export", "organisations", "--province", "XYZ"]) == 2
    assert "civicmap export: unknown province code(s) XYZ" in capsys.readouterr().err


def test_export_neutralises_formulas():
    assert neutralise("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert neutralise("НЧ „Пробуда“") == "НЧ „Пробуда“"


def test_coverage_csv_columns_and_gaps(built, tmp_path, capsys):
    from cli.coverage import COVERAGE_COLUMNS

    out = tmp_path / "cov.csv"
    assert main(["coverage", "--province", "KRZ", "--radius-km", "5", "--kinds", "ngo",
                 "--format", "csv", "--out", str(out)]) == 0
    assert "presumed" in capsys.readouterr().err  # the output says which choice it made
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == COVERAGE_COLUMNS and len(rows) == 468
    gaps = [r for r in rows if r["gap"] == "True"]
    assert gaps and all(float(r["nearest_ngo_km"]) > 5 for r in gaps)


def test_coverage_geojson_states_library_choice(built, tmp_path):
    out = tmp_path / "cov.geojson"
    main(["coverage", "--province", "RAZ", "--radius-km", "10", "--no-presumed",
          "--format", "geojson", "--out", str(out)])
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["metadata"]["libraries_include_presumed"] is False
    assert len(doc["features"]) == 103


def test_municipalities_csv(built, tmp_path):
    out = tmp_path / "m.csv"
    assert main(["municipalities", "--province", "KRZ,RAZ,VRC", "--radius-km", "10",
                 "--format", "csv", "--out", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 7 + 7 + 10
    assert sum(int(r["population"]) for r in rows if r["province_code"] == "KRZ") == 141177


def test_hubs_json(built, tmp_path):
    out = tmp_path / "h.json"
    assert main(["hubs", "--province", "KRZ", "--k", "3", "--radius-km", "5", "--format",
                 "json", "--out", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert len(doc["existing"]["sites"]) == 3 and len(doc["new_sites"]["sites"]) == 3
    assert 0 < doc["existing"]["newly_covered"] <= \
        doc["existing"]["population_without_ngo_within_r"]
    gains = [s["newly_covered"] for s in doc["existing"]["sites"]]
    assert sum(gains) == doc["existing"]["newly_covered"]


@pytest.mark.parametrize("args", [["coverage", "--radius-km", "-1"],
                                  ["coverage", "--kinds", "pizza"],
                                  ["hubs", "--province", "KRZ", "--k", "0"],
                                  ["municipalities", "--province", "XX"]])
def test_bad_coverage_input_is_a_clear_error(built, args, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"civicmap {args[0]}: ") and "Traceback" not in err


def _nearby(capsys, *args) -> list[dict]:
    assert main(["nearby", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_nearby_momchilgrad_within_radius_in_order(built, capsys):
    found = _nearby(capsys, "--query", "Момчилград", "--radius-km", "10")
    assert len(found) >= 10
    distances = [e["distance_km"] for e in found]
    assert distances == sorted(distances) and max(distances) <= 10
    assert set(found[0]) == {"id", "name", "kind", "fields", "distance_km", "lon", "lat",
                             "address", "contacts"}
    latin = _nearby(capsys, "--query", "Momchilgrad", "--radius-km", "10")
    assert [e["id"] for e in latin] == [e["id"] for e in found]


def test_nearby_kind_field_and_limit(built, capsys):
    ngos = _nearby(capsys, "--query", "Кърджали", "--radius-km", "5", "--kind", "ngo")
    assert ngos and {e["kind"] for e in ngos} == {"ngo"}
    youth = _nearby(capsys, "--query", "Кърджали", "--radius-km", "5", "--field", "youth")
    assert youth and all("youth" in e["fields"] for e in youth)
    assert len(youth) < len(_nearby(capsys, "--query", "Кърджали", "--radius-km", "5"))
    two = _nearby(capsys, "--lat", "41.6374", "--lon", "25.3736", "--radius-km", "5",
                  "--limit", "2")
    assert len(two) == 2


def test_nearby_nothing_within_names_the_nearest(built, capsys):
    assert main(["nearby", "--query", "Кърджали", "--radius-km", "1", "--field", "animals",
                 "--format", "json"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out) == [] and "nearest" in out.err and "Мездра" in out.err


@pytest.mark.parametrize("args", [["--query", "Xyzzy Qwerty"], ["--lat", "25.4", "--lon", "41.5"],
                                  ["--query", "Кърджали", "--kind", "club"]])
def test_nearby_bad_input_fails_cleanly(built, args, capsys):
    assert main(["nearby", *args, "--radius-km", "5"]) == 2
    assert capsys.readouterr().err.startswith("civicmap nearby: ")
