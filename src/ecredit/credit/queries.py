"""Reads of the credit archive: finding an entity by its code, its events and its grade history."""

from __future__ import annotations

from django.db.models import QuerySet

from ecredit.credit.models import CreditEvent, Evaluation
from ecredit.crypto import lookup_digest
from ecredit.registry.models import Entity


def entity_by_code(raw: str) -> Entity | None:
    """An entity by its 统一社会信用代码, or a natural person's full 居民身份证号码 (looked up by digest)."""
    code = "".join(raw.split()).upper()
    if not code:
        return None
    entity = Entity.objects.filter(uscc=code).first()
    if entity is None and len(code) == 18:
        entity = Entity.objects.filter(resident_id_digest=lookup_digest("resident_id", code)).first()
    return entity


def events_of(entity: Entity) -> QuerySet[CreditEvent]:
    return CreditEvent.objects.filter(entity=entity).prefetch_related("statuses").order_by("occurred_on", "pk")


def grade_history(entity: Entity, *, role: str | None = None) -> QuerySet[Evaluation]:
    """Every stored evaluation of ``entity``, oldest day first; within a day, in the order they were stored."""
    rows = Evaluation.objects.filter(entity=entity)
    if role is not None:
        rows = rows.filter(role=role)
    return rows.order_by("as_of", "created_at", "pk")


def latest_evaluation(entity: Entity) -> Evaluation | None:
    """The stored evaluation of the latest day (the latest stored for that day)."""
    return Evaluation.objects.filter(entity=entity).order_by("-as_of", "-created_at", "-pk").first()
