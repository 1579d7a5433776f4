"""The notices API (/api/v1/notices) a platform's client uses, and a department's cases over HTTP."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from ecredit.accounts import services as accounts
from ecredit.accounts.actors import SYSTEM
from ecredit.accounts.models import User
from ecredit.accounts.roles import Role
from ecredit.enforcement import issuing
from ecredit.enforcement.models import Notice
from tests.cast import make_user
from tests.enforcement.helpers import Office, advance, other_department, propose


def token(user: User, *scopes: str) -> Client:
    _token, raw = accounts.issue_token(actor=SYSTEM, creator=user, name="通知书对接", scopes=list(scopes))
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client: Client, url: str, body: Any = None) -> Any:
    return client.post(url, body or {}, content_type="application/json")


def suspension(office: Office) -> Notice:
    case = advance(office, propose(office), "investigating")
    document = issuing.issue_suspension(
        actor=office.officer,
        case=case,
        comply_by=timezone.localdate() + dt.timedelta(days=3),
        measures="暂停该店铺的全部商品交易服务",
    )
    return Notice.objects.get(document=document)


def test_it_lets_the_platforms_client_list_and_acknowledge_its_notice(office: Office) -> None:
    notice = suspension(office)
    client = token(office.platform_system, "notices.receive")
    listed = client.get("/api/v1/notices").json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert item["number"] == notice.document.number and item["acknowledged_at"] is None
    assert item["party"] == office.seller.name and item["measures"] == "暂停该店铺的全部商品交易服务"
    answer = post(client, f"/api/v1/notices/{notice.pk}/acknowledge")
    assert answer.status_code == 200 and answer.json()["acknowledged_at"] is not None
    first = answer.json()["acknowledged_at"]
    assert post(client, f"/api/v1/notices/{notice.pk}/acknowledge").json()["acknowledged_at"] == first
    bad = post(client, f"/api/v1/notices/{notice.pk}/compliance", {"report": "好"})
    assert bad.status_code == 422 and "执行情况" in bad.json()["message"]
    done = post(client, f"/api/v1/notices/{notice.pk}/compliance", {"report": "已于当日下架全部商品并暂停交易"})
    assert done.status_code == 200 and done.json()["complied_at"] is not None
    pdf = client.get(f"/api/v1/notices/{notice.pk}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    notice.refresh_from_db()
    assert notice.acknowledged_by.startswith("API 令牌")


def test_it_hides_other_organisations_notices_and_refuses_tokens_without_the_scope(office: Office) -> None:
    notice = suspension(office)
    other_platform = accounts.create_organisation(actor=SYSTEM, name="别的平台", kind="platform")
    stranger = token(make_user(other_platform, "other_api", Role.PLATFORM_SYSTEM), "notices.receive")
    assert stranger.get("/api/v1/notices").json()["count"] == 0
    assert post(stranger, f"/api/v1/notices/{notice.pk}/acknowledge").status_code == 404
    unscoped = token(office.platform_system, "api.me")
    assert unscoped.get("/api/v1/notices").status_code == 403
    assert Notice.objects.get().acknowledged_at is None


def test_it_shows_a_departments_cases_only_to_that_department(office: Office) -> None:
    case = advance(office, propose(office), "filed")
    own = office.cast.client_for(office.inspector)
    listed = own.get("/api/v1/enforcement/cases").json()
    assert [c["number"] for c in listed["items"]] == [case.number]
    assert own.get(f"/api/v1/enforcement/cases/{case.pk}").json()["deadline"] == case.deadline.isoformat()  # type: ignore[union-attr]
    police = Client()
    police.force_login(make_user(other_department(), "police", Role.INSPECTOR))
    assert police.get("/api/v1/enforcement/cases").json()["count"] == 0
    assert police.get(f"/api/v1/enforcement/cases/{case.pk}").status_code == 404
