"""`civicmap import` and export: every rule, on whichever store the suite runs against.

SQLite by default; PostgreSQL+PostGIS in CI's second run.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import delete, func, select

import store
from cli import main
from intake.importer import MAX_BYTES, ImportFileError, run_import

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BAD = FIXTURES / "bad_inputs"
EXPECTED = json.loads((BAD / "expected.json").read_text(encoding="utf-8"))
ROOT = Path(__file__).resolve().parent.parent


def _imported() -> pd.DataFrame:
    orgs = store.load_organisations()
    return orgs[orgs["source"] == "import"]


@pytest.fixture()
def clean(built):
    """No imported rows before or after a test (the built data stays as it is)."""
    def wipe():
        with store.engine().begin() as conn:
            conn.execute(delete(store.organisations).where(
                store.organisations.c.source == "import"))
    wipe()
    yield
    wipe()


def _count() -> int:
    with store.engine().connect() as conn:
        return conn.execute(select(func.count()).select_from(store.organisations)).scalar()


@pytest.mark.parametrize("name", [n for n, e in EXPECTED.items() if "error" in e])
def test_bad_files_refused_with_their_message(clean, name):
    before = _count()
    with pytest.raises(ImportFileError) as err:
        run_import(BAD / name, "ngo")
    assert EXPECTED[name]["error"] in str(err.value)
    assert _count() == before


@pytest.mark.parametrize("name", [n for n, e in EXPECTED.items() if "rejected" in e])
def test_bad_rows_reported_with_row_and_reason(clean, name):
    before = _count()
    report = run_import(BAD / name, "ngo")
    got = [(r["row"], r["reason"]) for r in report.rejected]
    want = EXPECTED[name]["rejected"]
    assert [row for row, _ in got] == [row for row, _ in want]
    for (_, reason), (_, expected) in zip(got, want):
        assert expected in reason
    if want:  # all or nothing: one bad row and nothing is written
        assert not report.written and _count() == before


def test_file_over_the_limit_is_refused(clean, tmp_path):
    big = tmp_path / "big.csv"
    row = "Сдружение „Голямо“,Кърджали\n"
    big.write_text("name,settlement\n" + row * (MAX_BYTES // len(row.encode()) + 10),
                   encoding="utf-8")
    with pytest.raises(ImportFileError, match="limit is 5 MB"):
        run_import(big, "ngo")


def test_windows_1251_is_detected(clean):
    report = run_import(BAD / "windows1251.csv", "ngo")
    assert report.written and report.added == 1
    assert "Сдружение „Кирилица“" in set(_imported()["name"])


def test_accept_valid_stores_only_valid_rows_and_text_stays_text(clean):
    report = run_import(BAD / "script_tags.csv", "ngo", accept_valid=True)
    assert report.written and report.added == 1 and len(report.rejected) == 1
    stored = _imported().iloc[0]
    assert stored["name"] == "<script>alert('xss')</script> Сдружение"  # stored as text
    assert stored["address"] == "<img src=x onerror=alert(1)>"
    assert stored["source_file"] == "script_tags.csv" and pd.notna(stored["imported_at"])


def test_dry_run_never_writes(clean):
    before = _count()
    report = run_import(ROOT / "docs" / "import_example.csv", "ngo", dry_run=True)
    assert report.valid == 2 and not report.written and _count() == before


def test_reimport_updates_instead_of_adding(clean, tmp_path):
    first = run_import(ROOT / "docs" / "import_example.csv", "ngo")
    assert (first.added, first.updated) == (2, 0)
    changed = tmp_path / "again.csv"
    text = (ROOT / "docs" / "import_example.csv").read_text(encoding="utf-8")
    changed.write_text(text.replace("info@example.org", "new@example.org"), encoding="utf-8")
    second = run_import(changed, "ngo")
    assert (second.added, second.updated) == (0, 2)
    rows = _imported()
    assert len(rows) == 2 and "new@example.org" in set(rows["email"])
    assert set(rows["source_file"]) == {"again.csv"}


def test_update_by_uic_matches_an_existing_register_entry(clean, tmp_path):
    orgs = store.load_organisations()
    target = orgs[(orgs["kind"] == "chitalishte") & orgs["uic"].notna()].iloc[0]
    f = tmp_path / "uic.csv"
    f.write_text(f"name,uic,ekatte,website\n{target['name']},{target['uic']},"
                 f"{target['ekatte']},https://chitalishte.example.bg\n", encoding="utf-8")
    report = run_import(f, "chitalishte")
    assert (report.added, report.updated) == (0, 1)
    after = store.load_organisations().set_index("id").loc[target["id"]]
    assert after["website"] == "https://chitalishte.example.bg"
    assert after["source_file"] == "uic.csv"


def test_register_layout_never_reads_people(clean, tmp_path):
    f = tmp_path / "register.csv"
    f.write_text(
        "Рег. №,Статус,Име на читалище,Област,Община,Град/село,Адрес,Булстат,Председател,"
        "Секретар,E-mail,Телефон,линк\n"
        "9001,Действащо,Нова зора,КЪРДЖАЛИ,КИРКОВО,СЕЛО БЕНКОВСКИ,ул. Първа 1,,"
        "Иван Петров Иванов,Мария Петрова,nova@example.bg,0888000000,\n", encoding="utf-8")
    report = run_import(f, "chitalishte")
    assert report.added == 1
    row = _imported().iloc[0]
    assert row["name"] == "НЧ „Нова зора“" and row["ekatte"] == "03825"
    text = " ".join(str(v) for v in row.to_numpy())
    assert "Иван Петров" not in text and "Мария Петрова" not in text


def test_register_layout_keeps_the_latest_information_card(clean, tmp_path):
    f = tmp_path / "register.csv"
    card = "https://chitalishta.com/index.php?act=community&do=detail1&id={}"
    f.write_text(
        "Рег. №,Статус,Име на читалище,Област,Община,Град/село,Адрес,Булстат,"
        "Информационна карта 2021,Информационна карта 2022\n"
        f"9002,Действащо,Нова искра,КЪРДЖАЛИ,КИРКОВО,СЕЛО БЕНКОВСКИ,,,{card.format(11)},"
        f"{card.format(22)}\n", encoding="utf-8")
    report = run_import(f, "chitalishte")
    assert report.added == 1
    assert _imported().iloc[0]["info_card_url"] == card.format(22)


def test_registry_xml(clean):
    report = run_import(FIXTURES / "brra_sample.xml", "ngo")
    assert report.format == "brra-xml" and report.added == 2
    assert [s["reason"] for s in report.skipped] == ["legal form EOOD is not a non-profit"]
    rows = _imported().set_index("uic")
    club = rows.loc["176543210"]
    assert club["ekatte"] == "03825" and club["legal_form"] == "association"
    assert set(club["fields"].split(";")) >= {"youth", "volunteering", "environment"}
    assert rows.loc["206543211", "legal_form"] == "foundation"
    everything = " ".join(str(v) for v in rows.to_numpy().ravel())
    for person in ("Иван Петров Иванов", "Мария Георгиева Стоянова", "Петър Димитров Колев"):
        assert person not in everything
    assert "Търговия" not in everything


# The CLI in a child process whose first audit entry (written inside the import's open
# transaction) announces itself and then holds the transaction, so the test can kill it.
_PAUSED_IMPORT = """
import sys, time
from store import audit
real = audit.record
def held(conn, *args, **kwargs):
    real(conn, *args, **kwargs)
    print("fault pause: transaction open", file=sys.stderr, flush=True)
    time.sleep(120)
