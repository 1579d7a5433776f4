"""网络监测 over HTTP (/api/v1/monitoring/…). No ``from __future__ import annotations`` here."""

from ninja import Router

from ecredit.api.base import check_declarations

router = Router(tags=["monitoring"])

check_declarations(router)
