"""Reads of sampling inspections: lists for pages, the API and the CLI; access helpers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from ecredit.accounts.actors import Actor
from ecredit.accounts.roles import Action
from ecredit.errors import DomainError, ErrorCode
from ecredit.inspections.models import (
    CaseProposal,
    Conclusion,
    Draw,
    ProposalStatus,
    Publication,
    Rectification,
    Sample,
    SamplingPlan,
)


def draws() -> QuerySet[Draw]:
    return Draw.objects.select_related("plan").order_by("committed_at", "pk")


def plans() -> QuerySet[SamplingPlan]:
    return SamplingPlan.objects.select_related("department").annotate(
        target_count=Count("targets", distinct=True),
        sample_count=Count("targets__samples", distinct=True),
        final_count=Count("targets__samples", filter=Q(targets__samples__status="final"), distinct=True),
    )


def plan_for(actor: Actor, plan_id: int) -> SamplingPlan:
    if not actor.can(Action.INSPECTIONS_VIEW):
        raise DomainError(ErrorCode.NOT_FOUND)
    plan = SamplingPlan.objects.select_related("department").filter(pk=plan_id).first()
    if plan is None:
        raise DomainError(ErrorCode.NOT_FOUND)
    return plan


def samples() -> QuerySet[Sample]:
    return Sample.objects.select_related("target__entity", "target__plan", "storefront__platform", "lab")


def sample_for(actor: Actor, sample_id: int) -> Sample:
    """A sample an officer may see, a lab holds (first test or re-test), or the sampled operator owns."""
    sample = samples().filter(pk=sample_id).first()
    if sample is None:
        raise DomainError(ErrorCode.NOT_FOUND)
    if actor.can(Action.INSPECTIONS_VIEW):
        return sample
    if actor.can(Action.TEST_REPORT_RECORD) and actor.organisation_id in lab_ids(sample):
        return sample
    if actor.can(Action.INSPECTIONS_OWN) and sample.target.entity.organisation_id == actor.organisation_id:
        return sample
    raise DomainError(ErrorCode.NOT_FOUND)


def lab_ids(sample: Sample) -> set[int]:
    ids = {sample.lab_id}
    retest = getattr(sample, "retest", None)
    if retest is not None and retest.lab_id:
        ids.add(retest.lab_id)
    return ids


def lab_samples(actor: Actor) -> QuerySet[Sample]:
    return samples().filter(Q(lab_id=actor.organisation_id) | Q(retest__lab_id=actor.organisation_id)).distinct()


def own_samples(actor: Actor) -> QuerySet[Sample]:
    if actor.organisation_id is None:
        return samples().none()
    return samples().filter(target__entity__organisation_id=actor.organisation_id)


def open_proposals() -> QuerySet[CaseProposal]:
    return CaseProposal.objects.select_related("entity", "sample").filter(status=ProposalStatus.OPEN)


def overdue_publications(today: dt.date | None = None) -> QuerySet[Publication]:
    today = today or timezone.localdate()
    return Publication.objects.select_related("sample__target__plan").filter(
        published_on__isnull=True, due_on__lt=today
    )


def pending_rectifications() -> QuerySet[Rectification]:
    return Rectification.objects.select_related("sample__target__entity").filter(status="submitted")


def published_plans() -> QuerySet[SamplingPlan]:
    """Plans with a draw: from the commitment on, their page is public (the commitment and the
    eligible list first, then the seed, the selection and the results)."""
    return SamplingPlan.objects.filter(draw__isnull=False).select_related("department", "draw")


def published_results(plan: SamplingPlan) -> QuerySet[Sample]:
    return samples().filter(target__plan=plan, publication__published_on__isnull=False).order_by("code")


def pass_rates(by: str) -> list[dict[str, Any]]:
    """Final samples per group (category, township, platform, grade): count, passed and the rate."""
    field = {
        "category": "category",
        "township": "target__entity__township",
        "platform": "storefront__platform__name",
        "grade": "target__stratum",
    }[by]
    rows = (
        Sample.objects.filter(status="final")
        .values(field)
        .annotate(total=Count("pk"), passed=Count("pk", filter=Q(conclusion=Conclusion.PASS)))
        .order_by(field)
    )
    return [
        {
            "group": row[field] or "—",
            "total": row["total"],
            "passed": row["passed"],
            "rate": round(100 * row["passed"] / row["total"], 1) if row["total"] else 0.0,
        }
        for row in rows
    ]


def monthly_pass_rates() -> list[dict[str, Any]]:
    """Final samples per month of their final conclusion: the chart over time."""
    months: dict[str, list[int]] = {}
    for final_on, conclusion in Sample.objects.filter(status="final").values_list("final_on", "conclusion"):
        key = f"{final_on:%Y-%m}"
        counts = months.setdefault(key, [0, 0])
        counts[0] += 1
        counts[1] += conclusion == Conclusion.PASS
    return [
        {"month": month, "total": total, "passed": passed, "rate": round(100 * passed / total, 1)}
        for month, (total, passed) in sorted(months.items())
    ]
