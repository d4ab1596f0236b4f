"""The client address behind a reverse proxy: X-Forwarded-For only when trusted, its last entry."""

from __future__ import annotations

from civic import settings
from ui.data import forwarded_address


def test_the_proxy_appended_entry_counts_not_the_clients_claim():
    assert forwarded_address(["203.0.113.9, 198.51.100.4"]) == "198.51.100.4"
    assert forwarded_address(["203.0.113.9", "198.51.100.4"]) == "198.51.100.4"  # two lines
    assert forwarded_address(["203.0.113.9, 127.0.0.1"]) == "local"  # same key as direct
    assert forwarded_address([]) is None and forwarded_address([" , "]) is None


def test_trust_proxy_is_off_unless_set(monkeypatch):
    monkeypatch.delenv("CIVICMAP_TRUST_PROXY", raising=False)
    assert settings.trust_proxy() is False
    for value, expected in (("on", True), ("1", True), ("off", False), ("", False)):
        monkeypatch.setenv("CIVICMAP_TRUST_PROXY", value)
        assert settings.trust_proxy() is expected
