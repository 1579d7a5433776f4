"""电子证据 over HTTP (/api/v1/evidence/…). No ``from __future__ import annotations`` here."""

from ninja import Router

from ecredit.api.base import check_declarations

router = Router(tags=["evidence"])

check_declarations(router)
