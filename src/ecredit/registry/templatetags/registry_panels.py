"""Dashboard panels of the registry, included by the role dashboards."""

from __future__ import annotations

from typing import Any

from django import template

from ecredit.accounts.actors import Actor
from ecredit.registry import services
from ecredit.registry.models import Entity, Filing, FilingStatus

register = template.Library()


@register.inclusion_tag("registry/panels/officer.html", takes_context=True)
def registry_officer_panel(context: dict[str, Any]) -> dict[str, Any]:
    return {
        "waiting": Filing.objects.filter(status=FilingStatus.SUBMITTED).count(),
        "entities": Entity.objects.count(),
        "outside": Entity.objects.filter(in_jurisdiction=False).count(),
        "permit_warnings": services.permit_warnings()[:5],
    }


@register.inclusion_tag("registry/panels/operator.html", takes_context=True)
def registry_operator_panel(context: dict[str, Any]) -> dict[str, Any]:
    actor: Actor | None = context.get("actor")
    own = Entity.objects.filter(organisation_id=(actor.organisation_id if actor else None) or -1)
    return {
        "entities": list(own.select_related("filing")),
        "permit_warnings": services.permit_warnings(entities=own),
    }
