"""The batch and findings pages: upload, the report of bad rows, the queue, confirm and dismiss."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from ecredit.credit.models import CreditEvent
from ecredit.monitoring.models import Batch, BatchStatus, Finding, FindingStatus, Listing
from ecredit.registry.models import Entity
from tests.cast import Cast
from tests.monitoring.helpers import listing, write_csv
from tests.registry.helpers import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(cast: Cast) -> Entity:
    return register(cast.credit_officer, "南安市示例茶业有限公司", organisation=cast.seller_a_org)


def upload(cast: Cast, path: Path, batch_id: str = "B-1", kind: str = "listings") -> object:
    client = cast.client_for(cast.credit_officer)
    with path.open("rb") as stream:
        return client.post(
            "/monitoring/batches/upload/", {"kind": kind, "batch_id": batch_id, "file": stream}, follow=True
        )


def test_it_shows_every_bad_row_of_an_uploaded_batch(cast: Cast, seller: Entity, tmp_path: Path) -> None:
    rows = [listing(seller.uscc or "", "SP-1", name=""), listing("", "SP-2")]
    response = upload(cast, write_csv(tmp_path / "l.csv", "listings", rows))
    text = response.content.decode()  # type: ignore[attr-defined]
    assert "共 2 处错误，未导入任何数据。" in text
    assert "商品名称" in text and "经营者代码" in text and "必填，不能为空" in text
    assert Listing.objects.count() == 0


def test_it_applies_a_clean_upload_and_links_its_findings(cast: Cast, seller: Entity, tmp_path: Path) -> None:
    response = upload(
        cast, write_csv(tmp_path / "l.csv", "listings", [listing(seller.uscc or "", "SP-1", description="高仿")])
    )
    text = response.content.decode()  # type: ignore[attr-defined]
    assert "已导入 1 行，发现问题 1 条。" in text
    batch = Batch.objects.get()
    queue = cast.client_for(cast.inspector).get(f"/monitoring/findings/?batch={batch.pk}").content.decode()
    assert "高仿" in queue and "14.9" in queue


def test_it_leaves_a_large_upload_to_the_worker_and_shows_its_progress(
    transactional_db: None, cast: Cast, seller: Entity, tmp_path: Path, settings: Any
) -> None:
    # A real commit (transactional_db): the worker reads the queue from the database.
    settings.MONITORING_INLINE_BYTES = 0  # every file counts as large here
    settings.MEDIA_ROOT = str(tmp_path / "media")
    path = write_csv(tmp_path / "l.csv", "listings", [listing(seller.uscc or "", "SP-1", description="高仿")])
    response = upload(cast, path)
    batch = Batch.objects.get()
    page = response.content.decode()  # type: ignore[attr-defined]
    assert batch.status == BatchStatus.VALIDATING and Listing.objects.count() == 0
    assert '<meta http-equiv="refresh"' in page and "校验中" in page  # the page refreshes until it is done
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPLIED and Listing.objects.count() == 1 and Finding.objects.count() == 1
    page = cast.client_for(cast.credit_officer).get(f"/monitoring/batches/{batch.pk}/").content.decode()
    assert "已导入 1 行，发现问题 1 条。" in page and '<meta http-equiv="refresh"' not in page
    assert not list((Path(settings.MEDIA_ROOT) / "monitoring" / "queued").iterdir())  # the copy is gone


def test_it_refuses_the_upload_page_to_an_operator(cast: Cast) -> None:
    assert cast.client_for(cast.seller_a).get("/monitoring/batches/upload/").status_code == 403


def test_it_explains_an_unsupported_file(cast: Cast, tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text("x", encoding="utf-8")
    response = upload(cast, path)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "不支持的文件格式" in response.content.decode()  # type: ignore[attr-defined]
    assert Batch.objects.count() == 0


def _finding(cast: Cast, seller: Entity, tmp_path: Path, description: str = "高仿") -> Finding:
    upload(
        cast, write_csv(tmp_path / "l.csv", "listings", [listing(seller.uscc or "", "SP-1", description=description)])
    )
    return Finding.objects.get()


def test_it_confirms_a_finding_into_a_credit_event(cast: Cast, seller: Entity, tmp_path: Path) -> None:
    finding = _finding(cast, seller, tmp_path)
    page = cast.client_for(cast.credit_officer).get(f"/monitoring/findings/{finding.pk}/").content.decode()
    assert "<mark>高仿</mark>" in page
    # The Commerce Bureau handles no cases: it cannot refer the finding as a lead (and is not offered to).
    assert "同时移交执法线索" not in page
    refused = cast.client_for(cast.credit_officer).post(
        f"/monitoring/findings/{finding.pk}/confirm/", {"refer_to_enforcement": "on"}, follow=True
    )
    assert "只有执法部门的办案人员可以将发现移交为执法线索" in refused.content.decode()
    assert not CreditEvent.objects.exists() and Finding.objects.get().status == FindingStatus.PENDING
    response = cast.client_for(cast.credit_officer).post(f"/monitoring/findings/{finding.pk}/confirm/", follow=True)
    assert "已确认，并记录信用事件" in response.content.decode()
    event = CreditEvent.objects.get(entity=seller)
    assert (event.indicator, event.source_kind) == ("conduct.14_9_counterfeit_goods", "platform")
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CONFIRMED and finding.credit_event_id == event.pk
    assert not finding.refer_to_enforcement and not finding.capture_requested and finding.lead is None


def test_it_refers_a_finding_to_enforcement_and_queues_the_capture_of_its_listing(
    cast: Cast, seller: Entity, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECREDIT_CAPTURE_ALLOW_PRIVATE", "1")  # the listing is served on this machine
    upload(
        cast,
        write_csv(
            tmp_path / "l.csv",
            "listings",
            [listing(seller.uscc or "", "SP-1", description="高仿", url="http://127.0.0.1:8123/item/1")],
        ),
    )
    finding = Finding.objects.get()
    client = cast.client_for(cast.inspector)
    assert "同时移交执法线索" in client.get(f"/monitoring/findings/{finding.pk}/").content.decode()
    response = client.post(
        f"/monitoring/findings/{finding.pk}/confirm/",
        {"refer_to_enforcement": "on", "capture_requested": "on"},
        follow=True,
    )
    text = response.content.decode()
    finding.refresh_from_db()
    lead, item = finding.lead, finding.evidence
    assert lead is not None and item is not None
    assert f"已移交执法线索 #{lead.pk}" in text and f"已排队固定商品页面（电子证据 #{item.pk}）" in text
    assert (lead.source_kind, lead.source_ref, lead.entity_id) == (
        "monitoring",
        f"monitoring-finding:{finding.pk}",
        seller.pk,
    )
    assert lead.department_id == cast.samr.pk and "高仿" in lead.summary
    assert (item.source_url, item.status, item.entity_id) == ("http://127.0.0.1:8123/item/1", "queued", seller.pk)
    assert f'href="/enforcement/leads/{lead.pk}/"' in text and f'href="/evidence/{item.pk}/"' in text


def test_it_dismisses_a_finding_only_with_a_reason(cast: Cast, seller: Entity, tmp_path: Path) -> None:
    finding = _finding(cast, seller, tmp_path)
    client = cast.client_for(cast.inspector)
    response = client.post(f"/monitoring/findings/{finding.pk}/dismiss/", {"reason": "短"}, follow=True)
    assert "请写明排除的理由（至少 4 个字）。" in response.content.decode()
    client.post(f"/monitoring/findings/{finding.pk}/dismiss/", {"reason": "商品为正品，描述指高仿古工艺"})
    finding.refresh_from_db()
    assert finding.status == FindingStatus.DISMISSED and CreditEvent.objects.count() == 0


def test_it_refuses_confirming_to_an_auditor(cast: Cast, seller: Entity, tmp_path: Path) -> None:
    finding = _finding(cast, seller, tmp_path)
    assert cast.client_for(cast.auditor).post(f"/monitoring/findings/{finding.pk}/confirm/").status_code == 403
    assert Finding.objects.get().status == FindingStatus.PENDING


def test_it_refuses_confirming_twice(cast: Cast, seller: Entity, tmp_path: Path) -> None:
    finding = _finding(cast, seller, tmp_path)
    client = cast.client_for(cast.credit_officer)
    client.post(f"/monitoring/findings/{finding.pk}/confirm/")
    response = client.post(f"/monitoring/findings/{finding.pk}/confirm/", follow=True)
    assert "该发现的状态为“已确认”" in response.content.decode()
    assert "不能重复处理" in response.content.decode()
    assert CreditEvent.objects.count() == 1


def test_it_shows_the_batch_list(cast: Cast, seller: Entity, tmp_path: Path) -> None:
    upload(cast, write_csv(tmp_path / "l.csv", "listings", [listing(seller.uscc or "", "SP-1")]), "LIST-1")
    text = cast.client_for(cast.auditor).get("/monitoring/batches/").content.decode()
    assert "LIST-1" in text and str(BatchStatus.APPLIED.label) in text


def test_it_counts_pending_findings_on_the_officers_dashboard(cast: Cast, seller: Entity, tmp_path: Path) -> None:
    _finding(cast, seller, tmp_path)
    page = cast.client_for(cast.inspector).get("/accounts/dashboard/").content.decode()
    assert "待确认的监测发现 1 条" in page
