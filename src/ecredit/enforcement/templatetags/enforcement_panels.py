"""Enforcement panels for the dashboards: cases near or past their deadline, a platform's open
notices, a party's documents."""

from __future__ import annotations

from typing import Any

from django import template

from ecredit.accounts.actors import Actor
from ecredit.enforcement import notices, queries

register = template.Library()


@register.inclusion_tag("enforcement/panels/due.html", takes_context=True)
def enforcement_due_panel(context: dict[str, Any]) -> dict[str, Any]:
    """Overdue and near-due cases of the viewer's department (inspector, department head)."""
    actor: Actor | None = context.get("actor")
    due = queries.due_cases(actor) if actor else []
    running = queries.cases_for(actor).count() if actor else 0
    late = list(queries.overdue_notices(actor)) if actor else []
    return {"due": due, "running": running, "near_days": queries.NEAR_DUE_DAYS, "late_notices": late}


@register.inclusion_tag("enforcement/panels/notices.html", takes_context=True)
def enforcement_notices_panel(context: dict[str, Any]) -> dict[str, Any]:
    actor: Actor | None = context.get("actor")
    rows = list(queries.notices_for(actor)) if actor else []
    open_rows = [n for n in rows if n.complied_at is None]
    return {"open": open_rows, "overdue": [n for n in open_rows if notices.notice_overdue(n)]}


@register.inclusion_tag("enforcement/panels/own.html", takes_context=True)
def enforcement_own_panel(context: dict[str, Any]) -> dict[str, Any]:
    actor: Actor | None = context.get("actor")
    return {"documents": list(queries.own_documents(actor)[:5]) if actor else []}
