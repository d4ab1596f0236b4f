"""ui.guard: which failures become the 'data not available' page."""

from __future__ import annotations

import pyarrow as pa
from sqlalchemy.exc import OperationalError

from civic.errors import NotBuiltError, PlanError, StoreError
from ui.guard import failure


def test_store_and_build_faults_become_a_message_without_sql():
    readonly = OperationalError("INSERT INTO proposals (payload) VALUES (?)", {"x": 1},
                                Exception("attempt to write a readonly database"))
    missing = OperationalError("SELECT id FROM organisations", {},
                               Exception("no such table: organisations"))
    assert isinstance(failure(readonly), StoreError)
    assert "INSERT" not in failure(readonly).text("bg")
    assert isinstance(failure(missing), NotBuiltError)
    assert isinstance(failure(pa.ArrowInvalid("Parquet magic bytes not found")), NotBuiltError)
    assert isinstance(failure(FileNotFoundError("/srv/x/settlements.parquet")), NotBuiltError)


def test_other_errors_are_not_hidden():
    assert failure(PlanError("too many settlements")) is None
    assert failure(ValueError("a bug")) is None
