"""Field types of the credit archive."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper


class StoredJSONField(models.JSONField):
    """A ``JSONField`` without SQLite's per-row ``JSON_VALID`` check constraint.

    Evaluations are written only by ``credit.services`` and ``credit.batch``, whose JSON is
    serialised by ``json.dumps`` (or assembled from pieces it serialised) and read back through this
    field in the tests; the check parsed each row's reasons again and made writing a million
    evaluations half as fast again. PostgreSQL keeps validating (``jsonb``)."""

    def db_check(self, connection: BaseDatabaseWrapper) -> Any:
        if connection.vendor == "sqlite":
            return None
        return super().db_check(connection)
