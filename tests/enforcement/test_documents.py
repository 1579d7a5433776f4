"""Numbered documents: each kind issued as a PDF that renders Chinese, numbering, corrections,
immutability, penalty → credit grade and publication, suspension notices, closure and transfer vetoes."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from ecredit.accounts.actors import SYSTEM
from ecredit.audit.models import ImmutableError
from ecredit.credit import services as credit
from ecredit.credit.models import CreditEvent
from ecredit.enforcement import documents, issuing, notices, queries, services
from ecredit.enforcement.models import Document, Notice, Publication
from ecredit.errors import DomainError, ErrorCode
from tests.enforcement.helpers import DECIDED, FILED, Office, advance, penalty, propose
from tests.pdfcheck import assert_renders_chinese

AS_OF = dt.date(2024, 6, 30)


def refused(call: object, code: ErrorCode = ErrorCode.VALIDATION) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()  # type: ignore[operator]
    assert caught.value.code == code
    return caught.value


def pdf_of(document: Document) -> bytes:
    return documents.absolute_path(document).read_bytes()


def grade(office: Office) -> tuple[float, str]:
    evaluation = credit.evaluate_entity(SYSTEM, office.seller, AS_OF)
    return float(evaluation.score), evaluation.grade


@pytest.mark.parametrize(
    ("severity", "indicator", "points"),
    [
        ("light", "enforcement.penalty_light", -5),
        ("general", "enforcement.penalty", -15),
        ("severe", "enforcement.penalty", -15),
    ],
)
def test_it_moves_the_partys_grade_as_the_pack_says(office: Office, severity: str, indicator: str, points: int) -> None:
    before, _grade = grade(office)
    case = advance(office, propose(office), "decided")
    document = penalty(office, case, severity=severity)
    event = CreditEvent.objects.get(entity=office.seller, source_ref=document.number)
    assert event.indicator == indicator and event.occurred_on == DECIDED
    after, after_grade = grade(office)
    assert after == before + points
    assert after_grade == {65.0: "C", 75.0: "B"}.get(after, after_grade)


def test_it_records_the_food_and_drug_penalty_when_the_decision_says_so(office: Office) -> None:
    case = advance(office, propose(office), "decided")
    document = penalty(office, case, severity="light", food_drug=True)
    assert CreditEvent.objects.get(source_ref=document.number).indicator == "enforcement.penalty_food_drug"


def test_it_issues_a_penalty_decision_as_a_pdf_that_renders_chinese(office: Office, tmp_path: Path) -> None:
    case = advance(office, propose(office), "decided")
    services.add_evidence(actor=office.officer, case=case, title="网店商品页面截图", data=b"png")
    document = penalty(office, case)
    assert document.number == "南市监处罚〔2024〕1号"
    pdf = pdf_of(document)
    assert hashlib.sha256(pdf).hexdigest() == document.pdf_sha256
    assert_renders_chinese(pdf, "行政处罚决定书", tmp_path)
    assert_renders_chinese(pdf, "南市监处罚〔2024〕1号", tmp_path)
    assert_renders_chinese(pdf, "申请行政复议", tmp_path)
    assert document.content["review_until"] == "2024-07-09" and document.content["litigation_until"] == "2024-11-10"
    assert "网店商品页面截图" in document.content["evidence"][0]


def test_it_numbers_documents_per_kind_and_never_reuses_a_number(office: Office) -> None:
    case = advance(office, propose(office), "decided")
    first = penalty(office, case)
    other = advance(office, propose(office), "decided")
    second = penalty(office, other)
    assert (first.sequence, second.sequence) == (1, 2)
    notice = issuing.issue_suspension(
        actor=office.officer,
        case=other,
        comply_by=DECIDED + dt.timedelta(days=3),
        measures="暂停该店铺的商品展示与交易服务",
        on=DECIDED,
    )
    assert notice.number == "南市监停〔2024〕1号"
    refused(lambda: penalty(office, case, penalties=["fine"], fine_amount=""))  # a refusal takes no number
    third = penalty(office, case)
    assert third.sequence == 3


def test_it_never_changes_or_deletes_an_issued_document(office: Office) -> None:
    document = penalty(office, advance(office, propose(office), "decided"))
    document.addressee_name = "别人"
    with pytest.raises(ImmutableError):
        document.save()
    with pytest.raises(ImmutableError):
        document.delete()
    with pytest.raises(ImmutableError):
        Document.objects.filter(pk=document.pk).update(number="x")
    with pytest.raises(FileExistsError):
        documents.store(document, b"%PDF-forged")


def test_it_corrects_a_document_with_a_new_one_that_references_it(office: Office, tmp_path: Path) -> None:
    case = advance(office, propose(office), "decided")
    original = penalty(office, case)
    correction = penalty(office, case, fine_amount="4000", corrects=original)
    assert correction.corrects == original and correction.number != original.number
    assert (
        CreditEvent.objects.filter(indicator="enforcement.penalty").count() == 1
    )  # the correction records no second event
    assert_renders_chinese(pdf_of(correction), f"本文书更正{original.number}", tmp_path)
    assert Publication.objects.get(document=original).visible_until == DECIDED


def test_it_publishes_per_the_pack_with_secrets_redacted_and_warnings_left_out(office: Office) -> None:
    case = advance(office, propose(office, secrets="进货渠道：晋江某鞋厂"), "decided")
    light = penalty(office, case, severity="light", facts="当事人销售童鞋 120 双，进货渠道：晋江某鞋厂，标签不合规。")
    published = Publication.objects.get(document=light)
    assert published.visible_until == dt.date(2024, 8, 10)  # 3 months
    assert published.publish_by == dt.date(2024, 6, 6)  # 20 working days (Saturday 11 May 2024 was one)
    assert "晋江某鞋厂" not in str(published.summary) and "商业秘密" in published.summary["facts"]
    general = penalty(office, case, severity="general")
    assert Publication.objects.get(document=general).visible_until == dt.date(2027, 5, 10)  # 3 years
    warning = penalty(office, case, penalties=["warning"], fine_amount=None)
    assert not Publication.objects.filter(document=warning).exists()
    assert warning.content["published"] is False


def test_it_shows_only_number_date_and_department_on_the_public_check_page(office: Office) -> None:
    document = penalty(office, advance(office, propose(office), "decided"))
    page = Client().get(f"/enforcement/documents/{document.token}/").content.decode()
    assert document.number in page and "2024-05-10" in page and "南安市市场监督管理局" in page
    assert office.seller.name not in page and "5000" not in page
    assert Client().get("/enforcement/documents/no-such-token/").status_code == 404


def test_it_sends_a_suspension_notice_to_the_provider_who_acknowledges_and_reports(
    office: Office, tmp_path: Path
) -> None:
    case = advance(office, propose(office), "investigating")
    due = timezone.localdate() + dt.timedelta(days=3)
    document = issuing.issue_suspension(
        actor=office.officer, case=case, comply_by=due, measures="暂停该店铺的全部商品交易服务"
    )
    assert document.addressee == office.platform
    assert_renders_chinese(pdf_of(document), "暂停提供服务通知书", tmp_path)
    assert list(queries.notices_for(office.receiver)) == [document.notice]
    notice = notices.acknowledge_notice(actor=office.receiver, notice=document.notice)
    assert notice.acknowledged_at is not None
    refused(lambda: notices.flag_ignored(actor=office.officer, notice=notice, reason="逾期未执行"), ErrorCode.CONFLICT)
    notice = notices.report_compliance(actor=office.receiver, notice=notice, report="已下架该店铺全部商品并暂停交易")
    assert notice.complied_at is not None and not notices.notice_overdue(notice)


def test_it_flags_an_ignored_suspension_notice_and_records_the_event(office: Office) -> None:
    case = advance(office, propose(office), "investigating")
    document = issuing.issue_suspension(
        actor=office.officer,
        case=case,
        comply_by=FILED + dt.timedelta(days=3),
        measures="暂停该店铺的全部商品交易服务",
        on=FILED,
    )
    notice = Notice.objects.get(document=document)
    assert notices.notice_overdue(notice, dt.date(2024, 3, 8))
    notices.flag_ignored(actor=office.officer, notice=notice, reason="逾期未暂停服务", on=dt.date(2024, 3, 8))
    assert CreditEvent.objects.get(entity=office.platform).indicator == "enforcement.suspension_ignored"


def test_it_needs_a_provider_and_a_filed_case_for_a_suspension_notice(office: Office) -> None:
    case = propose(office)
    error = refused(
        lambda: issuing.issue_suspension(
            actor=office.officer, case=case, comply_by=timezone.localdate(), measures="暂停全部服务"
        ),
        ErrorCode.CONFLICT,
    )
    assert "待立案" in error.message and Document.objects.count() == 0


def test_it_records_the_closure_veto_when_the_site_is_closed(office: Office, tmp_path: Path) -> None:
    case = advance(office, propose(office), "decided")
    refused(
        lambda: issuing.issue_closure_proposal(
            actor=office.officer, case=case, operator_name="中国电信泉州分公司", website="shoes.example.cn", on=DECIDED
        ),
        ErrorCode.CONFLICT,
    )
    penalty(office, case)
    proposal = issuing.issue_closure_proposal(
        actor=office.officer,
        case=case,
        operator_name="中国电信股份有限公司泉州分公司",
        website="shoes.example.cn",
        on=DECIDED,
    )
    assert_renders_chinese(pdf_of(proposal), "行政建议书", tmp_path)
    assert not CreditEvent.objects.filter(indicator="enforcement.website_closed").exists()
    notices.record_closure_executed(actor=office.officer, notice=proposal.notice, executed_on=dt.date(2024, 5, 20))
    assert CreditEvent.objects.get(indicator="enforcement.website_closed").entity == office.seller
    assert grade(office)[1] == "D"


def test_it_transfers_a_case_with_its_file_list_and_the_veto(office: Office, tmp_path: Path) -> None:
    case = advance(office, propose(office), "investigating")
    assert (
        "清单"
        in refused(
            lambda: issuing.issue_judicial_transfer(
                actor=office.officer,
                case=case,
                receiver="南安市公安局",
                grounds="涉嫌销售伪劣产品罪",
                file_list=[],
                on=DECIDED,
            )
        ).message
    )
    transfer = issuing.issue_judicial_transfer(
        actor=office.officer,
        case=case,
        receiver="南安市公安局",
        grounds="货值金额超过五万元，涉嫌销售伪劣产品罪",
        file_list=["立案审批表", "询问笔录 2 份", "电子证据光盘 1 张"],
        on=DECIDED,
    )
    assert_renders_chinese(pdf_of(transfer), "案件移送书", tmp_path)
    assert CreditEvent.objects.get(indicator="enforcement.case_transferred").entity == office.seller
    assert grade(office)[1] == "D"
