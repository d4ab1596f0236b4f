"""The Data page asks which settlement a shared name means instead of picking one (issue 16)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

DATA_PAGE = Path(__file__).resolve().parents[1] / "pages" / "data.py"


def test_a_shared_settlement_name_brings_a_picker_not_a_guess(built):
    at = AppTest.from_file(str(DATA_PAGE), default_timeout=120)
    at.session_state["lang"] = "en"
    at.run()
    next(t for t in at.text_input if t.key == "new_settlement").input("Бенковски")
    next(b for b in at.button if b.label == "Send proposal").click()
    at.run()
    assert any("is the name of several places" in w.value for w in at.warning)
    picker = next(s for s in at.selectbox if s.label == "Which settlement do you mean?")
    labels = list(picker.options)  # as shown to the visitor
    assert "Бенковски (Кирково, Кърджали)" in labels and len(labels) >= 5
    assert not at.success  # nothing was sent
