"""The credit API (/api/v1/credit/…): departments and platforms submit events, officers read events,
evaluations and history, and evaluate; driven over HTTP with API tokens and browser sessions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ecredit.accounts import services as accounts
from ecredit.accounts.actors import SYSTEM
from ecredit.accounts.models import User
from ecredit.accounts.roles import Role
from ecredit.api.credit import PLATFORM_INDICATORS
from ecredit.credit import services
from ecredit.credit.models import CreditEvent, Evaluation
from ecredit.errors import DomainError
from ecredit.registry import services as registry
from tests.cast import Cast, make_user
from tests.credit.archive import BEYOND, IN_FORCE, by, event, extend, history, shop
from tests.registry.helpers import register

pytestmark = pytest.mark.django_db

API = "/api/v1/credit"


def token(user: User, *scopes: str) -> Client:
    _token, raw = accounts.issue_token(actor=SYSTEM, creator=user, name="测试令牌", scopes=list(scopes))
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, body, content_type="application/json")


def complaint(entity_id: int, **changes: Any) -> dict[str, Any]:
    body = {
        "entity_id": entity_id,
        "indicator": "complaint.unresolved",
        "occurred_on": "2024-09-01",
        "source_ref": "TS-2024-0901",
    }
    body.update(changes)
    return body


# --- events ---------------------------------------------------------------------------------------


def test_it_records_a_departments_event_and_names_each_mistake(cast: Cast) -> None:
    entity = shop(cast.credit_officer, cast.seller_a_org)
    inspector = token(cast.inspector, "credit.record", "credit.view")
    body = {
        "entity_code": entity.uscc,
        "indicator": "quality.sample_failed",
        "occurred_on": "2024-05-10",
        "source_kind": "inspection",
        "source_ref": "CJ-2024-031",
    }
    response = post(inspector, f"{API}/events", body)
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert answer["entity_id"] == entity.pk and answer["label"] == "网销商品抽查不合格"
    assert answer["cites"] == ["5", "10.2", "16.1"] and answer["status"] == "active" and answer["statuses"] == []
    again = post(inspector, f"{API}/events", body)
    assert again.status_code == 409 and "不重复记录" in again.json()["message"]
    wrong_role = post(inspector, f"{API}/events", {**body, "indicator": "platform.rules_missing", "source_ref": "X1"})
    assert wrong_role.status_code == 422 and "indicator" in wrong_role.json()["details"]
    assert "适用于" in wrong_role.json()["message"]
    manual = post(inspector, f"{API}/events", {**body, "source_kind": "", "source_ref": "", "evidence": ""})
    assert manual.status_code == 422 and manual.json()["details"] == {"evidence": manual.json()["message"]}
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    later = post(inspector, f"{API}/events", {**body, "occurred_on": future, "source_ref": "X2"})
    assert later.status_code == 422 and "晚于今天" in later.json()["message"]
    missing = post(inspector, f"{API}/events", {**body, "entity_code": "", "entity_id": 999999})
    assert missing.status_code == 422 and missing.json()["message"] == "未找到该经营主体。"
    nobody = post(inspector, f"{API}/events", {**body, "entity_code": ""})
    assert nobody.status_code == 422 and "entity_id" in nobody.json()["details"]
    assert CreditEvent.objects.count() == 1


def test_it_lets_a_platform_report_only_its_own_sellers_and_observed_indicators(cast: Cast) -> None:
    platform = register(cast.credit_officer, "闽南优品平台", roles=("platform",), organisation=cast.platform_org)
    hosted = shop(cast.credit_officer, cast.seller_a_org)
    elsewhere = shop(cast.credit_officer, cast.seller_b_org, "南安市其他平台卖家有限公司")
    registry.add_storefront(
        by(cast.seller_a),
        hosted,
        platform=platform,
        shop_name="诗山茶叶旗舰店",
        shop_url="https://mall.youpin-demo.cn/s/301",
        shop_id="301",
    )
    # The platform's system account (平台数据对接) holds credit.record; its operator users do not.
    system = make_user(cast.platform_org, "platform-system", Role.PLATFORM_SYSTEM)
    client = token(system, "credit.record")
    response = post(client, f"{API}/events", complaint(hosted.pk))
    assert response.status_code == 201, response.json()
    assert response.json()["source_kind"] == "platform" and response.json()["recorded_by"].startswith("API 令牌")
    refused = post(client, f"{API}/events", complaint(elsewhere.pk, source_ref="TS-2"))
    assert refused.status_code == 422 and "本平台" in refused.json()["message"]
    unknown = post(client, f"{API}/events", complaint(999999, source_ref="TS-3"))
    assert unknown.json()["message"] == refused.json()["message"]  # missing and not hosted read alike
    penalty = post(client, f"{API}/events", complaint(hosted.pk, indicator="enforcement.penalty", source_ref="TS-4"))
    assert penalty.status_code == 422 and all(code in penalty.json()["message"] for code in PLATFORM_INDICATORS)
    posing = post(client, f"{API}/events", complaint(hosted.pk, source_kind="inspection", source_ref="TS-5"))
    assert posing.status_code == 422 and "source_kind" in posing.json()["details"]
    for operator in (cast.seller_a, cast.platform_user):
        with pytest.raises(DomainError, match=r"您无权授予权限范围：credit\.record"):
            token(operator, "credit.record")
    assert list(CreditEvent.objects.values_list("source_ref", flat=True)) == ["TS-2024-0901"]


def test_it_refuses_callers_without_the_right(cast: Cast) -> None:
    entity = shop(cast.credit_officer, cast.seller_a_org)
    reader = token(cast.auditor, "credit.view")
    response = post(reader, f"{API}/events", complaint(entity.pk))
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    seller = token(cast.seller_a, "filing.own")
    for url in ("events", "evaluation", "history"):
        assert seller.get(f"{API}/entities/{entity.pk}/{url}").status_code == 403
    assert Client().get(f"{API}/entities/{entity.pk}/events").status_code == 401
    assert not CreditEvent.objects.exists()


def test_it_lists_an_entitys_events_with_their_status_history(cast: Cast) -> None:
    entity = shop(cast.credit_officer, cast.seller_a_org)
    failed = event(cast.credit_officer, entity, "quality.sample_failed", dt.date(2024, 5, 10), "CJ-2024-031")
    services.withdraw_event(
        by(cast.credit_officer), failed, reason="复检合格，异议成立", effective_on=dt.date(2024, 6, 1)
    )
    reader = token(cast.auditor, "credit.view")
    answer = reader.get(f"{API}/entities/{entity.pk}/events").json()
    assert answer["count"] == 1
    item = answer["items"][0]
    assert item["status"] == "withdrawn" and item["statuses"][0]["reason"] == "复检合格，异议成立"
    assert item["statuses"][0]["effective_on"] == "2024-06-01"
    assert reader.get(f"{API}/entities/999999/events").status_code == 404


# --- evaluations ----------------------------------------------------------------------------------


def test_it_answers_the_latest_evaluation_with_the_keys_of_credit_show(cast: Cast) -> None:
    entity = shop(cast.credit_officer, cast.seller_a_org)
    reader = token(cast.auditor, "credit.view")
    none_yet = reader.get(f"{API}/entities/{entity.pk}/evaluation")
    assert none_yet.status_code == 404 and "尚无" in none_yet.json()["message"]
    stored = history(cast.credit_officer, entity)
    answer = reader.get(f"{API}/entities/{entity.pk}/evaluation").json()
    assert {"code", "as_of", "pack", "pack_sha256", "base", "score", "grade", "reasons", "veto"} <= set(answer)
    assert answer["code"] == entity.uscc and answer["as_of"] == "2025-03-30" and answer["pack"] == "nanan-2023-trial"
    assert answer["pack_sha256"] == stored[-1].pack_sha256 and answer["base"] == 80
    assert (answer["score"], answer["grade"], answer["grade_label"]) == (67.0, "C", "警示")
    assert answer["reasons"][0] == {
        "indicator": "quality.sample_failed",
        "label": "网销商品抽查不合格",
        "points": -15.0,
        "count": 1,
        "cap_applied": False,
        "cites": ["5", "10.2", "16.1"],
        "public": True,
    }
    assert answer["veto"] is None and answer["extension_note"] == "" and "默认方案" in answer["notice"]
    earlier = reader.get(f"{API}/entities/{entity.pk}/evaluation", {"as_of": "2024-04-30"}).json()
    assert (earlier["score"], earlier["grade"]) == (85.0, "B")
    assert reader.get(f"{API}/entities/{entity.pk}/evaluation", {"as_of": "2024-01-01"}).status_code == 404
    rows = reader.get(f"{API}/entities/{entity.pk}/history").json()
    assert [(row["as_of"], row["grade"]) for row in rows] == [("2024-04-30", "B"), ("2025-03-30", "C")]


def test_it_evaluates_in_a_session_and_says_when_the_day_rests_on_an_extension(cast: Cast) -> None:
    entity = shop(cast.credit_officer, cast.seller_a_org)
    event(cast.credit_officer, entity, "filing.current", dt.date(2023, 6, 1), "NA-2023-000101", kind="filing")
    officer = cast.client_for(cast.credit_officer)
    url = f"{API}/entities/{entity.pk}/evaluations"
    created = post(officer, url, {"as_of": IN_FORCE.isoformat()})
    assert created.status_code == 201 and created.json()["score"] == 85.0
    same = post(officer, url, {"as_of": IN_FORCE.isoformat()})
    assert same.status_code == 200 and same.json()["id"] == created.json()["id"]
    refused = post(officer, url, {"as_of": BEYOND.isoformat()})
    assert refused.status_code == 409 and "超出政策包有效期" in refused.json()["message"]
    assert Evaluation.objects.count() == 1
    extend(cast.admin)
    extended = post(officer, url, {"as_of": BEYOND.isoformat()})
    assert extended.status_code == 201 and "延期" in extended.json()["extension_note"]
    rows = cast.client_for(cast.auditor).get(f"{API}/entities/{entity.pk}/history").json()
    assert rows[-1]["extension_note"] == extended.json()["extension_note"] and rows[0]["extension_note"] == ""
    inspector = cast.client_for(cast.inspector)
    assert post(inspector, url, {"as_of": IN_FORCE.isoformat()}).status_code == 403
    assert post(officer, f"{API}/entities/999999/evaluations", {"as_of": "2025-03-30"}).status_code == 404
