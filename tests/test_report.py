"""The Compass report: its figures are the coverage module's, and the PDF reads right."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pypdfium2
import pytest

import store
from cli import main
from geo.coverage import Options, municipality_coverage, settlement_coverage
from reports.compass import compass_data

ARTIFACTS = Path(__file__).resolve().parent / "e2e" / "artifacts"


@pytest.fixture(scope="module")
def tables(built):
    return (store.load_settlements(), store.load_municipalities(), store.load_provinces(),
            store.load_organisations())


def test_report_figures_equal_the_coverage_module(tables):
    settlements, municipalities, provinces, orgs = tables
    data = compass_data("VRC", "bg", settlements, municipalities, provinces, orgs, 10.0)
    active = orgs[orgs["status"] == "active"]
    cov = settlement_coverage(settlements, active, Options(radius_km=10.0))
    munis = municipality_coverage(cov, active, municipalities, Options(radius_km=10.0))
    mine = munis[munis["province_code"] == "VRC"]
    f = data.figures
    assert f["count_chitalishte"] == mine["count_chitalishte"].sum() == 105
    assert f["count_ngo"] == mine["count_ngo"].sum()
    assert f["gap_settlements"] == cov[(cov["province_code"] == "VRC") & cov["gap"]].shape[0]
    assert f["residents_beyond_r"] == mine["residents_beyond_r"].sum()
    assert f["population"] == 152813
    report_rows = data.municipalities.set_index("municipality_code")
    for col in ("count_ngo", "per_10k_any", "share_beyond_r", "gap_population"):
        assert (report_rows[col] == mine.set_index("municipality_code")[col]).all()
    assert data.hub_reach["existing"] == data.hubs_existing["newly_covered"].sum()


@pytest.fixture(scope="module", params=["bg", "en"])
def pdf(request, tables, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / f"krz-{request.param}.pdf"
    assert main(["report", "--province", "KRZ", "--lang", request.param, "--out",
                 str(out)]) == 0
    return request.param, out


def test_pdf_pages_and_names(pdf, tables):
    lang, path = pdf
    reader = pypdf.PdfReader(str(path))
    assert len(reader.pages) >= 4
    text = " ".join(page.extract_text() for page in reader.pages).replace("\n", " ")
    _, municipalities, provinces, _ = tables
    column = "name_latin" if lang == "en" else "name"
    province = provinces.set_index("code").at["KRZ", column]
    assert province in text
    names = municipalities.loc[municipalities["province_code"] == "KRZ", column]
    assert len(names) == 7
    missing = [n for n in names if n not in text]
    assert not missing, missing
    assert ("Компас на гражданския сектор" in text) == (lang == "bg")


def test_pdf_first_page_rendered(pdf):
    lang, path = pdf
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    image = pypdfium2.PdfDocument(str(path))[0].render(scale=1.5).to_pil()
    target = ARTIFACTS / f"report-KRZ-{lang}-page1.png"
    image.save(target)
    assert image.size[0] > 800 and target.stat().st_size > 10_000


def test_report_bad_output_name(built, capsys):
    assert main(["report", "--province", "KRZ", "--out", "/tmp/report.docx"]) == 2
    assert ".pdf or .html" in capsys.readouterr().err
