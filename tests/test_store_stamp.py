"""The change stamp the pages follow moves only when organisations or profiles change.

A proposal, a rejection or a civic action must not make every app process forget its
organisations and recompute coverage; an approval, an import or a profile must.
"""

from __future__ import annotations

from store import audit, changes
from store.profiles import upsert_profile


def test_proposals_leave_the_stamp_and_profiles_move_it(built, orgs):
    library = orgs[orgs["kind"] == "library"].iloc[0]["id"]
    before = audit.organisations_stamp()
    assert before > 0  # the build itself is an organisation change
    number = changes.add_proposal("correction", library, {"phone": "0888 123 456"})
    assert changes.reject_proposal(number, "librarian", "test", library)
    assert audit.organisations_stamp() == before
    upsert_profile(library, {"seats": 12}, "librarian")
    assert audit.organisations_stamp() > before
