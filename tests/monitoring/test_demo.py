"""The demo has monitoring data to show: findings pending, confirmed and dismissed, complaints, incidents."""

from __future__ import annotations

import pytest

from ecredit.accounts.actors import SYSTEM
from ecredit.demo.services import load_demo
from ecredit.monitoring.models import Batch, Complaint, Finding, FindingStatus, Incident

pytestmark = pytest.mark.django_db


def test_it_loads_findings_complaints_and_incidents() -> None:
    load_demo(actor=SYSTEM)
    statuses = set(Finding.objects.values_list("status", flat=True))
    assert statuses == {FindingStatus.PENDING, FindingStatus.CONFIRMED, FindingStatus.DISMISSED}
    assert Finding.objects.filter(status=FindingStatus.CONFIRMED, credit_event_id__isnull=False).count() == 2
    assert Batch.objects.filter(status="applied").count() == 2
    assert Complaint.objects.count() == 4 and Complaint.objects.filter(credit_event_id__isnull=False).count() == 1
    assert Incident.objects.count() == 2 and Incident.objects.filter(credit_event_id__isnull=False).count() == 1
