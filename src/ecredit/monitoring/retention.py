"""Retention (Art. 10 (6), 12 (2), 13 (2)): what ecredit keeps, until when, and the audited purge of
personal data past its purpose.

The periods come from the pack (the stricter of the regulation and national law). Nothing is purged
before its minimum; ``ecredit retention report`` lists what becomes eligible and when, and the platforms
whose declared periods fall short; ``ecredit retention purge`` blanks personal data that is eligible,
skipping anything that concerns an entity under an open case.

Which entities are under an open case is enforcement's answer (``entities_with_open_case``): a party
to any case not closed or withdrawn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet

from ecredit.accounts.actors import Actor
from ecredit.accounts.roles import Action
from ecredit.audit import services as audit
from ecredit.enforcement import queries as enforcement_queries
from ecredit.errors import DomainError, ErrorCode
from ecredit.monitoring.models import Complaint, ComplaintStatus, RetentionDeclaration, SellerReport
from ecredit.policy.model import Pack, Retention
from ecredit.registry.models import Entity, FilingStatus

# Every source of "this entity is under an open case" (a list, so that a later source can join).
OPEN_CASES: list[Callable[[], set[int]]] = [enforcement_queries.entities_with_open_case]


def entities_under_open_case() -> set[int]:
    found: set[int] = set()
    for query in OPEN_CASES:
        found |= query()
    return found


@dataclass(frozen=True)
class Holding:
    """One kind of personal data ecredit holds, the rule that keeps it, and how much is eligible."""

    what: str  # Chinese description
    rule: Retention
    total: int
    eligible: int  # may be purged on the given day
    next_eligible: dt.date | None  # the earliest day a record still kept becomes eligible
    held_by_case: int  # eligible but under an open case


def _cutoff(rule: Retention, day: dt.date) -> dt.date:
    """Records that started on or before this day are past their minimum on ``day``."""
    # until(start) is the first day a record may go; find the latest start with until(start) <= day.
    start = day.replace(year=day.year - rule.years) if rule.years else day
    start -= dt.timedelta(days=rule.days)
    while rule.until(start) > day:
        start -= dt.timedelta(days=1)
    return start


def _sellers(rule: Retention, day: dt.date) -> tuple[QuerySet[SellerReport], QuerySet[SellerReport]]:
    held = SellerReport.objects.exclude(resident_id="")
    return held, held.filter(batch__created_at__date__lte=_cutoff(rule, day))


def _complaints(rule: Retention, day: dt.date) -> tuple[QuerySet[Complaint], QuerySet[Complaint]]:
    held = Complaint.objects.exclude(complainant="", complainant_phone="")
    closed = held.filter(status__in=[ComplaintStatus.CLOSED, ComplaintStatus.REJECTED])
    return held, closed.filter(received_on__lte=_cutoff(rule, day))


def _registry(day: dt.date) -> tuple[QuerySet[Entity], QuerySet[Entity]]:
    """Natural persons' 居民身份证号码 in the registry, and those whose filing was deregistered and whose
    period (``retain_until``, fixed at deregistration from the pack, Art. 12 (2)) has ended by ``day``."""
    held = Entity.objects.exclude(resident_id_digest=None)
    gone = held.filter(filing__status=FilingStatus.DEREGISTERED, filing__retain_until__isnull=False)
    return held, gone.filter(filing__retain_until__lte=day)


def _registry_holding(pack: Pack, day: dt.date, blocked: set[int]) -> Holding:
    held, eligible = _registry(day)
    later = (
        held.filter(filing__status=FilingStatus.DEREGISTERED, filing__retain_until__gt=day)
        .order_by("filing__retain_until")
        .values_list("filing__retain_until", flat=True)
        .first()
    )
    return Holding(
        what="登记注销的自然人经营者居民身份证号码（备案）",
        rule=pack.retention_for("licence_or_identity"),
        total=held.count(),
        eligible=eligible.count(),
        next_eligible=later,
        held_by_case=eligible.filter(pk__in=blocked).count() if blocked else 0,
    )


def holdings(pack: Pack, day: dt.date) -> list[Holding]:
    blocked = entities_under_open_case()
    result = [_registry_holding(pack, day, blocked)]
    for what, rule_name, query, started in (
        ("平台报送的自然人经营者身份证号码", "licence_or_identity", _sellers, "batch__created_at__date"),
        ("投诉人姓名和联系电话（已办结的投诉）", "transaction_records", _complaints, "received_on"),
    ):
        rule = pack.retention_for(rule_name)
        held, eligible = query(rule, day)
        kept = held.exclude(pk__in=eligible.values("pk"))
        first = kept.order_by(started).values_list(started, flat=True).first()
        result.append(
            Holding(
                what=what,
                rule=rule,
                total=held.count(),
                eligible=eligible.count(),
                next_eligible=rule.until(first) if first else None,
                held_by_case=eligible.filter(entity_id__in=blocked).count() if blocked else 0,
            )
        )
    return result


def short_declarations() -> QuerySet[RetentionDeclaration]:
    """Platforms' declarations of a period shorter than the pack requires."""
    from django.db.models import F

    return RetentionDeclaration.objects.filter(declared_days__lt=F("required_days")).select_related("batch__submitter")


def purge(*, actor: Actor, pack: Pack, day: dt.date, dry_run: bool) -> dict[str, int]:
    """Blank the personal data that is past its minimum on ``day``, except under an open case. Audited."""
    if not actor.can(Action.RETENTION_MANAGE):
        raise DomainError(ErrorCode.FORBIDDEN, "您无权清除个人信息。")
    blocked = entities_under_open_case()
    sellers = _sellers(pack.retention_for("licence_or_identity"), day)[1].exclude(entity_id__in=blocked)
    complaints = _complaints(pack.retention_for("transaction_records"), day)[1].exclude(entity_id__in=blocked)
    registry = _registry(day)[1].exclude(pk__in=blocked)
    counts = {
        "registry": registry.count(),
        "sellers": sellers.count(),
        "complaints": complaints.count(),
        "skipped_open_case": 0,
    }
    counts["skipped_open_case"] = (
        _registry(day)[1].filter(pk__in=blocked).count()
        + _sellers(pack.retention_for("licence_or_identity"), day)[1].filter(entity_id__in=blocked).count()
        + _complaints(pack.retention_for("transaction_records"), day)[1].filter(entity_id__in=blocked).count()
    )
    if dry_run:
        return counts
    with transaction.atomic():
        # The registry keeps the entity (its history and ledger stay), without the number and its digest;
        # the masked form stays so the record still reads as a person's.
        Entity.objects.filter(pk__in=list(registry.values_list("pk", flat=True))).update(
            resident_id="", resident_id_digest=None
        )
        sellers.update(resident_id="", resident_id_masked="")
        complaints.update(complainant="", complainant_phone="", client_digest="")
        audit.record(
            actor=actor,
            action="retention.purge",
            target_type="monitoring",
            target_repr=f"截至 {day} 超过保存期限的个人信息",
            changes={key: [None, value] for key, value in counts.items()},
        )
    return counts
