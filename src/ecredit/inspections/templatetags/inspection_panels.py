"""Sampling inspection panels for the dashboards: officers (plan progress, overdue publications,
rectifications to review, open proposals, pass rates), the laboratory, and the operator."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, Q

from ecredit.accounts.actors import Actor
from ecredit.inspections import queries
from ecredit.inspections.models import Conclusion, PlanStatus, Sample, SampleNotice, SampleStatus

register = template.Library()


@register.inclusion_tag("inspections/panels/officer.html")
def inspections_officer_panel() -> dict[str, Any]:
    totals = Sample.objects.filter(status=SampleStatus.FINAL).aggregate(
        total=Count("pk"), passed=Count("pk", filter=Q(conclusion=Conclusion.PASS))
    )
    rate = round(100 * totals["passed"] / totals["total"], 1) if totals["total"] else None
    active = queries.plans().exclude(status=PlanStatus.CLOSED).order_by("-period_start", "-pk")[:5]
    return {
        "plans": active,
        "overdue": list(queries.overdue_publications()[:10]),
        "rectifications": queries.pending_rectifications().count(),
        "proposals": queries.open_proposals().count(),
        "drafts": queries.plans().filter(status=PlanStatus.DRAFT).count(),
        "total": totals["total"],
        "rate": rate,
    }


@register.inclusion_tag("inspections/panels/lab.html", takes_context=True)
def inspections_lab_panel(context: dict[str, Any]) -> dict[str, Any]:
    actor: Actor | None = context.get("actor")
    if actor is None:
        return {"waiting": []}
    waiting = queries.lab_samples(actor).filter(status__in=[SampleStatus.AT_LAB, SampleStatus.RETEST])
    return {"waiting": list(waiting[:10])}


@register.inclusion_tag("inspections/panels/operator.html", takes_context=True)
def inspections_operator_panel(context: dict[str, Any]) -> dict[str, Any]:
    actor: Actor | None = context.get("actor")
    org = (actor.organisation_id if actor else None) or -1
    return {
        "unread": SampleNotice.objects.filter(entity__organisation_id=org, read_at=None).count(),
        "samples": list(queries.own_samples(actor).order_by("-purchased_on")[:5]) if actor else [],
    }
