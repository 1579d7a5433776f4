"""Objections, repair requests and warnings over the HTTP API (session clients of the shared cast)."""

from __future__ import annotations

import pytest

from ecredit.credit.models import Objection
from tests.cast import Cast
from tests.credit.procedures import pdf, two_failures

pytestmark = pytest.mark.django_db

API = "/api/v1/credit/procedures"


def test_it_takes_an_objection_from_filing_to_upheld_and_the_grade_rises(cast: Cast) -> None:
    case = two_failures(cast.credit_officer, cast.admin, cast.seller_a_org)
    seller = cast.client_for(cast.seller_a)
    filed = seller.post(
        f"{API}/objections", {"event_id": case.recent.pk, "reasons": "复检报告显示样品合格", "attachments": [pdf()]}
    )
    assert filed.status_code == 201, filed.content
    body = filed.json()
    assert body["state"] == "pending" and body["event_id"] == case.recent.pk and not body["overdue"]
    assert [a["name"] for a in body["attachments"]] == ["整改报告.pdf"]
    assert seller.get(f"{API}/objections/{body['id']}").json()["reasons"] == "复检报告显示样品合格"
    officer = cast.client_for(cast.credit_officer)
    decided = officer.post(
        f"{API}/objections/{body['id']}/decisions",
        {"upheld": True, "reasons": "复检合格，异议成立"},
        content_type="application/json",
    )
    assert decided.status_code == 200, decided.content
    assert decided.json() | {"evaluation_id": 0} == {
        "state": "upheld",
        "evaluation_id": 0,
        "grade": "C",
        "score": 65.0,
        "not_evaluated": "",
    }
    again = officer.post(
        f"{API}/objections/{body['id']}/decisions",
        {"upheld": False, "reasons": "再次决定"},
        content_type="application/json",
    )
    assert again.status_code == 409 and again.json()["code"] == "conflict"


def test_it_refuses_an_objection_to_someone_elses_event_as_not_found(cast: Cast) -> None:
    case = two_failures(cast.credit_officer, cast.admin, cast.seller_a_org)
    other = cast.client_for(cast.seller_b)
    answer = other.post(f"{API}/objections", {"event_id": case.recent.pk, "reasons": "复检报告显示样品合格"})
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    objection = cast.client_for(cast.seller_a).post(
        f"{API}/objections", {"event_id": case.recent.pk, "reasons": "复检报告显示样品合格"}
    )
    assert other.get(f"{API}/objections/{objection.json()['id']}").status_code == 404
    decided = cast.client_for(cast.seller_a).post(
        f"{API}/objections/{objection.json()['id']}/decisions",
        {"upheld": True, "reasons": "自行决定成立"},
        content_type="application/json",
    )
    assert decided.status_code == 403 and Objection.objects.get().state == "pending"


def test_it_refuses_an_early_repair_and_grants_a_due_one(cast: Cast) -> None:
    case = two_failures(cast.credit_officer, cast.admin, cast.seller_a_org)
    seller = cast.client_for(cast.seller_a)
    early = seller.post(f"{API}/repairs", {"event_id": case.recent.pk, "proof": "已完成整改并复检合格"})
    assert early.status_code == 422 and "最早可于" in early.json()["message"]
    applied = seller.post(f"{API}/repairs", {"event_id": case.old.pk, "proof": "已下架问题批次并完成整改"})
    assert applied.status_code == 201, applied.content
    repair_id = applied.json()["id"]
    decided = cast.client_for(cast.credit_officer).post(
        f"{API}/repairs/{repair_id}/decisions",
        {"granted": True, "reasons": "整改到位，准予修复"},
        content_type="application/json",
    )
    assert decided.status_code == 200 and decided.json()["grade"] == "C"
    shown = seller.get(f"{API}/repairs/{repair_id}").json()
    assert shown["state"] == "granted" and shown["from_date"]


def test_it_lists_warnings_to_officers_and_to_the_entitys_operator_only(cast: Cast) -> None:
    case = two_failures(cast.credit_officer, cast.admin, cast.seller_a_org)
    mine = cast.client_for(cast.seller_a).get(f"{API}/warnings").json()
    assert mine["count"] == 1 and mine["items"][0]["entity_id"] == case.entity_id
    assert mine["items"][0]["grade_after"] == "D"
    assert cast.client_for(cast.seller_b).get(f"{API}/warnings").json()["count"] == 0
    assert cast.client_for(cast.inspector).get(f"{API}/warnings").json()["count"] == 1
