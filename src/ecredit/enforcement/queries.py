"""Reads that depend on who asks: a department's cases (Art. 18), deadlines, the notices addressed
to a platform, the documents of a party's own cases, and the published penalties."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from ecredit.accounts.actors import Actor
from ecredit.accounts.roles import Action
from ecredit.enforcement.models import Case, CaseParty, Document, DocumentKind, Notice, Publication
from ecredit.enforcement.transitions import FINAL, RUNNING

NEAR_DUE_DAYS = 15  # how early a running case is highlighted before its deadline (a screen setting)


def cases_for(actor: Actor) -> QuerySet[Case]:
    """The cases of the actor's department; none for anyone else."""
    if not actor.can(Action.CASE_VIEW) or actor.organisation_id is None:
        return Case.objects.none()
    return Case.objects.filter(department_id=actor.organisation_id)


@dataclass(frozen=True)
class Due:
    case: Case
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def deadline_state(case: Case, today: dt.date | None = None) -> str:
    """``overdue``, ``near`` or ``""`` for a case whose decision deadline runs."""
    if case.state not in RUNNING or case.deadline is None:
        return ""
    left = (case.deadline - (today or timezone.localdate())).days
    if left < 0:
        return "overdue"
    return "near" if left <= NEAR_DUE_DAYS else ""


def due_cases(actor: Actor, today: dt.date | None = None) -> list[Due]:
    """Running cases of the department that are overdue or due within ``NEAR_DUE_DAYS``, most urgent first."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=NEAR_DUE_DAYS)
    rows = cases_for(actor).filter(state__in=[s.value for s in RUNNING], deadline__lte=horizon).order_by("deadline")
    return [Due(case, (case.deadline - today).days) for case in rows if case.deadline is not None]


def overdue_notices(actor: Actor, today: dt.date | None = None) -> QuerySet[Notice]:
    """Suspension notices of the department's cases whose deadline passed with no compliance reported
    and that no officer has dealt with yet."""
    today = today or timezone.localdate()
    return (
        Notice.objects.filter(
            document__kind=DocumentKind.SUSPENSION,
            document__case__in=cases_for(actor),
            complied_at__isnull=True,
            ignored_at__isnull=True,
            comply_by__lt=today,
        )
        .select_related("document", "document__case")
        .order_by("comply_by", "pk")
    )


def notices_for(actor: Actor) -> QuerySet[Notice]:
    """Suspension notices addressed to an entity of the actor's organisation."""
    if not actor.can(Action.NOTICE_RECEIVE) or actor.organisation_id is None:
        return Notice.objects.none()
    return (
        Notice.objects.filter(
            document__kind=DocumentKind.SUSPENSION, document__addressee__organisation_id=actor.organisation_id
        )
        .select_related("document", "document__department", "document__addressee")
        .order_by("-document__issued_on", "-pk")
    )


def own_documents(actor: Actor) -> QuerySet[Document]:
    """The documents issued in cases where one of the actor's organisation's entities is a party."""
    if not actor.can(Action.CASE_OWN) or actor.organisation_id is None:
        return Document.objects.none()
    org = actor.organisation_id
    return (
        Document.objects.filter(Q(case__parties__entity__organisation_id=org))
        .select_related("case", "department")
        .distinct()
        .order_by("-issued_on", "-pk")
    )


def published_penalties(today: dt.date | None = None) -> QuerySet[Publication]:
    today = today or timezone.localdate()
    return Publication.objects.filter(published_on__lte=today, visible_until__gt=today).select_related("document")


def entities_with_open_case() -> set[int]:
    """Entities that are a party to a case not yet closed or withdrawn (a proposed case counts): their
    records are kept whatever their retention period says (``ecredit retention purge`` skips them)."""
    return set(
        CaseParty.objects.exclude(case__state__in=[str(state) for state in FINAL])
        .values_list("entity_id", flat=True)
        .distinct()
    )
