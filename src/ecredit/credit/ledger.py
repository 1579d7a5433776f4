"""Pure helpers shared by the single-entity service and the batch: how an event's status history
folds into what the engine reads, which role an entity is evaluated in, and the one stored shape of
an engine result. No Django, no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ecredit.credit.engine import Reason, Result, VetoApplied

ACTIVE, WITHDRAWN, REPAIRED = "active", "withdrawn", "repaired"
# An entity with several roles is evaluated in the one that weighs most on consumers.
ROLE_PRIORITY = ("seller", "platform", "infrastructure")


def primary_role(roles: Iterable[str]) -> str | None:
    """seller > platform > infrastructure; None for an entity that holds no role."""
    held = set(roles)
    return next((role for role in ROLE_PRIORITY if role in held), None)


def role_of(is_seller: bool, is_platform: bool, is_infrastructure: bool) -> str | None:
    """``primary_role`` from the registry's three flags (what the batch reads per entity)."""
    if is_seller:
        return "seller"
    if is_platform:
        return "platform"
    if is_infrastructure:
        return "infrastructure"
    return None


def fold_statuses(entries: Iterable[tuple[str, dt.date]]) -> tuple[dt.date | None, dt.date | None]:
    """``(withdrawn_on, repaired_from)`` from an event's status entries in the order they were written.

    The latest entry says what the event is: withdrawn from a day (an upheld objection), repaired from
    a day (a granted repair), or active again (a reinstatement voiding an earlier decision)."""
    withdrawn_on: dt.date | None = None
    repaired_from: dt.date | None = None
    for status, effective_on in entries:
        if status == WITHDRAWN:
            withdrawn_on, repaired_from = effective_on, None
        elif status == REPAIRED:
            withdrawn_on, repaired_from = None, effective_on
        elif status == ACTIVE:
            withdrawn_on, repaired_from = None, None
        else:
            raise ValueError(f"unknown event status {status!r}")
    return withdrawn_on, repaired_from


def reason_record(reason: Reason) -> dict[str, Any]:
    """How a reason is stored. The article texts stay in the pack (found again by ``cites``) and the
    events behind it in the ledger: ``services.explain`` reproduces them exactly for any stored row."""
    return {
        "indicator": reason.indicator,
        "label": reason.label,
        "points": reason.points,
        "count": reason.count,
        "cap_applied": reason.cap_applied,
        "cites": list(reason.cites),
        "public": reason.public,
    }


def veto_record(veto: VetoApplied | None) -> dict[str, Any] | None:
    if veto is None:
        return None
    return {
        "code": veto.code,
        "label": veto.label,
        "cites": list(veto.cites),
        "grade": veto.grade,
        "until": veto.until.isoformat(),
    }


def score_decimal(score: float) -> Decimal:
    """The stored score: the engine's one-decimal float as an exact one-place decimal."""
    return Decimal(f"{score:.1f}")


@dataclass(frozen=True)
class Outcome:
    """An engine result in the shape an ``Evaluation`` row stores, so two results (the engine's and
    the batch's, or a stored one and a recomputed one) compare with ``==``."""

    role: str
    as_of: dt.date
    pack_id: str
    pack_sha256: str
    base: int
    score: Decimal
    grade: str
    veto: dict[str, Any] | None
    bonus_capped: bool
    reasons: list[dict[str, Any]]
    unknown_indicators: list[str]

    @property
    def veto_code(self) -> str:
        return self.veto["code"] if self.veto else ""


def outcome(result: Result) -> Outcome:
    return Outcome(
        role=result.role,
        as_of=result.as_of,
        pack_id=result.pack_id,
        pack_sha256=result.pack_sha256,
        base=result.base,
        score=score_decimal(result.score),
        grade=result.grade,
        veto=veto_record(result.veto),
        bonus_capped=result.bonus_capped,
        reasons=[reason_record(reason) for reason in result.reasons],
        unknown_indicators=list(result.unknown_indicators),
    )
