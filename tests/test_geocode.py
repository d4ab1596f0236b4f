"""The offline geocoder: parser, gazetteer rules on real names, the chain and the CLI."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import store
from cli import main
from geo.address import parse
from geo.gazetteer import MIN_SCORE, Gazetteer
from geo.geocoder import Geocoder, NominatimConfig, StreetLookup


@pytest.fixture(scope="module")
def gaz(built):
    return Gazetteer(store.load_settlements(), store.load_municipalities(),
                     store.load_provinces())


def test_parser_reads_bulgarian_address_parts():
    p = parse("гр. Разград, п.к. 7200, ж.к. „Орел“, бл. 22")
    assert (p.settlement, p.settlement_type, p.postal_code) == ("Разград", "гр.", "7200")
    assert "Орел" in p.street and "бл. 22" in p.street
    p = parse("ул. „Момчил Войвода“ № 2, 6800 Момчилград")
    assert (p.settlement, p.postal_code, p.street) == ("Момчилград", "6800",
                                                       "ул. Момчил Войвода 2")
    p = parse("s. Benkovski, obshtina Kirkovo, oblast Kardzhali")
    assert (p.settlement, p.municipality, p.province) == ("Benkovski", "Kirkovo", "Kardzhali")
    p = parse("Първа 33, п.к.9387, СЕЛО КОЗЛОДУЙЦИ, община ДОБРИЧКА")
    assert (p.settlement, p.street) == ("КОЗЛОДУЙЦИ", "Първа 33")


def test_duplicate_village_names_resolved_by_municipality_and_province(gaz):
    assert gaz.match("с. Бенковски, общ. Кирково").ekatte == "03825"  # Kardzhali province
    assert gaz.match("Бенковски, обл. Пловдив").ekatte == "03839"
    benkovski = [i for i, n in enumerate(gaz.name) if n == "Бенковски"]
    assert len(benkovski) >= 5
    assert len({gaz.prov[i] for i in benkovski}) >= 4


@pytest.mark.parametrize(("latin", "cyrillic"), [
    ("Kardjali", "Кърджали"), ("Kurdzhali", "Кърджали"), ("Vraca", "Враца"),
    ("Momchilgrad", "Момчилград"), ("s. Benkovski, obshtina Kirkovo", "с. Бенковски, общ. Кирково"),
    ("Tsar Kaloyan", "Цар Калоян"),
])
def test_latin_and_cyrillic_twins_agree(gaz, latin, cyrillic):
    a, b = gaz.match(latin), gaz.match(cyrillic)
    assert a is not None and b is not None and a.ekatte == b.ekatte


@pytest.mark.parametrize(("typo", "ekatte"), [
    ("Кърджли", "40909"), ("Момчилгард", "48996"), ("Razgard", "61710"),
    ("с. Бенковки, общ. Кирково", "03825"),
])
def test_typos_still_land(gaz, typo, ekatte):
    found = gaz.match(typo)
    assert found is not None and found.ekatte == ekatte and found.score < 100


def test_postal_code_only(gaz):
    assert gaz.match("7330").name == "Завет"
    assert gaz.match("7200").ekatte == "61710"


def test_razgrad_is_the_town_not_the_montana_village(gaz):
    found = gaz.match("Разград")
    assert found.ekatte == "61710" and found.province_code == "RAZ"
    assert gaz.match("Разград, общ. Вълчедръм").ekatte == "61707"


def test_street_address_with_postal_code(gaz):
    found = gaz.match("ул. Лудогорие 19, 7330 Завет")
    assert (found.name, found.province_code, found.precision) == ("Завет", "RAZ", "settlement")


@pytest.mark.parametrize("query", ["Xyzzy", "Ню Йорк", "qwerty asdf", "", "12"])
def test_no_match_rather_than_a_guess(gaz, query):
    assert gaz.match(query) is None


def test_municipality_only_is_municipality_precision(gaz):
    found = gaz.match("община Кирково")
    assert found.precision == "municipality" and found.ekatte is None
    assert found.score >= MIN_SCORE


class _FakeNominatim(BaseHTTPRequestHandler):
    answer: list = []
    calls: list = []

    def do_GET(self):  # noqa: N802 (http.server API)
        type(self).calls.append((time.monotonic(), self.headers.get("User-Agent")))
        body = json.dumps(type(self).answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def fake_nominatim():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeNominatim)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _FakeNominatim.calls = []
    yield server
    server.shutdown()


def _chain(gaz, port: int, cache=None) -> Geocoder:
    settlements = store.load_settlements()
    config = NominatimConfig(domain=f"127.0.0.1:{port}", scheme="http",
                             user_agent="civicmap-tests", min_delay_seconds=1.0)
    grounds = dict(zip(settlements["ekatte"], settlements["ground"]))
    return Geocoder(gaz, grounds=grounds, cache=cache, street=StreetLookup(config))


def _answer(lon: float, lat: float) -> list:
    return [{"lat": str(lat), "lon": str(lon), "display_name": "x", "place_id": 1,
             "boundingbox": [str(lat), str(lat), str(lon), str(lon)]}]


def test_street_answer_inside_the_settlement_is_kept(gaz, fake_nominatim):
    _FakeNominatim.answer = _answer(26.6800, 43.7640)  # inside Завет's land
    out = _chain(gaz, fake_nominatim.server_port).geocode("ул. Лудогорие 19, 7330 Завет")
    assert out["precision"] == "street" and out["ekatte"] == "30065"
    assert _FakeNominatim.calls[0][1] == "civicmap-tests"


def test_street_answer_outside_the_settlement_is_rejected(gaz, fake_nominatim):
    _FakeNominatim.answer = _answer(23.3217, 42.6978)  # Sofia centre
    out = _chain(gaz, fake_nominatim.server_port).geocode("ул. Лудогорие 19, 7330 Завет")
    assert out["precision"] == "settlement" and out["ekatte"] == "30065"


def test_nominatim_is_rate_limited_to_one_per_second(gaz, fake_nominatim):
    _FakeNominatim.answer = []
    chain = _chain(gaz, fake_nominatim.server_port)
    for n in (1, 2, 3):
        chain.geocode(f"ул. Лудогорие {n}, 7330 Завет")
    times = [t for t, _ in _FakeNominatim.calls]
    assert len(times) == 3 and min(b - a for a, b in zip(times, times[1:])) >= 0.95


class _SilentServer(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server API)
        time.sleep(4)  # a server that never answers in time

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("hang", [True, False], ids=["hanging-server", "refused"])
def test_no_network_falls_back_within_two_seconds(gaz, hang):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SilentServer)
    port = server.server_port
    if hang:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    else:
        server.server_close()  # nothing listens on the port: connection refused
    config = NominatimConfig(domain=f"127.0.0.1:{port}", scheme="http",
                             user_agent="civicmap-tests", timeout=1.5)
    chain = Geocoder(gaz, grounds={}, street=StreetLookup(config))
    started = time.monotonic()
    out = chain.geocode("ул. Лудогорие 19, 7330 Завет")
    assert time.monotonic() - started < 2.0
    assert out["precision"] == "settlement" and out["name"] == "Завет"
    if hang:
        server.shutdown()


def test_nominatim_off_unless_configured(monkeypatch):
    monkeypatch.delenv("CIVICMAP_NOMINATIM_URL", raising=False)
    assert NominatimConfig.from_env() is None
    monkeypatch.setenv("CIVICMAP_NOMINATIM_URL", "https://nominatim.example.org")
    assert NominatimConfig.from_env() is None  # no user agent: still off
    monkeypatch.setenv("CIVICMAP_NOMINATIM_USER_AGENT", "civicmap/0.1 (ops@example.org)")
    assert NominatimConfig.from_env().domain == "nominatim.example.org"


def test_cli_prints_one_json_object_per_query(built, capsys, tmp_path):
    assert main(["geocode", "Kardjali", "с. Бенковски, общ. Кирково", "Xyzzy"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    keys = {"query", "ekatte", "name", "municipality", "province", "lon", "lat",
            "precision", "score"}
    assert [set(x) for x in lines] == [keys] * 3
    assert lines[0]["ekatte"] == "40909" and lines[1]["municipality"] == "Кирково"
    assert lines[2]["ekatte"] is None and lines[2]["precision"] is None
    queries = tmp_path / "q.txt"
    queries.write_text("Vraca\n\n7330\n", encoding="utf-8")
    assert main(["geocode", "--from-file", str(queries)]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["name"] for x in lines] == ["Враца", "Завет"]


def test_cli_missing_file_is_a_clear_error(built, capsys):
    assert main(["geocode", "--from-file", "/nonexistent/q.txt"]) == 2
    assert "cannot read" in capsys.readouterr().err
