"""API tokens: issued once, stored hashed, scoped, revocable, expiring, with their last use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ecredit.accounts import services
from ecredit.accounts.actors import SYSTEM
from ecredit.accounts.models import ApiToken
from ecredit.audit.models import AuditEntry
from ecredit.errors import DomainError, ErrorCode
from tests.cast import Cast

pytestmark = pytest.mark.django_db


def me(raw: str) -> object:
    return Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_it_issues_a_token_from_the_page_and_shows_it_once(cast: Cast) -> None:
    client = cast.client_for(cast.seller_a)
    response = client.post("/accounts/tokens/", {"name": "店铺系统", "scopes": ["api.me"], "days": "30"})
    html = response.content.decode()
    token = ApiToken.objects.get(name="店铺系统")
    raw = html.split('<code class="token">')[1].split("</code>")[0]
    assert raw.startswith(f"ect_{token.prefix}_")
    assert raw not in (token.digest, token.prefix) and len(token.digest) == 64  # only the hash is kept
    assert token.organisation == cast.seller_a_org and token.scopes == ["api.me"]
    assert me(raw).json()["organisation"]["name"] == "卖家甲"
    assert raw not in client.get("/accounts/tokens/").content.decode()
    assert AuditEntry.objects.filter(action="accounts.token.issue", target_id=str(token.pk)).exists()


def test_it_refuses_a_bad_token_form_in_chinese_and_creates_nothing(cast: Cast) -> None:
    client = cast.client_for(cast.seller_a)
    response = client.post("/accounts/tokens/", {"name": "", "scopes": ["no.such.scope"], "days": "0"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "这个字段是必填项" in html  # the name
    assert "选择一个有效的选项" in html  # a scope the form does not offer
    assert "确保该值大于或等于1" in html  # the lifetime
    assert not ApiToken.objects.filter(organisation=cast.seller_a_org).exists()


def test_it_refuses_scopes_beyond_the_creators_roles(cast: Cast) -> None:
    with pytest.raises(DomainError) as caught:
        services.issue_token(actor=SYSTEM, creator=cast.seller_a, name="越权", scopes=["audit.view"])
    assert caught.value.code is ErrorCode.VALIDATION and "无权授予" in caught.value.message


def test_it_records_the_last_use(cast: Cast) -> None:
    token = ApiToken.objects.get(organisation=cast.platform_org)
    assert token.last_used_at is None
    assert me(cast.platform_token).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_it_revokes_a_token_and_then_refuses_it(cast: Cast) -> None:
    token = ApiToken.objects.get(organisation=cast.platform_org)
    client = cast.client_for(cast.platform_user)
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    response = me(cast.platform_token)
    assert response.status_code == 401
    assert response.json() == {"code": "token_revoked", "message": "API 令牌已被吊销。", "details": None}
    assert AuditEntry.objects.filter(action="accounts.token.revoke", target_id=str(token.pk)).count() == 1


def test_it_refuses_to_revoke_another_organisations_token(cast: Cast) -> None:
    token = ApiToken.objects.get(organisation=cast.platform_org)
    response = cast.client_for(cast.seller_b).post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 404  # the same answer as for a token that does not exist
    token.refresh_from_db()
    assert token.revoked_at is None


def test_it_refuses_an_expired_token(cast: Cast) -> None:
    token, raw = services.issue_token(actor=SYSTEM, creator=cast.seller_a, name="短期", scopes=["api.me"], days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = me(raw)
    assert response.status_code == 401 and response.json()["code"] == "token_expired"


@pytest.mark.parametrize("header", ["Bearer ect_00000000_unknown", "Bearer not-a-token", "Basic Zm9vOmJhcg=="])
def test_it_refuses_unknown_and_malformed_credentials_alike(cast: Cast, header: str) -> None:
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated" and response.json()["message"]
