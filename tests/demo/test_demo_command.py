"""`ecredit demo`: loads the demo cast into an empty database, refuses a non-empty one."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from ecredit.accounts.models import ApiToken, Organisation, User
from ecredit.accounts.roles import Role
from ecredit.audit.services import verify_chain
from ecredit.demo.data import ACCOUNTS

pytestmark = pytest.mark.django_db


def test_it_loads_one_account_per_role_that_can_sign_in() -> None:
    out = io.StringIO()
    call_command("demo", stdout=out)
    printed = out.getvalue()
    assert {role for account in ACCOUNTS for role in account.roles} == set(Role)
    for account in ACCOUNTS:
        assert f"{account.username}" in printed and account.password in printed
        request = RequestFactory().post("/accounts/login/")
        assert authenticate(request, username=account.username, password=account.password) is not None
    assert "ect_" in printed and ApiToken.objects.count() == 1
    count, broken = verify_chain()
    assert broken is None and count == Organisation.objects.count() + User.objects.count() + 1


def test_it_refuses_a_database_that_is_not_empty() -> None:
    call_command("demo", stdout=io.StringIO())
    users = User.objects.count()
    with pytest.raises(CommandError, match="数据库不为空") as caught:
        call_command("demo", stdout=io.StringIO())
    assert caught.value.returncode == 2
    assert User.objects.count() == users


def test_it_skips_quietly_with_if_empty_and_still_prints_the_accounts() -> None:
    call_command("demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert "未加载演示数据" in out.getvalue() and "Demo-admin-2026" in out.getvalue()
