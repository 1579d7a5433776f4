"""Credit panels for the dashboards, the public grade shown on the badge check, and a grade's label."""

from __future__ import annotations

from typing import Any

from django import template

from ecredit.accounts.actors import Actor
from ecredit.credit import queries
from ecredit.credit.views import grade_distribution, grade_label, grade_view, public_reasons, with_latest
from ecredit.policy.packs import active_pack
from ecredit.registry import services as registry
from ecredit.registry.models import Entity

register = template.Library()


@register.filter(name="grade_label")
def grade_label_filter(code: str | None) -> str:
    """The label of a grade code in this installation's pack (诚信 for A)."""
    return grade_label(active_pack(), code) if code else ""


@register.inclusion_tag("credit/panels/officer.html")
def credit_officer_panel() -> dict[str, Any]:
    return {"distribution": grade_distribution()}


@register.inclusion_tag("credit/panels/operator.html", takes_context=True)
def credit_operator_panel(context: dict[str, Any]) -> dict[str, Any]:
    actor: Actor | None = context.get("actor")
    own = Entity.objects.filter(organisation_id=(actor.organisation_id if actor else None) or -1)
    return {"entities": list(with_latest(own).order_by("name", "pk")), "notice": active_pack().scale.notice}


@register.inclusion_tag("credit/_public_grade.html")
def public_grade(subject: Entity | str | None) -> dict[str, Any]:
    """The latest grade as the public may see it: grade, label, day, scheme and its notice, any
    extension note, and only public reasons. ``subject`` is an entity, or a badge token (the badge
    verification page knows only its token)."""
    entity = subject if isinstance(subject, Entity) else None
    if isinstance(subject, str):
        badge = registry.resolve_badge(subject)
        entity = badge.entity if badge is not None else None
    if entity is None:
        return {"entity": None, "grade": None, "reasons": [], "notice": active_pack().scale.notice}
    grade = grade_view(entity, queries.latest_evaluation(entity))
    return {
        "entity": entity,
        "grade": grade,
        "reasons": public_reasons(grade) if grade else [],
        "notice": grade.notice if grade else active_pack().scale.notice,
        "listed": entity.kind != "natural_person" and bool(entity.uscc),
    }
