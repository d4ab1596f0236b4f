"""The project's errors: one base class, a few one-line kinds, each message a gettext id.

A message is English with `{named}` values; `text(lang)` translates it through the one
i18n mechanism and fills the values in. The CLI catches `CivicError` once and exits 2 with
the message; pages show `text(lang)` (values escaped for where they are shown).
"""

from __future__ import annotations

from collections.abc import Callable

from civic.i18n import gettext


class CivicError(Exception):
    """An error a person can act on: a translatable message id and the values it names."""

    def __init__(self, message: str, **values: object):
        """Keep the message id and its values; `str()` gives the English text."""
        self.message = message
        self.values = values
        super().__init__(self.text("en"))

    def text(self, lang: str, escape: Callable[[str], str] | None = None) -> str:
        """The message in `lang`, its values passed through `escape` (markdown, HTML)."""
        values = {k: escape(str(v)) if escape else v for k, v in self.values.items()}
        for template in (gettext(self.message, lang), self.message):
            try:
                return template.format(**values)
            except (KeyError, IndexError, ValueError):  # a template that lost a placeholder
                continue
        return self.message


class UsageError(CivicError):
    """A command or a form was given something it cannot use."""


class SourceError(CivicError):
    """A raw source file is missing or does not match its manifest hash."""


class NotBuiltError(CivicError):
    """The build's files or the store are missing, empty or unreadable."""


class StoreError(CivicError):
    """The store could not be read or written."""


class ImportFileError(CivicError):
    """A file as a whole cannot be imported (size, encoding, layout, XML)."""


class ProposalError(CivicError):
    """A proposal or a moderation step that cannot be accepted."""


class PlanError(CivicError):
    """An analysis asked of too much or too little data (hubs over too large an area)."""


class ActionError(CivicError):
    """A civic action (or a change to one) that cannot be accepted."""


class ProfileError(CivicError):
    """A library's profile or an NGO's hub and needs that cannot be accepted."""
