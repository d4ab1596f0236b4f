"""Printable reports: the "Compass of the civil sector" per province (HTML and PDF)."""
