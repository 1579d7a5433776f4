"""Signing in and out: Django auth, throttled failures, sessions that expire and cannot be forged."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from ecredit.audit.models import AuditEntry
from tests.cast import PASSWORD, Cast

pytestmark = pytest.mark.django_db


def login(client: Client, username: str, password: str) -> object:
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_it_signs_in_and_lands_on_the_dashboard(cast: Cast) -> None:
    client = Client()
    response = login(client, "credit", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/accounts/dashboard/"
    page = client.get("/accounts/dashboard/")
    assert "信用管理工作台" in page.content.decode()


def test_it_answers_a_wrong_password_in_chinese_and_changes_nothing(cast: Cast) -> None:
    entries = AuditEntry.objects.count()
    client = Client()
    response = login(client, "credit", "wrong-password-1")
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.count() == entries
    # The same answer for a user who does not exist: nothing leaks about which accounts exist.
    unknown = login(Client(), "nobody-here", "wrong-password-1")
    assert "请输入一个正确的" in unknown.content.decode()


def test_it_locks_out_after_repeated_failures_even_with_the_right_password(cast: Cast) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "inspector", "wrong-password-1")
    response = login(client, "inspector", PASSWORD)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked by someone else's failures.
    assert login(Client(), "credit", PASSWORD).status_code == 302


def test_it_signs_out_only_by_post(cast: Cast) -> None:
    client = cast.client_for(cast.seller_a)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/accounts/dashboard/")["Location"].startswith("/accounts/login/")


def test_it_treats_a_forged_session_cookie_as_a_visitor(cast: Cast) -> None:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = "forged0session0key0that0does0not0exist"
    response = client.get("/accounts/dashboard/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_it_expires_sessions(cast: Cast) -> None:
    client = cast.client_for(cast.credit_officer)
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert 0 < client.session.get_expiry_age() <= settings.SESSION_COOKIE_AGE
    session = client.session
    session.set_expiry(-1)
    session.save()
    assert client.get("/accounts/dashboard/").status_code == 302


def test_it_shows_a_role_only_its_own_menu(cast: Cast) -> None:
    seller_page = cast.client_for(cast.seller_a).get("/accounts/dashboard/").content.decode()
    auditor_page = cast.client_for(cast.auditor).get("/accounts/dashboard/").content.decode()
    assert "审计日志" in auditor_page and "审计日志" not in seller_page
    assert "API 令牌" in seller_page and "后台管理" not in seller_page
    assert 'data-role="operator_user"' in seller_page and 'data-role="auditor"' in auditor_page
