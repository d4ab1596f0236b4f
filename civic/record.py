"""The one Organisation record: every reader, the importer, moderation and the store use it.

A record is what the store keeps per organisation (`store.schema.organisations` has the same
columns, in the same order). Build it with keyword arguments; `row()` gives the dict the
store writes. Never a person's name: registers' chairs and secretaries are not read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import datetime

from civic.text import to_latin
from civic.vocabularies import KINDS, PRECISION_SCORE, PRECISIONS, STATUSES


@dataclass
class Organisation:
    """One NGO, chitalishte or library, with its place, precision, contacts and source."""

    id: str
    kind: str  # ngo | chitalishte | library
    name: str
    source: str  # which source or door it came in by (register, directory, import, …)
    subtype: str | None = None  # library: regional, chitalishte, municipal, other, presumed
    presumed: bool = False  # a chitalishte's library, presumed from the Chitalishta Act
    parent_id: str | None = None  # a chitalishte library points at its chitalishte
    legal_form: str | None = None
    name_latin: str | None = None
    fields: str | None = None  # ';'-separated vocabulary codes
    ekatte: str | None = None
    settlement: str | None = None
    municipality_code: str | None = None
    province_code: str | None = None
    address: str | None = None
    lon: float | None = None
    lat: float | None = None
    precision: str | None = None  # source_point | street | settlement | municipality
    precision_score: int | None = None
    precision_note: str | None = None
    status: str = "active"  # active | inactive | closed
    uic: str | None = None
    register_number: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    source_url: str | None = None
    see_also_url: str | None = None  # a second citation, e.g. the directory row that enriched it
    info_card_url: str | None = None  # a chitalishte's latest information card in the register
    source_date: str | None = None
    source_file: str | None = None
    imported_at: datetime | None = None

    def __post_init__(self) -> None:
        """Check the vocabularies; fill the Latin name and the precision score."""
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}")
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")
        if self.precision is not None and self.precision not in PRECISIONS:
            raise ValueError(f"unknown precision {self.precision!r}")
        if self.name_latin is None and self.name:
            self.name_latin = to_latin(self.name)
        if self.precision_score is None and self.precision is not None:
            self.precision_score = PRECISION_SCORE[self.precision]

    def row(self) -> dict:
        """The record as the store's row (column → value)."""
        return asdict(self)

    @classmethod
    def from_row(cls, row: Mapping) -> Organisation:
        """A record from a store row or a dict with extra keys (those are ignored)."""
        return cls(**{c: row[c] for c in COLUMNS if c in row})


COLUMNS = tuple(f.name for f in fields(Organisation))
