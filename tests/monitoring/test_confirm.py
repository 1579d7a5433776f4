"""``confirm_finding`` called directly: the finding is confirmed and its listing's capture queued in one
transaction (the task on commit); a refused confirmation changes nothing and queues nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from ecredit.accounts.services import actor_for_user
from ecredit.audit.models import AuditEntry
from ecredit.credit.models import CreditEvent
from ecredit.errors import DomainError, ErrorCode
from ecredit.evidence.models import Evidence
from ecredit.monitoring import services
from ecredit.monitoring.models import Finding, FindingStatus
from ecredit.registry.models import Entity
from tests.cast import Cast
from tests.monitoring.helpers import listing, write_csv
from tests.registry.helpers import register

pytestmark = pytest.mark.django_db

URL = "http://127.0.0.1:8123/item/1"


@pytest.fixture
def seller(cast: Cast) -> Entity:
    return register(cast.credit_officer, "南安市示例茶业有限公司", organisation=cast.seller_a_org)


def _finding(cast: Cast, seller: Entity, tmp_path: Path) -> Finding:
    rows = [listing(seller.uscc or "", "SP-1", description="高仿", url=URL)]
    path = write_csv(tmp_path / "l.csv", "listings", rows)
    services.submit_batch(actor=actor_for_user(cast.credit_officer), kind="listings", batch_id="B-1", path=path)
    return Finding.objects.get()


def test_it_confirms_a_finding_and_queues_the_capture_of_its_listing(
    cast: Cast, seller: Entity, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setenv("ECREDIT_CAPTURE_ALLOW_PRIVATE", "1")  # the listing is served on this machine
    finding = _finding(cast, seller, tmp_path)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        done = services.confirm_finding(
            actor=actor_for_user(cast.inspector), finding=finding, note="经核实", capture_requested=True
        )
    assert len(callbacks) == 1  # the capture task is enqueued only on commit
    assert done.capture_refused == "" and done.evidence is not None
    finding.refresh_from_db()
    event = CreditEvent.objects.get(entity=seller)
    assert finding.status == FindingStatus.CONFIRMED and finding.credit_event_id == event.pk
    assert finding.capture_requested and finding.evidence_id == done.evidence.pk
    item = Evidence.objects.get()
    assert (item.source_url, item.status, item.entity_id) == (URL, "queued", seller.pk)
    task = DBTaskResult.objects.get()
    assert task.task_path == "ecredit.evidence.tasks.capture_task" and task.args_kwargs["args"] == [item.pk]
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-2:] == ["monitoring.finding.confirm", "evidence.capture_requested"]


def test_a_refused_capture_leaves_the_confirmation_standing(cast: Cast, seller: Entity, tmp_path: Path) -> None:
    finding = _finding(cast, seller, tmp_path)  # 127.0.0.1 may not be captured by default
    done = services.confirm_finding(actor=actor_for_user(cast.inspector), finding=finding, capture_requested=True)
    assert done.evidence is None and done.capture_refused
    assert Finding.objects.get().status == FindingStatus.CONFIRMED and CreditEvent.objects.count() == 1
    assert not Evidence.objects.exists() and not DBTaskResult.objects.exists()
    assert not AuditEntry.objects.filter(action="evidence.capture_requested").exists()


def test_a_refused_confirmation_changes_nothing_and_queues_no_capture(
    cast: Cast, seller: Entity, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setenv("ECREDIT_CAPTURE_ALLOW_PRIVATE", "1")
    finding = _finding(cast, seller, tmp_path)
    audited = AuditEntry.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(DomainError) as refused:
            services.confirm_finding(actor=actor_for_user(cast.auditor), finding=finding, capture_requested=True)
        assert refused.value.code == ErrorCode.FORBIDDEN
        Finding.objects.filter(pk=finding.pk).update(status=FindingStatus.DISMISSED)
        with pytest.raises(DomainError) as twice:
            services.confirm_finding(actor=actor_for_user(cast.inspector), finding=finding, capture_requested=True)
        assert twice.value.code == ErrorCode.CONFLICT
    assert not callbacks
    finding.refresh_from_db()
    assert finding.status == FindingStatus.DISMISSED and not finding.capture_requested and finding.evidence is None
    assert not CreditEvent.objects.exists() and not Evidence.objects.exists() and not DBTaskResult.objects.exists()
    assert AuditEntry.objects.count() == audited
