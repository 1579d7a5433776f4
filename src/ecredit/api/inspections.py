"""抽查检验 over HTTP (/api/v1/inspections/…). No ``from __future__ import annotations`` here."""

from ninja import Router

from ecredit.api.base import check_declarations

router = Router(tags=["inspections"])

check_declarations(router)
