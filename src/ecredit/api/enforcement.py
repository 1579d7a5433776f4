"""执法办案 over HTTP (/api/v1/enforcement/…). No ``from __future__ import annotations`` here."""

from ninja import Router

from ecredit.api.base import check_declarations

router = Router(tags=["enforcement"])

check_declarations(router)
