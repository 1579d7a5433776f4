"""Evidence panels for the dashboards: an officer's latest items, an operator's items to confirm."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Exists, OuterRef

from ecredit.accounts.actors import Actor
from ecredit.evidence import services
from ecredit.evidence.models import Attestation, AttestationKind

register = template.Library()


@register.inclusion_tag("evidence/panels/officer.html", takes_context=True)
def evidence_officer_panel(context: dict[str, Any]) -> dict[str, Any]:
    actor: Actor | None = context.get("actor")
    rows = services.evidence_for(actor) if actor is not None else None
    return {"latest": list(rows[:5]) if rows is not None else []}


@register.inclusion_tag("evidence/panels/operator.html", takes_context=True)
def evidence_operator_panel(context: dict[str, Any]) -> dict[str, Any]:
    actor: Actor | None = context.get("actor")
    if actor is None:
        return {"waiting": 0}
    confirmed = Attestation.objects.filter(evidence=OuterRef("pk"), kind=AttestationKind.PARTY)
    waiting = services.evidence_for(actor).exclude(Exists(confirmed)).count()
    return {"waiting": waiting}
