"""Complaints (public form, officers, operators' answers) and quality-safety incidents."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from ecredit.accounts.services import actor_for_user
from ecredit.credit.models import CreditEvent
from ecredit.errors import DomainError
from ecredit.monitoring import services
from ecredit.monitoring.models import Complaint, ComplaintStatus, Incident
from ecredit.registry.models import Entity
from tests.cast import Cast
from tests.registry.helpers import register

pytestmark = pytest.mark.django_db

FORM = {
    "seller_name": "南安市示例茶业有限公司",
    "subject": "收到的茶叶发霉",
    "description": "九月购买的铁观音开封即发霉，商家不予处理。",
    "received_on": "2024-09-27",
    "complainant": "王女士",
    "complainant_phone": "13905951234",
    "website": "",
}


@pytest.fixture
def seller(cast: Cast) -> Entity:
    return register(cast.credit_officer, "南安市示例茶业有限公司", organisation=cast.seller_a_org)


def test_it_takes_a_public_complaint_and_counts_the_deadline_in_working_days() -> None:
    response = Client().post("/monitoring/complain/", FORM)
    complaint = Complaint.objects.get()
    assert complaint.reference in response.content.decode()
    assert complaint.source == "public" and complaint.accept_due == dt.date(2024, 10, 12)
    assert complaint.complainant_phone == "13905951234"
    assert complaint.client_digest and "127.0.0.1" not in complaint.client_digest


def test_it_keeps_nothing_when_the_honeypot_is_filled() -> None:
    response = Client().post("/monitoring/complain/", {**FORM, "website": "http://spam.example"})
    assert response.status_code == 200 and "您的投诉已收到" in response.content.decode()
    assert Complaint.objects.count() == 0


def test_it_limits_how_often_one_address_complains() -> None:
    client = Client()
    for _ in range(services.PUBLIC_COMPLAINTS_PER_HOUR):
        assert client.post("/monitoring/complain/", FORM).status_code == 200
    response = client.post("/monitoring/complain/", FORM)
    assert response.status_code == 429 and "提交过于频繁" in response.content.decode()
    assert Complaint.objects.count() == services.PUBLIC_COMPLAINTS_PER_HOUR


def test_it_explains_a_missing_field_in_chinese() -> None:
    response = Client().post("/monitoring/complain/", {**FORM, "subject": ""})
    assert response.status_code == 400 and "这个字段是必填项" in response.content.decode()
    assert Complaint.objects.count() == 0


def test_it_takes_a_substantiated_complaint_to_the_ledger(cast: Cast, seller: Entity) -> None:
    client = cast.client_for(cast.credit_officer)
    response = client.post(
        "/monitoring/complaints/new/",
        {"seller_name": seller.name, "seller_code": seller.uscc, "subject": "虚假发货", "received_on": "2024-09-27"},
        follow=True,
    )
    complaint = Complaint.objects.get()
    assert complaint.entity == seller and "已登记投诉" in response.content.decode()
    client.post(f"/monitoring/complaints/{complaint.pk}/accept/", {"decision": "accept"})
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ACCEPTED
    client.post(f"/monitoring/complaints/{complaint.pk}/close/", {"outcome": "substantiated"})
    event = CreditEvent.objects.get(entity=seller)
    assert (event.indicator, event.source_kind, event.source_ref) == (
        "complaint.unresolved",
        "complaint",
        complaint.reference,
    )


def test_it_refuses_handling_complaints_to_an_operator(cast: Cast, seller: Entity) -> None:
    complaint = services.file_complaint(
        actor=actor_for_user(cast.credit_officer),
        data=services.ComplaintData(seller_name=seller.name, subject="发错货", description="", received_on=dt.date(2024, 9, 27), seller_code=seller.uscc or ""),
        source="officer",
    )  # fmt: skip
    assert cast.client_for(cast.seller_a).post(f"/monitoring/complaints/{complaint.pk}/accept/").status_code == 403
    assert Complaint.objects.get().status == ComplaintStatus.RECEIVED


def test_it_lets_the_operator_answer_its_own_complaints_only(cast: Cast, seller: Entity) -> None:
    complaint = services.file_complaint(
        actor=actor_for_user(cast.credit_officer),
        data=services.ComplaintData(seller_name=seller.name, subject="发错货", description="", received_on=dt.date(2024, 9, 27), seller_code=seller.uscc or ""),
        source="officer",
    )  # fmt: skip
    page = cast.client_for(cast.seller_a).get("/monitoring/mine/").content.decode()
    assert complaint.reference in page
    assert complaint.reference not in cast.client_for(cast.seller_b).get("/monitoring/mine/").content.decode()
    refused = cast.client_for(cast.seller_b).post(
        f"/monitoring/mine/complaints/{complaint.pk}/answer/", {"answer": "与我无关的答复"}
    )
    assert refused.status_code == 404
    cast.client_for(cast.seller_a).post(
        f"/monitoring/mine/complaints/{complaint.pk}/answer/", {"answer": "已补发正确商品"}
    )
    assert Complaint.objects.get().operator_answer == "已补发正确商品"


def test_it_takes_an_incident_report_and_records_a_late_one(cast: Cast, seller: Entity) -> None:
    today = timezone.localdate()
    client = cast.client_for(cast.seller_a)
    response = client.post(
        "/monitoring/mine/",
        {"entity": seller.pk, "what": "部分批次茶叶农残超标", "goods": "铁观音 500克",
         "occurred_on": (today - dt.timedelta(days=5)).isoformat(), "measures": "已下架并召回"},
        follow=True,
    )  # fmt: skip
    assert "已向南安市商务局报告质量安全事故" in response.content.decode()
    incident = Incident.objects.get()
    assert incident.late and incident.reported_on == today
    cast.client_for(cast.inspector).post(f"/monitoring/incidents/{incident.pk}/late/")
    event = CreditEvent.objects.get(entity=seller)
    assert event.indicator == "quality.incident_unreported"


def test_it_records_nothing_for_an_incident_reported_in_time(cast: Cast, seller: Entity) -> None:
    incident = services.report_incident(
        actor=actor_for_user(cast.seller_a), entity=seller, what="包装破损导致漏液", goods="酱油",
        occurred_on=timezone.localdate(), measures="已更换包装",
    )  # fmt: skip
    assert not incident.late
    with pytest.raises(DomainError, match="已按期报告"):
        services.record_incident_late(actor=actor_for_user(cast.inspector), incident=incident)


def test_it_refuses_an_incident_for_another_operators_entity(cast: Cast, seller: Entity) -> None:
    with pytest.raises(DomainError) as caught:
        services.report_incident(
            actor=actor_for_user(cast.seller_b), entity=seller, what="包装破损导致漏液", goods="酱油",
            occurred_on=timezone.localdate(), measures="已更换包装",
        )  # fmt: skip
    assert caught.value.code == "not_found" and Incident.objects.count() == 0


def test_it_records_an_incident_found_unreported(cast: Cast, seller: Entity) -> None:
    incident = services.report_incident(
        actor=actor_for_user(cast.inspector), entity=seller, what="抽查发现未报告的事故", goods="茶叶",
        occurred_on=timezone.localdate() - dt.timedelta(days=30), measures="", found_by_officer=True,
    )  # fmt: skip
    assert incident.reported_on is None and incident.late
    services.record_incident_late(actor=actor_for_user(cast.inspector), incident=incident)
    assert CreditEvent.objects.filter(entity=seller, indicator="quality.incident_unreported").count() == 1


def test_it_sets_the_deadline_to_settle_on_acceptance(cast: Cast, seller: Entity) -> None:
    officer = actor_for_user(cast.credit_officer)
    complaint = services.file_complaint(
        actor=officer,
        data=services.ComplaintData(seller_name=seller.name, subject="发错货", description="", received_on=dt.date(2024, 3, 1)),
        source="officer",
    )  # fmt: skip
    accepted = services.accept_complaint(actor=officer, complaint=complaint, accept=True, on=dt.date(2024, 3, 4))
    assert accepted.respond_due is not None and accepted.respond_due > dt.date(2024, 4, 30)
    with pytest.raises(DomainError, match="不能再受理"):
        services.accept_complaint(actor=officer, complaint=accepted, accept=True)


def test_it_lets_an_officer_record_an_incident_found_unreported(cast: Cast, seller: Entity) -> None:
    client = cast.client_for(cast.inspector)
    data = {
        "entity_code": seller.uscc,
        "what": "市场巡查发现未报告的事故",
        "goods": "茶叶",
        "occurred_on": "2026-10-01",
    }
    response = client.post("/monitoring/incidents/found/", data, follow=True)
    assert "已登记未报告的质量安全事故" in response.content.decode()
    incident = Incident.objects.get()
    assert incident.reported_on is None and incident.late
    bad = client.post("/monitoring/incidents/found/", {**data, "entity_code": "91350583MA2Y5XKQ3E"}, follow=True)
    assert "须为已登记的经营主体" in bad.content.decode() and Incident.objects.count() == 1
    assert cast.client_for(cast.auditor).post("/monitoring/incidents/found/", data).status_code == 403
