"""Leads and cases: proposing, filing with a number and a deadline, the table's refusals, extensions,
investigation records, evidence, non-cooperation, and Art. 18's confidentiality."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from ecredit.accounts.actors import SYSTEM
from ecredit.accounts.roles import Role
from ecredit.accounts.services import actor_for_user
from ecredit.audit.models import AuditEntry
from ecredit.credit import services as credit
from ecredit.credit.models import CreditEvent
from ecredit.enforcement import queries, services
from ecredit.enforcement.models import Case, CaseEvent, Lead, LeadStatus
from ecredit.enforcement.services import PartyIn
from ecredit.errors import DomainError, ErrorCode
from tests.cast import make_user
from tests.enforcement.helpers import FILED, Office, advance, other_department, propose


def refused(call: object, code: ErrorCode = ErrorCode.VALIDATION) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()  # type: ignore[operator]
    assert caught.value.code == code
    return caught.value


def test_it_records_a_lead_other_apps_can_create(office: Office) -> None:
    lead = services.record_lead(
        actor=office.officer,
        source_kind="inspection",
        source_ref="CJ-2024-7",
        entity=office.seller,
        summary="抽查不合格：童鞋",
    )
    assert (lead.status, lead.department, lead.source_kind) == (LeadStatus.OPEN, office.cast.samr, "inspection")
    assert (
        "线索来源应为"
        in refused(
            lambda: services.record_lead(actor=office.officer, source_kind="rumour", summary="听说有问题的店铺")
        ).message
    )
    assert Lead.objects.count() == 1


def test_it_refers_or_closes_a_lead_with_reasons(office: Office) -> None:
    lead = services.record_lead(actor=office.officer, source_kind="complaint", summary="投诉虚假宣传的网店")
    assert "理由" in refused(lambda: services.close_lead(actor=office.officer, lead=lead, reason="")).message
    services.refer_lead(actor=office.officer, lead=lead, to="南安市公安局", reason="涉嫌犯罪，属公安管辖")
    assert (
        "已处理"
        in refused(
            lambda: services.close_lead(actor=office.officer, lead=lead, reason="无违法事实"), ErrorCode.CONFLICT
        ).message
    )


def test_it_proposes_a_case_from_a_lead_and_files_it_with_a_number_and_the_packs_deadline(office: Office) -> None:
    case = propose(office)
    assert case.state == "lead" and case.number == "" and case.lead is not None
    assert Lead.objects.get().status == LeadStatus.PROPOSED
    case = services.fire(actor=office.chief, case=case, transition="file", on=FILED)
    assert case.state == "filed" and case.filed_on == FILED
    assert case.number == "南市监立〔2024〕1号"
    assert case.deadline == FILED + dt.timedelta(days=90)
    assert AuditEntry.objects.filter(action="enforcement.case.file").exists()
    assert [e.kind for e in case.events.all()] == ["propose", "file"]


def test_it_needs_two_officers_of_the_department(office: Office) -> None:
    def with_officers(*users: object) -> Case:
        return services.propose_case(
            actor=office.officer,
            title="销售假冒伪劣商品",
            parties=[PartyIn(office.seller)],
            conduct=["14.9"],
            officers=list(users),  # type: ignore[arg-type]
        )

    assert "至少两名" in refused(lambda: with_officers(office.inspector)).message
    assert (
        "不是本部门的办案人员" in refused(lambda: with_officers(office.inspector, office.cast.credit_officer)).message
    )
    assert (
        "第十四条中没有"
        in refused(
            lambda: services.propose_case(
                actor=office.officer,
                title="其他行为",
                parties=[PartyIn(office.seller)],
                conduct=["14.99"],
                officers=[office.inspector, office.colleague],
            )
        ).message
    )
    assert Case.objects.count() == 0


def test_it_refuses_a_transition_the_table_does_not_allow_and_changes_nothing(office: Office) -> None:
    case = propose(office)
    error = refused(
        lambda: services.fire(actor=office.chief, case=case, transition="decide", decision="罚款"), ErrorCode.CONFLICT
    )
    assert "当前状态为“待立案”，不能执行“批准处理决定”" in error.message
    case.refresh_from_db()
    assert case.state == "lead" and case.events.count() == 1


def test_it_lets_only_the_head_file_a_case(office: Office) -> None:
    case = propose(office)
    error = refused(lambda: services.fire(actor=office.officer, case=case, transition="file"), ErrorCode.FORBIDDEN)
    assert "部门负责人" in error.message
    case.refresh_from_db()
    assert case.state == "lead" and case.number == ""


def test_it_extends_the_deadline_with_the_heads_approval_and_a_reason(office: Office) -> None:
    case = advance(office, propose(office), "investigating")
    refused(
        lambda: services.extend_deadline(actor=office.officer, case=case, reason="案情复杂需要鉴定"),
        ErrorCode.FORBIDDEN,
    )
    assert "延期理由" in refused(lambda: services.extend_deadline(actor=office.chief, case=case, reason="")).message
    extension = services.extend_deadline(actor=office.chief, case=case, reason="案情复杂，需委托鉴定")
    case.refresh_from_db()
    assert extension.days == 30 and case.deadline == FILED + dt.timedelta(days=120)
    assert "批准延长办案期限 30 天" in case.events.last().summary  # type: ignore[union-attr]


def test_it_keeps_a_case_from_a_second_department(office: Office) -> None:
    case = advance(office, propose(office), "filed")
    police = other_department()
    stranger = actor_for_user(make_user(police, "police_officer", Role.INSPECTOR))
    refused(lambda: services.access_case_for(stranger, case.pk), ErrorCode.NOT_FOUND)
    assert list(queries.cases_for(stranger)) == []
    assert list(queries.cases_for(office.officer)) == [case]
    refused(lambda: services.fire(actor=stranger, case=case, transition="investigate"), ErrorCode.NOT_FOUND)
    # Users of the commerce bureau, an auditor: not the case's department either.
    refused(lambda: services.access_case_for(actor_for_user(office.cast.auditor), case.pk), ErrorCode.NOT_FOUND)


def test_it_records_an_inspection_of_computers_with_the_partys_confirmation(office: Office) -> None:
    case = advance(office, propose(office), "investigating")
    now = timezone.now()
    values = {
        "actor": office.officer,
        "case": case,
        "kind": "inspection",
        "started_at": now - dt.timedelta(hours=2),
        "ended_at": now - dt.timedelta(hours=1),
        "place": "南安市溪美街道当事人办公室",
        "officers": "陈执法（执法证 35058301）、黄协查（执法证 35058302）",
        "subject": "当事人负责人 洪某",
        "content": "检查当事人网店后台的订单记录。",
    }
    assert "计算机" in refused(lambda: services.add_record(**values, party_confirmed=True)).message  # type: ignore[arg-type]
    assert "未确认" in refused(lambda: services.add_record(**values, examined="办公电脑 1 台")).message  # type: ignore[arg-type]
    record = services.add_record(
        **values, examined="办公电脑 1 台、路由器 1 台", party_statement="情况属实", party_confirmed=True
    )  # type: ignore[arg-type]
    assert record.party_confirmed and "路由器" in record.examined
    assert "当事人已确认" in case.events.last().summary  # type: ignore[union-attr]


def test_it_keeps_an_uploaded_evidence_file_with_its_sha256(office: Office) -> None:
    case = advance(office, propose(office), "investigating")
    link = services.add_evidence(
        actor=office.officer, case=case, title="网店页面截图", filename="../../页面.png", data=b"png-bytes"
    )
    assert link.sha256 == hashlib.sha256(b"png-bytes").hexdigest() and link.size == 9
    assert link.file.read() == b"png-bytes" and ".." not in link.file.name
    ref = services.add_evidence(actor=office.officer, case=case, title="电子证据 EV-12", evidence_ref="EV-12")
    assert ref.evidence_ref == "EV-12" and ref.sha256 == ""
    assert "请上传" in refused(lambda: services.add_evidence(actor=office.officer, case=case, title="空证据")).message


def test_it_turns_obstruction_into_the_veto_event(office: Office) -> None:
    case = advance(office, propose(office), "investigating", on=dt.date(2024, 3, 4))
    evidence = services.add_evidence(actor=office.officer, case=case, title="现场执法记录仪录像", data=b"video")
    refused(
        lambda: services.record_noncooperation(
            actor=office.officer,
            case=case,
            entity=office.seller,
            kind="obstruction",
            description="拒绝提供后台账号",
            evidence=None,
        )
    )
    services.record_noncooperation(
        actor=office.officer,
        case=case,
        entity=office.seller,
        kind="obstruction",
        description="当事人拒绝执法人员查阅网店后台并关闭电脑",
        occurred_on=dt.date(2024, 3, 10),
        evidence=evidence,
    )
    event = CreditEvent.objects.get(entity=office.seller, indicator="enforcement.obstruction")
    assert event.source_kind == "case" and event.source_ref.startswith(case.number)
    evaluation = credit.evaluate_entity(SYSTEM, office.seller, dt.date(2024, 6, 30))
    assert evaluation.grade == "D"
    services.record_noncooperation(
        actor=office.officer,
        case=case,
        entity=office.seller,
        kind="untruthful",
        description="当事人谎称未销售该款童鞋",
        occurred_on=dt.date(2024, 3, 11),
        evidence=evidence,
    )
    assert CreditEvent.objects.filter(indicator="enforcement.untruthful_statement").count() == 1


def test_it_closes_and_withdraws_only_with_a_reason(office: Office) -> None:
    case = propose(office)
    assert "理由" in refused(lambda: services.fire(actor=office.chief, case=case, transition="withdraw")).message
    case = services.fire(actor=office.chief, case=case, transition="withdraw", reason="当事人非本辖区经营者")
    assert case.state == "withdrawn" and case.closed_on is not None
    assert CaseEvent.objects.filter(case=case, kind="withdraw").exists()
