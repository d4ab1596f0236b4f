"""The tour of every page in every language (`test_tour_e2e`), on a 390 px phone.

A file of its own so that the suite's two workers take the desktop and the phone halves
side by side (test files run whole on one worker).
"""

from __future__ import annotations

import pytest

from tests.e2e.test_tour_e2e import tour

pytestmark = pytest.mark.once  # screenshots to read: the SQLite pass takes them


def test_every_page_in_every_language_on_a_phone(app_url, browser):
    tour(app_url, browser, "phone")
