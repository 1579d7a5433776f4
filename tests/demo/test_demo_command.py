"""`ecredit demo`: loads the demo cast into an empty database, refuses a non-empty one."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Q
from django.test import RequestFactory

from ecredit.accounts.actors import SYSTEM
from ecredit.accounts.models import ApiToken, Organisation, User
from ecredit.accounts.roles import OrgKind, Role
from ecredit.accounts.services import create_organisation
from ecredit.audit.models import AuditEntry
from ecredit.audit.services import verify_chain
from ecredit.demo.data import ACCOUNTS
from ecredit.demo.services import load_demo
from ecredit.registry.models import Entity, Filing, FilingStatus
from ecredit.registry.services import resolve_badge

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
    steps = AuditEntry.objects.filter(
        Q(action__startswith="registry.")
        | Q(action__startswith="credit.")
        | Q(action__startswith="policy.")
        | Q(action__startswith="inspections.")
        | Q(action__startswith="enforcement.")
        | Q(action__startswith="evidence.")
        | Q(action__startswith="monitoring.")
    ).count()
    assert broken is None and count == Organisation.objects.count() + User.objects.count() + 1 + steps
    assert_registry_line(printed)
    assert re.search(r"^信用评价 / credit: \d{4}-\d{2}-\d{2} 等级分布 grades A \d+，B \d+，C \d+，D \d+", printed, re.M)


def assert_registry_line(printed: str) -> None:
    """The registry counts and the demo seller's badge address, printed after the accounts."""
    entities = Entity.objects.count()
    approved = Filing.objects.filter(status=FilingStatus.APPROVED).count()
    waiting = Filing.objects.filter(status=FilingStatus.SUBMITTED).count()
    assert entities >= 200 and approved and waiting
    assert (
        f"{entities} 个主体" in printed and f"{approved} 件备案已通过" in printed and f"{waiting} 件待审核" in printed
    )
    path = re.search(r"(/verify/[^/\s]+/)$", printed, re.MULTILINE)
    assert path is not None
    assert printed.index("Demo-admin-2026") < printed.index(path.group(1))
    assert resolve_badge(path.group(1).split("/")[2]) is not None


def make_non_empty() -> None:
    """One organisation is enough to make the database not empty (cheaper than a whole demo)."""
    with transaction.atomic():
        create_organisation(actor=SYSTEM, name="南安市某单位", kind=OrgKind.DEPARTMENT.value, uscc="")


def test_it_refuses_a_database_that_is_not_empty() -> None:
    make_non_empty()
    users = User.objects.count()
    with pytest.raises(CommandError, match="数据库不为空") as caught:
        call_command("demo", stdout=io.StringIO())
    assert caught.value.returncode == 2
    assert User.objects.count() == users


def test_it_skips_quietly_with_if_empty_and_still_prints_the_accounts() -> None:
    make_non_empty()
    out = io.StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert "未加载演示数据" in out.getvalue() and "Demo-admin-2026" in out.getvalue()


def test_tests_that_need_only_the_accounts_can_leave_the_registry_out() -> None:
    load_demo(actor=SYSTEM, with_registry=False)
    assert User.objects.count() == len(ACCOUNTS) and not Entity.objects.exists()
    out = io.StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert "0 个主体" in out.getvalue() and "/verify/" not in out.getvalue()
