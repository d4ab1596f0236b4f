"""Nearby result cards and candidate labels (issue 16).

Approximate points said, empty contacts turned into an invitation, every value escaped.
"""

from __future__ import annotations

import pandas as pd

from layers.results import candidate_label, candidate_query, result_cards

LABELS = {"directions": "Directions", "approx_settlement": "Approximate: settlement centre.",
          "approx_municipality": "Approximate: municipality centre.",
          "no_contact": "No public contact yet.", "correct": "Suggest a correction"}


def _card(**rec) -> str:
    base = {"id": "ngo-1", "name": "Клуб", "name_latin": "Klub", "kind": "ngo", "fields": "",
            "address": "", "settlement": "Бенковски", "phone": None, "email": None,
            "website": None, "lon": 25.25, "lat": 41.38, "distance_km": 0.4,
            "precision": "source_point"}
    return result_cards(pd.DataFrame([{**base, **rec}]), (25.2, 41.4), {"ngo": "NGO"}, {},
                        LABELS)


def test_a_point_at_a_settlement_centre_is_called_approximate():
    assert "Approximate: settlement centre." in _card(precision="settlement")
    assert "Approximate: municipality centre." in _card(precision="municipality")
    assert "Approximate" not in _card(precision="source_point")


def test_no_contact_invites_a_correction_with_the_organisation_id():
    html = _card(id="ngo/1 x")
    assert "No public contact yet." in html and 'href="/data?correct=ngo%2F1%20x"' in html
    assert "No public contact" not in _card(phone="0888 123 456")


def test_card_values_are_escaped():
    html = _card(name="<script>alert(1)</script>", address="<b>x</b>")
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>x</b>" not in html


def test_candidate_labels_and_queries():
    cand = {"ekatte": "40909", "name": "Кърджали", "municipality": "Кърджали",
            "province": "Кърджали", "name_tr": "Kırcaali"}
    assert candidate_label(cand, "bg") == "Кърджали (Кърджали, Кърджали)"
    assert candidate_label(cand, "tr") == "Кърджали · Kırcaali (Кърджали, Кърджали)"
    assert candidate_query(cand) == "Кърджали, Кърджали, Кърджали"


def test_distance_in_the_language_of_the_page():
    assert "0,4 км" in _card()  # Bulgarian by default
    assert "0.4 km" in result_cards(pd.DataFrame([{
        "id": "ngo-1", "name": "Клуб", "kind": "ngo", "distance_km": 0.4, "lon": 25.25,
        "lat": 41.38}]), (25.2, 41.4), {"ngo": "NGO"}, {}, LABELS, "en")


def test_a_card_without_address_names_the_settlement_in_the_readers_language():
    rec = {"id": "ngo-1", "name": "Клуб", "name_latin": "Klub", "kind": "ngo", "fields": "",
           "address": "", "settlement": "Кърджали", "ekatte": "40909", "phone": None,
           "email": None, "website": None, "lon": 25.37, "lat": 41.64, "distance_km": 0.4,
           "precision": "source_point"}
    html = result_cards(pd.DataFrame([rec]), (25.3, 41.6), {"ngo": "STK"}, {}, LABELS, "tr",
                        {"40909": "Кърджали (Kırcaali)"})
    assert '<div class="address">Кърджали (Kırcaali)</div>' in html
    with_address = result_cards(pd.DataFrame([{**rec, "address": "ул. Х 1"}]), (25.3, 41.6),
                                {"ngo": "STK"}, {}, LABELS, "tr", {"40909": "Кърджали (Kırcaali)"})
    assert '<div class="address">ул. Х 1</div>' in with_address
    assert '<div class="address">Кърджали</div>' in result_cards(
        pd.DataFrame([rec]), (25.3, 41.6), {"ngo": "NGO"}, {}, LABELS, "bg")
