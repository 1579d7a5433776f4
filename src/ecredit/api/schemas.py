from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    code: str
    message: str
    details: Any = None


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str


class MeOut(Schema):
    principal: str
    via: str
    user_id: int | None
    organisation: OrganisationOut | None
    roles: list[str]
    scopes: list[str]


class AuditEntryOut(Schema):
    seq: int
    created_at: datetime
    actor_label: str
    organisation_name: str
    via: str
    action: str
    target_type: str
    target_id: str
    target_repr: str
    changes: dict[str, Any]
    request_id: str
    entry_hash: str
