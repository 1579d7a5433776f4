"""What the archive pages and dashboards show of objections, repair requests and warnings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import template
from django.utils import timezone

from ecredit.accounts.actors import Actor
from ecredit.credit import ledger, procedures
from ecredit.credit.models import CreditEvent, CreditNotice, Objection, ProcedureState, RepairRequest, Warning
from ecredit.policy.packs import active_pack
from ecredit.registry.models import Entity

register = template.Library()


@dataclass(frozen=True)
class EventChoice:
    """One of the operator's events, with what the operator may do about it now."""

    event: CreditEvent
    label: str
    status: str  # active | withdrawn | repaired
    objection: Objection | None  # the latest one
    repair: RepairRequest | None
    earliest_repair: dt.date | None
    today: dt.date

    @property
    def may_object(self) -> bool:
        pending = self.objection is not None and self.objection.state == ProcedureState.PENDING
        return self.status != "withdrawn" and not pending

    @property
    def may_repair(self) -> bool:
        pending = self.repair is not None and self.repair.state == ProcedureState.PENDING
        due = self.earliest_repair is not None and self.earliest_repair <= self.today
        return self.status == "active" and due and not pending


def _latest_by_event(rows: Any) -> dict[int, Any]:
    latest: dict[int, Any] = {}
    for row in rows.order_by("filed_at", "pk"):
        latest[row.event_id] = row
    return latest


@register.simple_tag
def operator_procedures(entity: Entity) -> dict[str, Any]:
    pack = active_pack()
    today = timezone.localdate()
    events = list(
        CreditEvent.objects.filter(entity=entity).prefetch_related("statuses").order_by("-occurred_on", "-pk")
    )
    objections = _latest_by_event(Objection.objects.filter(event__entity=entity))
    repairs = _latest_by_event(RepairRequest.objects.filter(event__entity=entity))
    choices = []
    for event in events:
        rule = pack.indicators.get(event.indicator)
        if rule is None or rule.positive:
            continue  # nothing to object to or repair in a bonus
        entries = [(s.status, s.effective_on) for s in sorted(event.statuses.all(), key=lambda s: (s.created_at, s.pk))]
        withdrawn_on, repaired_from = ledger.fold_statuses(entries)
        status = "withdrawn" if withdrawn_on else "repaired" if repaired_from else "active"
        choices.append(
            EventChoice(
                event,
                rule.label,
                status,
                objections.get(event.pk),
                repairs.get(event.pk),
                procedures.earliest_repair(pack, event),
                today,
            )
        )
    return {
        "events": choices,
        "warnings": list(Warning.objects.filter(entity=entity).order_by("-created_at", "-pk")[:5]),
        "notices": list(CreditNotice.objects.filter(entity=entity).order_by("-created_at", "-pk")[:5]),
    }


@register.simple_tag
def entity_procedures(entity: Entity) -> dict[str, Any]:
    return {
        "objections": list(procedures.objections().filter(event__entity=entity).order_by("-filed_at", "-pk")),
        "repairs": list(procedures.repair_requests().filter(event__entity=entity).order_by("-filed_at", "-pk")),
        "warnings": list(Warning.objects.filter(entity=entity).order_by("-created_at", "-pk")[:10]),
        "today": timezone.localdate(),
    }


@register.filter
def overdue(procedure: Objection | RepairRequest) -> bool:
    return procedures.is_overdue(procedure)


@register.inclusion_tag("credit/procedures/panel_officer.html")
def procedures_officer_panel() -> dict[str, Any]:
    today = timezone.localdate()
    pending = {"state": ProcedureState.PENDING}
    return {
        "objections": Objection.objects.filter(**pending).count(),
        "objections_overdue": Objection.objects.filter(**pending, deadline__lt=today).count(),
        "repairs": RepairRequest.objects.filter(**pending).count(),
        "repairs_overdue": RepairRequest.objects.filter(**pending, deadline__lt=today).count(),
        "warnings": list(Warning.objects.select_related("entity").order_by("-created_at", "-pk")[:5]),
    }


@register.inclusion_tag("credit/procedures/panel_operator.html", takes_context=True)
def procedures_operator_panel(context: dict[str, Any]) -> dict[str, Any]:
    actor: Actor | None = context.get("actor")
    if actor is None:
        return {"warnings": [], "notices": []}
    return {"warnings": list(procedures.warnings_for(actor)[:5]), "notices": list(procedures.notices_for(actor)[:5])}
