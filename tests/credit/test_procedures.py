"""Objections, repair requests and warnings (``credit.procedures``), through the real services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail

from ecredit.audit.models import AuditEntry
from ecredit.credit import batch, procedures, services
from ecredit.credit.models import Attachment, CreditNotice, EventStatus, ProcedureState, Warning
from ecredit.errors import DomainError, ErrorCode
from ecredit.policy.packs import active_pack
from tests.cast import Cast
from tests.credit.archive import by, event, shop
from tests.credit.procedures import PDF, months_ago, pdf, today, two_failures

pytestmark = pytest.mark.django_db(transaction=True)  # mail leaves on commit


@pytest.fixture
def emails(cast: Cast) -> Cast:
    for user, address in ((cast.seller_a, "a@shop.test"), (cast.credit_officer, "credit@commerce.test")):
        user.email = address
        user.save(update_fields=["email"])
    return cast


def test_it_files_an_objection_with_a_deadline_in_working_days_and_tells_officers(emails: Cast) -> None:
    case = two_failures(emails.credit_officer, emails.admin, emails.seller_a_org)
    mail.outbox.clear()
    objection = procedures.file_objection(
        by(emails.seller_a), case.recent, reasons="复检报告显示样品合格，抽检结论有误", attachments=[pdf()]
    )
    assert objection.state == ProcedureState.PENDING
    period = active_pack().procedure.objection_decision
    assert objection.deadline == procedures.decision_deadline(today(), period)
    assert objection.deadline > today() + dt.timedelta(days=period.applied)  # weekends do not count
    attachment = Attachment.objects.get(objection=objection)
    assert attachment.name == "整改报告.pdf" and attachment.file.read() == PDF
    assert "整改报告" not in attachment.file.name  # stored under a random name
    assert AuditEntry.objects.filter(action="credit.objection.file", target_id=str(objection.pk)).exists()
    assert [m.to for m in mail.outbox] == [["credit@commerce.test"]]


def test_it_counts_the_deadline_on_the_official_calendar_and_refuses_past_its_coverage() -> None:
    period = active_pack().procedure.objection_decision
    # 2025-09-26 (Fri) + 15 working days: 1–8 October off, Sunday 28 Sept and Saturday 11 Oct worked.
    assert procedures.decision_deadline(dt.date(2025, 9, 26), period) == dt.date(2025, 10, 23)
    with pytest.raises(DomainError) as refused:
        procedures.decision_deadline(dt.date(2099, 12, 20), period)
    assert refused.value.code is ErrorCode.VALIDATION and "节假日日历尚未覆盖" in refused.value.message


def test_it_refuses_an_objection_from_someone_else_or_twice(emails: Cast) -> None:
    case = two_failures(emails.credit_officer, emails.admin, emails.seller_a_org)
    for stranger in (emails.seller_b, emails.credit_officer):
        with pytest.raises(DomainError) as refused:
            procedures.file_objection(by(stranger), case.recent, reasons="这不是我们的问题")
        assert refused.value.code is ErrorCode.FORBIDDEN
    with pytest.raises(DomainError) as short:
        procedures.file_objection(by(emails.seller_a), case.recent, reasons="不对")
    assert short.value.code is ErrorCode.VALIDATION
    procedures.file_objection(by(emails.seller_a), case.recent, reasons="复检报告显示样品合格")
    with pytest.raises(DomainError) as twice:
        procedures.file_objection(by(emails.seller_a), case.recent, reasons="再次提出异议理由")
    assert twice.value.code is ErrorCode.CONFLICT


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("script.html", b"<script>", "类型不受支持"),
        ("fake.pdf", b"MZ\x90\x00", "内容与扩展名不符"),
        ("big.pdf", PDF + b"0" * procedures.MAX_ATTACHMENT_BYTES, "过大"),
    ],
)
def test_it_refuses_attachments_of_the_wrong_type_or_size(emails: Cast, name: str, data: bytes, message: str) -> None:
    case = two_failures(emails.credit_officer, emails.admin, emails.seller_a_org)
    with pytest.raises(DomainError) as refused:
        procedures.file_objection(
            by(emails.seller_a), case.recent, reasons="复检报告显示合格", attachments=[pdf(name, data)]
        )
    assert message in refused.value.message and not Attachment.objects.exists()


def test_it_withdraws_the_event_reevaluates_and_notifies_when_an_objection_is_upheld(emails: Cast) -> None:
    case = two_failures(emails.credit_officer, emails.admin, emails.seller_a_org)
    assert (int(case.evaluation.score), case.evaluation.grade) == (50, "D")
    objection = procedures.file_objection(by(emails.seller_a), case.recent, reasons="复检报告显示样品合格")
    mail.outbox.clear()
    decided = procedures.decide_objection(
        by(emails.credit_officer), objection, upheld=True, reasons="复检合格，异议成立"
    )
    assert decided.procedure.state == ProcedureState.UPHELD
    assert decided.evaluation is not None and (int(decided.evaluation.score), decided.evaluation.grade) == (65, "C")
    status = EventStatus.objects.get(event=case.recent)
    assert status.status == "withdrawn" and status.effective_on == case.recent.occurred_on
    assert status.source_ref == f"objection:{objection.pk}"
    notice = CreditNotice.objects.get(entity_id=case.entity_id)
    assert "异议成立" in notice.body and "65" in notice.body
    assert ["a@shop.test"] in [m.to for m in mail.outbox]
    assert AuditEntry.objects.filter(action="credit.objection.decide", target_id=str(objection.pk)).exists()
    with pytest.raises(DomainError) as again:
        procedures.decide_objection(by(emails.credit_officer), objection, upheld=False, reasons="重复决定理由")
    assert again.value.code is ErrorCode.CONFLICT


def test_it_keeps_the_event_when_an_objection_is_dismissed_and_only_officers_decide(emails: Cast) -> None:
    case = two_failures(emails.credit_officer, emails.admin, emails.seller_a_org)
    objection = procedures.file_objection(by(emails.seller_a), case.recent, reasons="复检报告显示样品合格")
    with pytest.raises(DomainError) as refused:
        procedures.decide_objection(by(emails.seller_a), objection, upheld=True, reasons="我们自己决定成立")
    assert refused.value.code is ErrorCode.FORBIDDEN
    decided = procedures.decide_objection(by(emails.credit_officer), objection, upheld=False, reasons="复检仍不合格")
    assert decided.procedure.state == ProcedureState.DISMISSED and decided.evaluation is None
    assert not EventStatus.objects.exists()
    assert "异议不成立" in CreditNotice.objects.get().body


def test_it_lists_an_objection_past_its_deadline_as_overdue(emails: Cast) -> None:
    case = two_failures(emails.credit_officer, emails.admin, emails.seller_a_org)
    objection = procedures.file_objection(by(emails.seller_a), case.recent, reasons="复检报告显示样品合格")
    assert not procedures.is_overdue(objection)
    assert procedures.is_overdue(objection, objection.deadline + dt.timedelta(days=1))
    assert list(procedures.queue(procedures.objections())) == [objection]


def test_it_refuses_repair_before_the_minimum_period_naming_the_earliest_day(emails: Cast) -> None:
    case = two_failures(emails.credit_officer, emails.admin, emails.seller_a_org)
    with pytest.raises(DomainError) as early:
        procedures.apply_repair(by(emails.seller_a), case.recent, proof="已完成整改并复检合格")
    earliest = procedures.earliest_repair(active_pack(), case.recent)
    assert early.value.code is ErrorCode.VALIDATION
    assert f"最早可于 {earliest} 申请" in early.value.message and "6 个月" in early.value.message


def test_it_refuses_repair_of_an_indicator_without_repair(emails: Cast) -> None:
    case = two_failures(emails.credit_officer, emails.admin, emails.seller_a_org)
    entity = case.recent.entity
    filing = services.record_event(
        by(emails.credit_officer), entity, "filing.current", months_ago(10), source_kind="filing", source_ref="NA-1"
    )
    with pytest.raises(DomainError) as refused:
        procedures.apply_repair(by(emails.seller_a), filing, proof="已完成整改并复检合格")
    assert "不适用信用修复" in refused.value.message


def test_it_grants_a_repair_from_today_and_the_grade_rises(emails: Cast) -> None:
    case = two_failures(emails.credit_officer, emails.admin, emails.seller_a_org)
    request = procedures.apply_repair(
        by(emails.seller_a), case.old, proof="已下架问题批次并完成整改，复检合格", attachments=[pdf()]
    )
    assert request.deadline == procedures.decision_deadline(today(), active_pack().procedure.repair_decision)
    decided = procedures.decide_repair(by(emails.credit_officer), request, granted=True, reasons="整改到位，准予修复")
    request.refresh_from_db()
    assert decided.procedure.state == ProcedureState.GRANTED and request.from_date == today()
    assert decided.evaluation is not None and (int(decided.evaluation.score), decided.evaluation.grade) == (65, "C")
    assert EventStatus.objects.get(event=case.old).status == "repaired"
    assert AuditEntry.objects.filter(action="credit.repair.decide").exists()
    with pytest.raises(DomainError) as again:
        procedures.apply_repair(by(emails.seller_a), case.old, proof="再次申请信用修复")
    assert again.value.code is ErrorCode.CONFLICT


def test_it_refuses_a_repair_with_reasons_and_the_grade_stays(emails: Cast) -> None:
    case = two_failures(emails.credit_officer, emails.admin, emails.seller_a_org)
    request = procedures.apply_repair(by(emails.seller_a), case.old, proof="已完成整改")
    decided = procedures.decide_repair(by(emails.credit_officer), request, granted=False, reasons="整改材料不完整")
    assert decided.procedure.state == ProcedureState.REFUSED and decided.evaluation is None
    assert not EventStatus.objects.exists() and "不予修复" in CreditNotice.objects.get().body


def test_it_warns_when_a_grade_falls_into_a_warning_grade_and_mails_both(emails: Cast) -> None:
    mail.outbox.clear()
    case = two_failures(emails.credit_officer, emails.admin, emails.seller_a_org)
    warning = Warning.objects.get(entity_id=case.entity_id)
    assert (warning.grade_before, warning.grade_after, warning.evaluation_id) == ("", "D", case.evaluation.pk)
    assert "进入预警等级" in warning.message
    recipients = [m.to for m in mail.outbox]
    assert ["a@shop.test"] in recipients and ["credit@commerce.test"] in recipients
    assert AuditEntry.objects.filter(action="credit.warning.create").exists()


def test_it_does_not_warn_on_a_rise_and_warns_on_a_drop_of_two_grades(emails: Cast) -> None:
    case = two_failures(emails.credit_officer, emails.admin, emails.seller_a_org)
    objection = procedures.file_objection(by(emails.seller_a), case.recent, reasons="复检报告显示样品合格")
    procedures.decide_objection(by(emails.credit_officer), objection, upheld=True, reasons="复检合格，异议成立")
    assert Warning.objects.count() == 1  # D → C is no fall
    pack = active_pack()
    assert procedures._warning_message(pack, "某公司", "A", "C", today()) is not None
    assert procedures._warning_message(pack, "某公司", "A", "B", today()) is None
    assert procedures._warning_message(pack, "某公司", "C", "B", today()) is None


def test_it_warns_after_a_batch_run_set_based(emails: Cast, django_capture_on_commit_callbacks: Any) -> None:
    case = two_failures(emails.credit_officer, emails.admin, emails.seller_a_org)
    other = shop(emails.credit_officer, None, "南安市水头镇批量预警测试有限公司")
    operated = shop(emails.credit_officer, emails.seller_a_org, "南安市官桥镇批量预警测试有限公司")
    for entity, prefix in ((other, "CJ-9"), (operated, "CJ-8")):
        for n in (1, 2):
            event(emails.credit_officer, entity, "quality.sample_failed", months_ago(1), f"{prefix}-{n}")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        batch.evaluate_all(by(emails.credit_officer), today())
    # The first entity stays D (no new warning); the others are rated D for the first time.
    assert Warning.objects.filter(entity_id=case.entity_id).count() == 1
    warning = Warning.objects.get(entity=other)
    assert warning.grade_after == "D" and warning.evaluation.batch and warning.grade_before == ""
    assert "南安市水头镇批量预警测试有限公司" in warning.message and "进入预警等级" in warning.message
    assert Warning.objects.filter(entity=operated).count() == 1
    assert AuditEntry.objects.get(action="credit.warning.batch").changes["warnings"] == [None, 2]
    # The officers get one summary; the operator of the warned entity its own message; nobody else.
    sent = {(m.subject, tuple(m.to)) for m in mail.outbox}
    assert sent == {
        ("信用预警：批量评价产生 2 条预警", ("credit@commerce.test",)),
        ("信用预警：南安市官桥镇批量预警测试有限公司", ("a@shop.test",)),
    }
