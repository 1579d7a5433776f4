"""The enforcement pages with the Django test client: the department sees and moves its cases, a
second department cannot, overdue cases stand out, the party and the platform see their documents."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.html import escape

from ecredit.accounts.roles import Role
from ecredit.accounts.services import actor_for_user
from ecredit.enforcement import issuing, services
from ecredit.enforcement.models import Notice
from ecredit.evidence import services as evidence
from tests.cast import make_user
from tests.enforcement.helpers import Office, advance, other_department, penalty, propose

EML = (
    "From: shop@example.cn\r\nTo: inspector@samr.example.cn\r\nSubject: =?utf-8?b?5Zue5aSN?=\r\n"
    "Date: Mon, 2 Sep 2024 10:00:00 +0800\r\n\r\n已下架。\r\n"
).encode()


def test_it_lists_the_departments_cases_and_flags_an_overdue_one(office: Office) -> None:
    late = advance(office, propose(office), "investigating")  # filed 2024-03-04: long overdue
    client = office.cast.client_for(office.inspector)
    page = client.get("/enforcement/").content.decode()
    assert late.number in page and "已逾期" in page
    assert late.number in client.get("/enforcement/?due=overdue").content.decode()
    assert late.number not in client.get("/enforcement/?state=closed").content.decode()
    dashboard = client.get("/accounts/dashboard/").content.decode()
    assert "办案期限提醒" in dashboard and late.number in dashboard and "已逾期" in dashboard
    head = office.cast.client_for(office.head).get("/accounts/dashboard/").content.decode()
    assert late.number in head


def test_it_hides_the_case_from_a_second_department(office: Office) -> None:
    case = advance(office, propose(office), "filed")
    police = office.cast.client_for(make_user(other_department(), "police", Role.INSPECTOR))
    assert police.get(f"/enforcement/cases/{case.pk}/").status_code == 404
    assert case.number not in police.get("/enforcement/").content.decode()
    response = police.post(f"/enforcement/cases/{case.pk}/transition/", {"transition": "investigate"})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.state == "filed"


def test_it_refuses_a_step_the_table_does_not_allow_with_its_message(office: Office) -> None:
    case = propose(office)
    client = office.cast.client_for(office.head)
    response = client.post(
        f"/enforcement/cases/{case.pk}/transition/", {"transition": "close", "reason": "无需处理了"}, follow=True
    )
    assert "不能执行“结案”" in response.content.decode()
    case.refresh_from_db()
    assert case.state == "lead"


def test_it_shows_the_case_page_with_timeline_documents_and_deadline(office: Office) -> None:
    case = advance(office, propose(office), "decided")
    document = penalty(office, case)
    page = office.cast.client_for(office.inspector).get(f"/enforcement/cases/{case.pk}/").content.decode()
    assert document.number in page and "办案经过" in page and "批准立案" in page
    pdf = office.cast.client_for(office.inspector).get(f"/enforcement/pdf/{document.pk}/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]


def test_it_lists_the_evidence_store_items_filed_under_the_case(office: Office) -> None:
    case = advance(office, propose(office), "investigating")
    client = office.cast.client_for(office.inspector)
    page = client.get(f"/enforcement/cases/{case.pk}/").content.decode()
    assert escape("/evidence/capture/?" + urlencode({"case_ref": case.number})) in page
    item = evidence.upload_evidence(
        actor=actor_for_user(office.inspector),
        kind="email",
        title="当事人回复的电子邮件",
        files=[evidence.Upload("reply.eml", EML, "message/rfc822")],
        case_ref=case.number,
    )
    page = client.get(f"/enforcement/cases/{case.pk}/").content.decode()
    assert f'href="/evidence/{item.pk}/"' in page and "当事人回复的电子邮件" in page


def test_it_shows_the_party_its_own_documents_only(office: Office) -> None:
    document = penalty(office, advance(office, propose(office), "decided"))
    mine = office.cast.client_for(office.cast.seller_a)
    assert document.number in mine.get("/enforcement/mine/").content.decode()
    assert mine.get(f"/enforcement/pdf/{document.pk}/").status_code == 200
    other = office.cast.client_for(office.cast.seller_b)
    assert document.number not in other.get("/enforcement/mine/").content.decode()
    assert other.get(f"/enforcement/pdf/{document.pk}/").status_code == 404


def test_it_lets_the_platform_acknowledge_and_report_on_its_page(office: Office) -> None:
    case = advance(office, propose(office), "investigating")
    document = issuing.issue_suspension(
        actor=office.officer,
        case=case,
        comply_by=timezone.localdate() + dt.timedelta(days=2),
        measures="暂停店铺交易服务",
    )
    notice = Notice.objects.get(document=document)
    client = office.cast.client_for(office.platform_system)
    assert document.number in client.get("/enforcement/notices/").content.decode()
    assert "待执行" in client.get("/accounts/dashboard/").content.decode()
    client.post(f"/enforcement/notices/{notice.pk}/acknowledge/")
    page = client.post(f"/enforcement/notices/{notice.pk}/comply/", {"report": "好"}, follow=True).content.decode()
    assert "执行情况" in page
    client.post(f"/enforcement/notices/{notice.pk}/comply/", {"report": "已暂停该店铺全部交易服务"})
    notice.refresh_from_db()
    assert notice.acknowledged_at is not None and notice.compliance_report == "已暂停该店铺全部交易服务"


def test_it_publishes_penalties_on_a_public_page_without_secrets(office: Office) -> None:
    case = advance(office, propose(office, secrets="供货商：晋江某鞋厂"), "decided")
    penalty(office, case, facts="当事人销售童鞋 120 双，供货商：晋江某鞋厂。", on=timezone.localdate())
    from django.test import Client

    page = Client().get("/enforcement/penalties/").content.decode()
    assert office.seller.name in page and "晋江某鞋厂" not in page and "商业秘密" in page


def test_it_flags_a_notice_past_its_deadline_on_the_officers_dashboard(office: Office) -> None:
    case = advance(office, propose(office), "investigating")
    day = case.filed_on
    assert day is not None
    document = issuing.issue_suspension(
        actor=office.officer, case=case, comply_by=day + dt.timedelta(days=3), measures="暂停店铺交易服务", on=day
    )
    page = office.cast.client_for(office.inspector).get("/accounts/dashboard/").content.decode()
    assert "逾期未报告执行的暂停提供服务通知书" in page and document.number in page
    case_page = office.cast.client_for(office.inspector).get(f"/enforcement/cases/{case.pk}/").content.decode()
    assert "逾期未报告执行情况" in case_page and "认定未执行" in case_page


def test_it_labels_every_step_of_the_table_for_translation() -> None:
    from ecredit.enforcement.transitions import TABLE
    from ecredit.enforcement.views import STEP_LABELS

    assert {t.name: t.label for t in TABLE} == {name: str(label) for name, label in STEP_LABELS.items()}


def test_it_serves_an_evidence_file_to_the_department_only(office: Office) -> None:
    case = advance(office, propose(office), "investigating")
    link = services.add_evidence(actor=office.officer, case=case, title="页面截图", filename="shot.png", data=b"png")
    url = f"/enforcement/evidence/{link.pk}/"
    response = office.cast.client_for(office.colleague).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"png"  # type: ignore[attr-defined]
    police = office.cast.client_for(make_user(other_department(), "police2", Role.INSPECTOR))
    assert police.get(url).status_code == 404
