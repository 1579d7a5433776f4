"""Monitoring panels for the dashboards: the findings waiting for an officer, complaints due, incidents."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from ecredit.monitoring.models import Complaint, ComplaintStatus, Finding, FindingStatus, Incident

register = template.Library()


@register.inclusion_tag("monitoring/panels/officer.html")
def monitoring_officer_panel() -> dict[str, Any]:
    today = timezone.localdate()
    waiting = Complaint.objects.filter(status=ComplaintStatus.RECEIVED)
    return {
        "pending": Finding.objects.filter(status=FindingStatus.PENDING).count(),
        "complaints": waiting.count(),
        "overdue": waiting.filter(accept_due__lt=today).count(),
        "incidents": Incident.objects.filter(credit_event_id__isnull=True, status="reported").count(),
    }
