"""The objection, repair and warning pages as operators and officers use them (Django's test client)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from ecredit.credit import procedures
from ecredit.credit.models import Evaluation, Objection, ProcedureState, RepairRequest
from tests.cast import Cast
from tests.credit.archive import by
from tests.credit.procedures import PDF, pdf, two_failures

pytestmark = pytest.mark.django_db


def latest_grade(entity_id: int) -> str:
    return Evaluation.objects.filter(entity_id=entity_id).order_by("-as_of", "-created_at", "-pk").first().grade  # type: ignore[union-attr]


def test_it_offers_the_operator_an_objection_and_a_repair_where_the_pack_allows(cast: Cast) -> None:
    case = two_failures(cast.credit_officer, cast.admin, cast.seller_a_org)
    body = cast.client_for(cast.seller_a).get(reverse("credit:mine")).content.decode()
    assert reverse("credit_procedures:object", args=[case.recent.pk]) in body
    assert reverse("credit_procedures:apply_repair", args=[case.old.pk]) in body
    assert reverse("credit_procedures:apply_repair", args=[case.recent.pk]) not in body
    assert "起可申请信用修复" in body and "进入预警等级" in body


def test_it_files_an_objection_with_an_attachment_from_the_form(cast: Cast) -> None:
    case = two_failures(cast.credit_officer, cast.admin, cast.seller_a_org)
    seller = cast.client_for(cast.seller_a)
    url = reverse("credit_procedures:object", args=[case.recent.pk])
    assert seller.get(url).status_code == 200
    answer = seller.post(url, {"reasons": "复检报告显示样品合格", "attachments": [pdf()]})
    assert answer.status_code == 302 and answer["Location"] == reverse("credit_procedures:mine")
    objection = Objection.objects.get()
    attachment = objection.attachments.get()
    download = seller.get(reverse("credit_procedures:attachment", args=[attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    assert "attachment" in download["Content-Disposition"]
    # Someone else's operator sees neither the form, the objection nor the file.
    other = cast.client_for(cast.seller_b)
    assert other.get(url).status_code == 404
    assert other.get(reverse("credit_procedures:objection", args=[objection.pk])).status_code == 404
    assert other.get(reverse("credit_procedures:attachment", args=[attachment.pk])).status_code == 404


def test_it_shows_the_service_error_on_the_form(cast: Cast) -> None:
    case = two_failures(cast.credit_officer, cast.admin, cast.seller_a_org)
    seller = cast.client_for(cast.seller_a)
    answer = seller.post(
        reverse("credit_procedures:object", args=[case.recent.pk]),
        {"reasons": "复检报告显示样品合格", "attachments": [pdf("run.exe", b"MZ")]},
    )
    assert answer.status_code == 400 and "类型不受支持" in answer.content.decode()
    early = seller.post(reverse("credit_procedures:apply_repair", args=[case.recent.pk]), {"proof": "已完成整改并复检"})
    assert early.status_code == 400 and "最早可于" in early.content.decode()
    assert not Objection.objects.exists() and not RepairRequest.objects.exists()


def test_it_lets_an_officer_uphold_an_objection_from_the_queue_and_the_grade_rises(cast: Cast) -> None:
    case = two_failures(cast.credit_officer, cast.admin, cast.seller_a_org)
    objection = procedures.file_objection(by(cast.seller_a), case.recent, reasons="复检报告显示样品合格")
    officer = cast.client_for(cast.credit_officer)
    queue = officer.get(reverse("credit_procedures:objections")).content.decode()
    assert reverse("credit_procedures:objection", args=[objection.pk]) in queue and 'data-overdue="no"' in queue
    detail = officer.get(reverse("credit_procedures:objection", args=[objection.pk])).content.decode()
    assert "作出决定" in detail and "复检报告显示样品合格" in detail
    answer = officer.post(
        reverse("credit_procedures:decide_objection", args=[objection.pk]),
        {"decision": "upheld", "reasons": "复检合格，异议成立"},
    )
    assert answer.status_code == 302
    assert latest_grade(case.entity_id) == "C"
    archive = officer.get(reverse("credit:entity", args=[case.entity_id])).content.decode()
    assert 'data-status="withdrawn"' in archive and "异议成立" in archive


def test_it_flags_an_overdue_objection(cast: Cast) -> None:
    case = two_failures(cast.credit_officer, cast.admin, cast.seller_a_org)
    objection = procedures.file_objection(by(cast.seller_a), case.recent, reasons="复检报告显示样品合格")
    Objection.objects.filter(pk=objection.pk).update(deadline=dt.date(2026, 1, 5))
    queue = cast.client_for(cast.credit_officer).get(reverse("credit_procedures:objections")).content.decode()
    assert 'data-overdue="yes"' in queue and "已超期" in queue


def test_it_lets_an_officer_grant_a_repair_and_still_shows_the_event(cast: Cast) -> None:
    case = two_failures(cast.credit_officer, cast.admin, cast.seller_a_org)
    seller = cast.client_for(cast.seller_a)
    seller.post(reverse("credit_procedures:apply_repair", args=[case.old.pk]), {"proof": "已下架问题批次并完成整改"})
    request = RepairRequest.objects.get()
    officer = cast.client_for(cast.credit_officer)
    assert (
        reverse("credit_procedures:repair", args=[request.pk])
        in officer.get(reverse("credit_procedures:repairs")).content.decode()
    )
    answer = officer.post(
        reverse("credit_procedures:decide_repair", args=[request.pk]),
        {"decision": "granted", "reasons": "整改到位，准予修复"},
    )
    assert answer.status_code == 302 and latest_grade(case.entity_id) == "C"
    request.refresh_from_db()
    assert request.state == ProcedureState.GRANTED
    archive = officer.get(reverse("credit:entity", args=[case.entity_id])).content.decode()
    assert f'id="event-{case.old.pk}"' in archive and 'data-status="repaired"' in archive
    assert "准予修复" in seller.get(reverse("credit_procedures:mine")).content.decode()


def test_it_refuses_the_decision_to_operators_and_others_the_queues(cast: Cast) -> None:
    case = two_failures(cast.credit_officer, cast.admin, cast.seller_a_org)
    objection = procedures.file_objection(by(cast.seller_a), case.recent, reasons="复检报告显示样品合格")
    seller = cast.client_for(cast.seller_a)
    decide = reverse("credit_procedures:decide_objection", args=[objection.pk])
    assert seller.post(decide, {"decision": "upheld", "reasons": "我们自己决定"}).status_code == 403
    assert seller.get(reverse("credit_procedures:objections")).status_code == 403
    assert "作出决定" not in seller.get(reverse("credit_procedures:objection", args=[objection.pk])).content.decode()
    inspector = cast.client_for(cast.inspector)
    assert inspector.post(decide, {"decision": "upheld", "reasons": "检查员决定"}).status_code == 403
    assert (
        cast.client_for(cast.platform_user)
        .get(reverse("credit_procedures:warnings"))
        .content.decode()
        .count('data-testid="warning"')
        == 0
    )
    assert (
        cast.client_for(cast.seller_a)
        .get(reverse("credit_procedures:warnings"))
        .content.decode()
        .count('data-testid="warning"')
        == 1
    )
    assert cast.client_for(cast.credit_officer).get(reverse("credit_procedures:warnings")).status_code == 200
    assert (
        cast.client_for(cast.credit_officer).get(reverse("credit_procedures:object", args=[case.recent.pk])).status_code
        == 403
    )
