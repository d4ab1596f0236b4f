"""The Compass report: its figures are the coverage model's, per kind.

The cover says what it found; several provinces compare side by side; the PDF reads right.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pypdf
import pypdfium2
import pytest
from shapely.geometry import Point

import store
from civic.i18n import translator
from civic.numbers import fmt_pct
from cli import main
from geo.coverage import Options, settlement_coverage, summarise
from reports.compass import _gaps, compass_data, source_rows

ARTIFACTS = Path(__file__).resolve().parent / "e2e" / "artifacts"


@pytest.fixture(scope="module")
def tables(built):
    return (store.load_settlements(), store.load_municipalities(), store.load_provinces(),
            store.load_organisations())


def test_report_figures_equal_the_coverage_model(tables):
    settlements, municipalities, provinces, orgs = tables
    data = compass_data(["VRC"], "bg", settlements, municipalities, provinces, orgs, 10.0)
    active = orgs[orgs["status"] == "active"]
    cov = settlement_coverage(settlements, active, Options(radius_km=10.0))
    want = summarise(cov, "province_code").loc["VRC"]
    f = data.figures
    for kind in ("ngo", "chitalishte", "library", "any"):
        for key in ("residents_beyond_r", "share_beyond_r", "pw_mean_km",
                    "settlements_without_own"):
            assert f[f"{kind}_{key}"] == want[f"{kind}_{key}"], (kind, key)
    assert f["count_chitalishte"] == 105 and f["population"] == 152813
    # the cover's headline figures are not zero: NGOs and libraries known by name are far
    assert f["ngo_share_beyond_r"] >= 0.10 and f["library_share_beyond_r"] >= 0.25
    # each organisation once: the presumed libraries of VRC's 105 chitalishta add nothing
    assert f["count_any"] == f["count_ngo"] + f["count_chitalishte"] + f["count_library"]
    section = data.sections[0]
    assert section.hub_reach["existing"] == section.hubs_existing["newly_covered"].sum() > 0
    shares = list(section.municipalities["ngo_share_beyond_r"])
    assert shares == sorted(shares, reverse=True)  # least served first


def test_gap_names_are_looked_up_by_ekatte_not_by_name():
    """Two villages called "Бяла": each keeps its own Latin form."""
    settlements = gpd.GeoDataFrame({
        "ekatte": ["00001", "00002"], "name": ["Бяла", "Бяла"],
        "name_latin": ["Byala-North", "Byala-South"], "province_code": ["TST", "TST"],
        "municipality_code": ["TST01", "TST01"],
        "geometry": [Point(25.0, 42.0), Point(25.5, 42.5)]}, crs="EPSG:4326")
    municipalities = pd.DataFrame({"code": ["TST01"], "name": ["Тест"],
                                   "name_latin": ["Test"]})
    cov = pd.DataFrame({"ekatte": ["00002", "00001"], "province_code": ["TST", "TST"],
                        "municipality_code": ["TST01", "TST01"], "population": [50, 100],
                        "gap_ngo": [True, True], "beyond_ngo": [True, True],
                        "beyond_chitalishte": [False, False], "beyond_library": [True, False]})
    gaps = _gaps(cov, "TST", settlements, municipalities, "en").set_index("ekatte")
    assert gaps.at["00001", "display_name"] == "Бяла (Byala-North)"
    assert gaps.at["00002", "display_name"] == "Бяла (Byala-South)"
    assert gaps.at["00002", "missing"] == "NGO, Library"


def test_sources_by_name_licence_and_date_without_commit_hashes():
    rows = source_rows()
    assert len(rows) >= 10
    text = " ".join(" ".join(r.values()) for r in rows)
    assert not re.search(r"\b[0-9a-f]{8,40}\b", text), text
    assert any(r["date"] == "2026-11" for r in rows)


def _pdf(tmp_path_factory, province: str, lang: str) -> tuple[str, Path]:
    out = tmp_path_factory.mktemp("report") / f"{province.replace(',', '-')}-{lang}.pdf"
    assert main(["report", "--province", province, "--lang", lang, "--out", str(out)]) == 0
    return lang, out


def _text(path: Path, pages: slice = slice(None)) -> str:
    reader = pypdf.PdfReader(str(path))
    return " ".join(p.extract_text() for p in reader.pages[pages]).replace("\n", " ")


@pytest.fixture(scope="module", params=["bg", "en"])
def vrc_pdf(request, tables, tmp_path_factory):
    return _pdf(tmp_path_factory, "VRC", request.param)


def test_vrc_cover_states_per_kind_findings(vrc_pdf, tables):
    lang, path = vrc_pdf
    cover = _text(path, slice(0, 1))
    settlements, municipalities, provinces, orgs = tables
    f = compass_data(["VRC"], lang, settlements, municipalities, provinces, orgs).figures
    for kind in ("ngo", "library"):
        share = fmt_pct(f[f"{kind}_share_beyond_r"], lang)
        assert share in cover and share not in ("0.0%", "0,0%")
    assert "20 / 123" in cover  # settlements without their own chitalishte
    assert ("известни НПО" in cover) == (lang == "bg")
    assert ("known NGO" in cover) == (lang == "en")


def test_pdf_pages_and_names(vrc_pdf, tables):
    lang, path = vrc_pdf
    reader = pypdf.PdfReader(str(path))
    assert len(reader.pages) >= 4
    text = _text(path)
    _, municipalities, provinces, _ = tables
    column = "name_latin" if lang == "en" else "name"
    assert provinces.set_index("code").at["VRC", column] in text
    names = municipalities.loc[municipalities["province_code"] == "VRC", column]
    assert len(names) == 10
    missing = [n for n in names if n not in text]
    assert not missing, missing
    assert ("Компас на гражданския сектор" in text) == (lang == "bg")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    image = pypdfium2.PdfDocument(str(path))[0].render(scale=1.5).to_pil()
    image.save(ARTIFACTS / f"report-VRC-{lang}-page1.png")
    assert image.size[0] > 800


def test_three_provinces_side_by_side(tables, tmp_path_factory):
    _, path = _pdf(tmp_path_factory, "KRZ,RAZ,VRC", "bg")
    cover = _text(path, slice(0, 1))
    for name in ("Кърджали", "Разград", "Враца"):
        assert name in cover
    settlements, municipalities, provinces, orgs = tables
    data = compass_data(["KRZ", "RAZ", "VRC"], "bg", settlements, municipalities, provinces,
                        orgs)
    for section in data.sections:  # every province's NGO share is on the cover
        assert fmt_pct(section.figures["ngo_share_beyond_r"], "bg") in cover
    assert "361 / 457" in cover
    assert len(pypdf.PdfReader(str(path)).pages) >= 8


def test_report_bad_output_name(built, capsys):
    assert main(["report", "--province", "KRZ", "--out", "/tmp/report.docx"]) == 2
    assert ".pdf or .html" in capsys.readouterr().err


def _hub_inputs():
    """A known library with a profile (L1), a chitalishte (C2) keeping a presumed library.

    The presumed library (P2) stands at the chitalishte's point; NGOs name each as their
    hub (one of them inactive), one names none.
    """
    base = {"status": "active", "subtype": None, "parent_id": None, "presumed": False,
            "province_code": "TST", "municipality_code": "TST01", "seats": None,
            "internet": None, "opening_hours": None, "hub_id": None}
    rows = [
        {"id": "L1", "kind": "library", "name": "Lib One", "lon": 25.0, "lat": 42.0,
         "ekatte": "00001", "seats": 40, "internet": True, "opening_hours": "Mo-Fr 09:00-17:00"},
        {"id": "C2", "kind": "chitalishte", "name": "Chit Two", "lon": 25.5, "lat": 42.5,
         "ekatte": "00002", "seats": 20},
        {"id": "P2", "kind": "library", "name": "Library of Chit Two", "lon": 25.5,
         "lat": 42.5, "ekatte": "00002", "presumed": True, "parent_id": "C2"},
        {"id": "N1", "kind": "ngo", "name": "a", "lon": 25.0, "lat": 42.0, "hub_id": "L1"},
        {"id": "N2", "kind": "ngo", "name": "b", "lon": 25.0, "lat": 42.0, "hub_id": "C2"},
        {"id": "N3", "kind": "ngo", "name": "c", "lon": 25.0, "lat": 42.0, "hub_id": "P2"},
        {"id": "N4", "kind": "ngo", "name": "d", "lon": 25.0, "lat": 42.0},
        {"id": "N5", "kind": "ngo", "name": "e", "lon": 25.0, "lat": 42.0, "hub_id": "L1",
         "status": "inactive"},
    ]
    orgs = pd.DataFrame([{**base, **r} for r in rows])
    catchments = pd.DataFrame({
        "site_id": ["P2", "L1"], "name": ["Library of Chit Two", "Lib One"],
        "settlement": ["Бяла", "Село"], "ekatte": ["00002", "00001"],
        "municipality_code": ["TST01", "TST01"], "province_code": ["TST", "TST"],
        "settlements": [2, 1], "residents": [300, 100], "ngos": [0, 4], "chitalishta": [1, 0],
        "beyond_r": [300, 0], "beyond_r_share": [1.0, 0.0]})
    settlements = pd.DataFrame({"ekatte": ["00001", "00002"], "name": ["Село", "Бяла"],
                                "name_latin": ["Selo", "Byala"], "name_tr": [None, "Bela"]})
    municipalities = pd.DataFrame({"code": ["TST01"], "name": ["Тест"], "name_latin": ["Test"]})
    return catchments, orgs, settlements, municipalities


def test_hub_table_offers_presented_ngos_and_pages():
    from reports.compass import hub_table

    catchments, orgs, settlements, municipalities = _hub_inputs()
    t = hub_table(catchments, orgs, settlements, municipalities, "en").set_index("site_id")
    assert list(t.index) == ["P2", "L1"]  # the catchment table's order is kept
    assert t.at["L1", "offer"] == "seats: 40 · internet: yes · hours: Mo-Fr 09:00-17:00"
    # the presumed library's offer is its chitalishte's; what nobody said stays unknown
    assert t.at["P2", "offer"] == "seats: 20 · internet: unknown · hours: unknown"
    assert t.at["L1", "ngos_presented"] == 1  # N1; N5 is inactive
    assert t.at["P2", "ngos_presented"] == 2  # N2 names the chitalishte, N3 its library
    assert t.at["P2", "page_id"] == "C2" and t.at["L1", "page_id"] == "L1"
    assert t.at["P2", "settlement"] == "Бяла (Byala)" and t.at["L1", "municipality"] == \
        "Тест (Test)"
    tr = hub_table(catchments, orgs, settlements, municipalities, "tr").set_index("site_id")
    assert tr.at["P2", "settlement"] == "Бяла (Bela)"  # the Turkish name in use, where known
    assert tr.at["L1", "settlement"] == "Село (Selo)"
    bare = orgs.drop(columns=["seats", "internet", "opening_hours", "hub_id"])
    t = hub_table(catchments, bare, settlements, municipalities, "bg")
    assert set(t["offer"]) == {"неизвестно"} and t["ngos_presented"].sum() == 0


def test_offer_summary_never_says_no_for_unknown():
    from reports.compass import offer_summary

    assert offer_summary({}, "en") == "unknown"
    assert offer_summary({"internet": False}, "en") == \
        "seats: unknown · internet: no · hours: unknown"
    assert offer_summary({"seats": float("nan"), "opening_hours": " "}, "en") == "unknown"


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_pdf_lists_libraries_as_hubs(vrc_pdf, tables):
    lang, path = vrc_pdf
    settlements, municipalities, provinces, orgs = tables
    section = compass_data(["VRC"], lang, settlements, municipalities, provinces,
                           orgs).sections[0]
    assert 0 < len(section.libraries) <= 15 < section.library_sites
    beyond = list(section.libraries["beyond_r"])
    assert beyond == sorted(beyond, reverse=True)  # most residents beyond R first
    text = _squeezed(_text(path))  # names wrap inside the table's cells
    heading = {"bg": "Библиотеките като центрове", "en": "Libraries as hubs"}[lang]
    assert _squeezed(f"{section.name}: {heading}") in text
    top = section.libraries.iloc[0]
    assert _squeezed(top["name"]) in text and _squeezed(top["settlement"]) in text
    _ = translator(lang)
    assert _squeezed(_("The {shown} of {n} libraries with the most residents beyond R in "
                       "their catchment.").format(shown=len(section.libraries),
                                                  n=section.library_sites)) in text
