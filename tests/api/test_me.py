"""GET /api/v1/me, the OpenAPI document, and the one error shape."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.cast import Cast

pytestmark = pytest.mark.django_db


def test_it_tells_a_platform_client_who_it_is(cast: Cast) -> None:
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {cast.platform_token}")
    assert response.status_code == 200
    body = response.json()
    assert body["via"] == "api" and body["scopes"] == ["api.me"] and body["user_id"] is None
    assert body["organisation"] == {"id": cast.platform_org.pk, "name": "平台丙", "kind": "platform"}
    assert response["Content-Type"].startswith("application/json")
    assert "平台丙" in response.content.decode()  # Chinese is sent as UTF-8, not \\u escapes


def test_it_tells_a_signed_in_person_who_they_are(cast: Cast) -> None:
    body = cast.client_for(cast.inspector).get("/api/v1/me").json()
    assert body["via"] == "web" and body["roles"] == ["inspector"] and body["user_id"] == cast.inspector.pk
    assert body["organisation"]["kind"] == "market_supervision"


def test_it_answers_an_anonymous_caller_with_the_error_shape() -> None:
    response = Client().get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"code": "unauthenticated", "message": "需要登录或有效的 API 令牌。", "details": None}


def test_it_pages_the_audit_log_for_an_auditor(cast: Cast) -> None:
    client = cast.client_for(cast.auditor)
    first = client.get("/api/v1/audit/entries", {"page_size": 5}).json()
    second = client.get("/api/v1/audit/entries", {"page_size": 5, "page": 2}).json()
    assert first["count"] >= 13 and len(first["items"]) == 5
    assert first["items"][0]["seq"] > first["items"][-1]["seq"] > second["items"][0]["seq"]
    only = client.get("/api/v1/audit/entries", {"action": "accounts.token"}).json()
    assert only["count"] == 1 and only["items"][0]["action"] == "accounts.token.issue"


def test_it_explains_a_malformed_query_in_the_error_shape(cast: Cast) -> None:
    response = cast.client_for(cast.auditor).get("/api/v1/audit/entries", {"date_from": "yesterday"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error" and body["message"] == "提交的数据有误。"
    assert any("date_from" in item["loc"] for item in body["details"])


def test_it_publishes_its_openapi_document_and_docs() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "ecredit API"
    assert {"/api/v1/me", "/api/v1/audit/entries"} <= set(schema["paths"])
    assert "TokenAuth" in schema["components"]["securitySchemes"]
    assert Client().get("/api/v1/docs").status_code == 200


def test_it_does_not_leak_whether_an_api_route_exists_to_a_visitor() -> None:
    response = Client().get("/api/v1/no-such-thing")
    assert response.status_code == 404
