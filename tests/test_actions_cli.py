"""`civicmap actions import | list | ical` and `civicmap export actions` on the real build.

Every test that stores actions removes them again (other tests share the build).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import icalendar
import pytest
from sqlalchemy import delete, select

import store
from civic.action import TIME_FORMAT, now_local
from cli import main
from intake.actions import IMPORT_COLUMNS, build
from reports.export import ACTION_PUBLIC_COLUMNS
from store.actions import load_actions, write_import
from store.db import reading, writing
from store.schema import actions

ROOT = Path(__file__).resolve().parents[1]
KARDZHALI = "40909"  # Кърджали town: province KRZ, municipality KRZ16


def _ids() -> set[str]:
    with reading() as conn:
        return set(conn.execute(select(actions.c.id)).scalars())


@pytest.fixture
def clean_actions(built):
    """Remove every action a test added, whatever happened in it."""
    before = _ids()
    yield
    with writing() as conn:
        conn.execute(delete(actions).where(actions.c.id.notin_(before)))


@pytest.fixture(scope="module")
def host(built) -> str:
    """A real organisation of Kardzhali province."""
    orgs = store.load_organisations()
    return sorted(orgs[orgs["province_code"] == "KRZ"]["id"])[0]


def _when(days: int, hour: int = 10) -> str:
    day = now_local().replace(hour=hour, minute=0) + timedelta(days=days)
    return day.strftime(TIME_FORMAT).replace("T", " ")


def _row(host: str, **over) -> dict:
    row = dict.fromkeys(IMPORT_COLUMNS, "")
    row.update(title="Почистване на парка", cause="environment", type="volunteer_action",
               start=_when(10), end=_when(10, 12), ekatte=KARDZHALI, host_id=host,
               volunteers_needed="8", items="ръкавици")
    row.update(over)
    return row


def _file(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "actions.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=IMPORT_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_template_header_is_the_import_columns():
    with (ROOT / "docs" / "actions_template.csv").open(encoding="utf-8") as fh:
        assert tuple(next(csv.reader(fh))) == IMPORT_COLUMNS


def test_template_placeholders_are_refused(built, capsys, clean_actions):
    path = ROOT / "docs" / "actions_template.csv"
    assert main(["actions", "import", str(path), "--dry-run"]) == 2
    out = capsys.readouterr().out.splitlines()
    assert out == ["line 2: the host organisation was not found",
                   "line 3: the host organisation was not found"]


def test_import_with_bad_rows_writes_nothing(built, host, tmp_path, capsys, clean_actions):
    before = _ids()
    path = _file(tmp_path, [_row(host), _row(host, title="Друго", cause="nonsense"),
                            _row(host, title="Трето", end=_when(9))])
    assert main(["actions", "import", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out.splitlines() == ["line 3: unknown cause 'nonsense'",
                                         "line 4: the action ends before it starts"]
    assert "bad 2; nothing written" in captured.err
    assert _ids() == before


def test_unusable_file_exits_2(built, tmp_path, capsys):
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    assert main(["actions", "import", str(path)]) == 2
    assert "the file is empty" in capsys.readouterr().err


def test_good_file_is_stored_listed_and_in_the_calendar(built, host, tmp_path, capsys,
                                                        clean_actions):
    path = _file(tmp_path, [_row(host, rrule="FREQ=WEEKLY;COUNT=3"),
                            _row(host, title="Онлайн обучение", cause="digital_skills",
                                 type="training", online="yes", ekatte="",
                                 start=_when(3), end=_when(3, 12))])
    assert main(["actions", "import", str(path), "--dry-run"]) == 0
    assert load_actions().query("host_id == @host").empty
    assert main(["actions", "import", str(path)]) == 0
    assert "stored 2" in capsys.readouterr().err

    assert main(["actions", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    mine = [r for r in listed if r["host_id"] == host]
    assert [r["title"] for r in mine] == ["Онлайн обучение", "Почистване на парка"]
    assert set(ACTION_PUBLIC_COLUMNS) <= set(mine[0]) and mine[1]["next_start"]
    assert mine[1]["volunteers_needed"] == 8 and mine[1]["province_code"] == "KRZ"

    assert main(["actions", "list", "--json", "--province", "KRZ",
                 "--cause", "environment"]) == 0
    assert {r["title"] for r in json.loads(capsys.readouterr().out)
            if r["host_id"] == host} == {"Почистване на парка"}

    out = tmp_path / "krz.ics"
    assert main(["actions", "ical", "--province", "KRZ", "--organisation", host,
                 "--out", str(out)]) == 0
    cal = icalendar.Calendar.from_ical(out.read_bytes())
    events = cal.walk("VEVENT")
    assert len(events) == 1 and [str(t["TZID"]) for t in cal.walk("VTIMEZONE")] == \
        ["Europe/Sofia"]
    assert events[0]["DTSTART"].params["TZID"] == "Europe/Sofia"
    assert events[0]["RRULE"]["COUNT"] == [3] and events[0]["RRULE"]["FREQ"] == ["WEEKLY"]


def test_filters_refuse_unknown_codes(built, capsys):
    assert main(["actions", "list", "--province", "XYZ"]) == 2
    assert "unknown province code XYZ" in capsys.readouterr().err
    assert main(["actions", "ical", "--organisation", "nobody-1"]) == 2
    assert "unknown organisation id nobody-1" in capsys.readouterr().err


def test_export_actions_csv_neutralises_formulas(built, host, tmp_path, clean_actions):
    record = build({"title": '=HYPERLINK("http://evil.example","x")', "cause": "culture",
                    "type": "exhibition", "start": _when(5), "end": _when(5, 12),
                    "ekatte": KARDZHALI, "host_id": host}, None, "published", "import")
    online = build({"title": "Онлайн среща", "cause": "culture", "type": "public_meeting",
                    "start": _when(6), "end": _when(6, 11), "online": True, "host_id": host},
                   None, "published", "import")
    write_import([record, online], "test")
    out = tmp_path / "actions.csv"
    assert main(["export", "actions", "--format", "csv", "--province", "KRZ",
                 "--out", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == ACTION_PUBLIC_COLUMNS
    assert {r["province_code"] for r in rows} == {"KRZ"}  # the online one has no province
    mine = [r for r in rows if r["id"] == record.id]
    assert mine[0]["title"] == "'=HYPERLINK(\"http://evil.example\",\"x\")"
    assert mine[0]["host_name"] and mine[0]["status"] == "published"
    geo = tmp_path / "actions.geojson"
    assert main(["export", "actions", "--format", "geojson", "--out", str(geo)]) == 0
    features = json.loads(geo.read_text(encoding="utf-8"))["features"]
    assert {record.id, online.id} <= {f["properties"]["id"] for f in features}