audit.record = held
from cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_killed_import_leaves_the_store_as_it_was(clean):
    before = _count()
    proc = subprocess.Popen(
        [sys.executable, "-c", _PAUSED_IMPORT, "import",
         str(ROOT / "docs" / "import_example.csv"), "--kind", "ngo"],
        cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        assert "transaction open" in line, line
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    store.engine().dispose()  # fresh connections see the store after the kill
    assert _count() == before and _imported().empty


def test_cli_exit_codes(clean, capsys):
    assert main(["import", str(BAD / "duplicates.csv"), "--kind", "ngo"]) == 1
    assert "duplicate UIC" in capsys.readouterr().out
    assert main(["import", str(BAD / "duplicates.csv"), "--kind", "ngo", "--accept-valid"]) == 0
    assert main(["import", str(BAD / "empty.csv"), "--kind", "ngo"]) == 2
    assert "nothing was written" in capsys.readouterr().err


def test_export_whole_dataset_with_sources_and_no_formulas(clean, tmp_path):
    run_import(BAD / "formula_cells.csv", "ngo", accept_valid=True)
    run_import(FIXTURES / "brra_sample.xml", "ngo")
    csv_out, xlsx_out, geo_out = tmp_path / "a.csv", tmp_path / "a.xlsx", tmp_path / "a.geojson"
    assert main(["export", "organisations", "--format", "csv", "--out", str(csv_out)]) == 0
    assert main(["export", "organisations", "--format", "xlsx", "--out", str(xlsx_out)]) == 0
    assert main(["export", "organisations", "--format", "geojson", "--out", str(geo_out)]) == 0
    table = pd.read_csv(csv_out, dtype=str)
    assert len(table) == _count()
    text_cells = table.fillna("").to_numpy().ravel()
    assert not [c for c in text_cells if c[:1] in ("=", "@")]
    about = pd.read_excel(xlsx_out, sheet_name="about")["note"].tolist()
    from sources.manifest import manifest

    for source in manifest().values():  # every source, with where it came from and licence
        assert any(source.upstream in n and source.licence in n for n in about[1:]), source.name
    meta = json.loads(geo_out.read_text(encoding="utf-8"))["metadata"]
    assert meta["licence"] and len(meta["sources"]) == 14


def test_import_is_in_the_audit_log_under_who_ran_it(clean):
    from store import audit

    run_import(ROOT / "docs" / "import_example.csv", "ngo", who="librarian")
    log = audit.entries(2)  # the two newest: this import's rows
    added = log[log["action"] == "import_add"]
    assert len(added) == 2 and set(added["who"]) == {"librarian"}
    assert json.loads(added.iloc[0]["after"])["source_file"] == "import_example.csv"


# -- issue 17: bounded inputs and the smaller items -------------------------------------------

def _run_cli(*args: str, limit_as: int | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "cli", *args]
    if limit_as:
        cmd = ["prlimit", f"--as={limit_as}", *cmd]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_zip_bomb_is_refused_within_1_5_gb(clean, tmp_path):
    from tests.bombs import zip_bomb_xlsx

    bomb = zip_bomb_xlsx(tmp_path / "bomb.xlsx")
    assert bomb.stat().st_size < 2_000_000
    before = _count()
    done = _run_cli("import", str(bomb), "--kind", "ngo", limit_as=1_500_000_000)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "unpacks to 1573 MB" in done.stderr and "limits are 60 MB" in done.stderr
    assert "Traceback" not in done.stderr and _count() == before


def _write_csv(path: Path, rows: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes("\n".join(rows).encode(encoding))
    return path


def test_a_200000_character_name_is_refused_with_the_limit(clean, tmp_path):
    path = _write_csv(tmp_path / "long.csv", ["name,settlement", f"{'Я' * 200_000},Кърджали",
                                              "Сдружение Кратко,Кърджали"])
    report = run_import(path, "ngo", accept_valid=True)
    assert [r["reason"] for r in report.rejected] == [
        "name is 200000 characters long; the limit is 300"]
    assert len(report.rejected[0]["name"]) <= 100  # the report does not carry it whole
    assert "300" in report.rejected[0]["problem"].text("bg")
    assert _imported()["name"].str.len().max() <= 300


def test_long_address_is_refused(clean, tmp_path):
    path = _write_csv(tmp_path / "addr.csv", ["name,settlement,address",
                                              f"Сдружение А,Кърджали,{'ул. ' * 700_000}"])
    report = run_import(path, "ngo", accept_valid=True)
    assert "address is 2799999 characters long; the limit is 300" in report.rejected[0]["reason"]
    assert _imported().empty


@pytest.mark.parametrize(("encoding", "hint"), [("koi8_r", "KOI8-R"), ("latin-1", "Latin-1")])
def test_wrong_code_page_is_named(clean, tmp_path, encoding, hint):
    text = ["name,settlement,province", "Сдружение Пробуда,Кърджали,Кърджали"] \
        if encoding == "koi8_r" else ["name,settlement", "Café Müller Association,Sofia"]
    path = _write_csv(tmp_path / "enc.csv", text, encoding)
    with pytest.raises(ImportFileError, match=hint):
        run_import(path, "ngo")
    assert _imported().empty


def test_xml_without_deeds_and_xxe_get_clear_messages(clean, tmp_path):
    other = tmp_path / "other.xml"
    other.write_text("<?xml version='1.0'?><catalog><book>x</book></catalog>")
    with pytest.raises(ImportFileError, match="no Registry Agency deeds"):
        run_import(other, "ngo")
    xxe = tmp_path / "xxe.xml"
    xxe.write_text('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                   "<Deed><CompanyName>&x;</CompanyName></Deed>")
    with pytest.raises(ImportFileError) as caught:
        run_import(xxe, "ngo")
    assert "entities or a DTD" in caught.value.text("en")
    assert "Forbidden" not in caught.value.text("en") and "/etc/passwd" not in str(caught.value)
    done = _run_cli("import", str(other), "--kind", "ngo")
    assert done.returncode == 2


def test_duplicated_header_is_refused(clean, tmp_path):
    path = _write_csv(tmp_path / "dup.csv", ["name,settlement,Name", "А,Кърджали,Б"])
    with pytest.raises(ImportFileError, match="'Name' appears more than once"):
        run_import(path, "ngo")


def test_register_placeholders_are_empty_not_formulas(clean, tmp_path):
    path = _write_csv(tmp_path / "reg.csv", [
        "Рег. №,Статус,Име на читалище,Област,Община,Град/село,Адрес,Булстат,E-mail,Телефон,линк",
        "1,Действащо,ПРОБУДА,Кърджали,Кърджали,гр. Кърджали,-,-,-не,-0361 62 000,-",
        "2,Действащо,ИЗГРЕВ,Кърджали,Кърджали,гр. Кърджали,- п.к. 6600,не,"
        "\"a@abv.bg, b@abv.bg\",+359 361 1,"])
    report = run_import(path, "chitalishte", dry_run=True)
    assert report.rejected == [] and report.valid == 2


def test_row_reasons_are_translated(clean):
    report = run_import(BAD / "formula_cells.csv", "ngo", dry_run=True)
    assert report.rejected
    for rejected in report.rejected:
        problem = rejected["problem"]
        assert problem.text("en") == rejected["reason"]
        assert problem.text("bg") != problem.text("en") != problem.text("tr")
