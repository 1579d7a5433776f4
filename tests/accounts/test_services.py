"""Organisations, users and roles are created only through services, validated and audited."""

from __future__ import annotations

import pytest

from ecredit.accounts import services
from ecredit.accounts.actors import SYSTEM
from ecredit.accounts.models import Organisation, User
from ecredit.accounts.roles import OrgKind, Role
from ecredit.audit.models import AuditEntry
from ecredit.errors import DomainError, ErrorCode
from tests.cast import PASSWORD, Cast

pytestmark = pytest.mark.django_db


def test_it_refuses_a_role_the_organisation_kind_cannot_hold(cast: Cast) -> None:
    with pytest.raises(DomainError) as caught:
        services.create_user(
            actor=SYSTEM, organisation=cast.seller_a_org, username="x", password=PASSWORD, roles=["credit_officer"]
        )
    assert caught.value.code is ErrorCode.VALIDATION and "不能授予" in caught.value.message
    assert not User.objects.filter(username="x").exists()


def test_it_refuses_a_weak_password_in_chinese(cast: Cast) -> None:
    with pytest.raises(DomainError) as caught:
        services.create_user(
            actor=SYSTEM, organisation=cast.commerce, username="weak", password="12345678", roles=["auditor"]
        )
    assert "密码" in caught.value.message and "太短" in caught.value.message


def test_it_refuses_a_duplicate_organisation_and_an_unknown_kind(cast: Cast) -> None:
    entries = AuditEntry.objects.count()
    with pytest.raises(DomainError) as duplicate:
        services.create_organisation(actor=SYSTEM, name="南安市商务局", kind=OrgKind.COMMERCE_BUREAU)
    assert duplicate.value.code is ErrorCode.CONFLICT
    with pytest.raises(DomainError) as unknown:
        services.create_organisation(actor=SYSTEM, name="新机构", kind="bank")
    assert unknown.value.code is ErrorCode.VALIDATION
    assert Organisation.objects.filter(name="新机构").count() == 0 and AuditEntry.objects.count() == entries


def test_it_lets_only_administrators_manage_accounts(cast: Cast) -> None:
    officer = services.actor_for_user(cast.credit_officer)
    with pytest.raises(DomainError) as caught:
        services.create_organisation(actor=officer, name="越权机构", kind=OrgKind.DEPARTMENT)
    assert caught.value.code is ErrorCode.FORBIDDEN
    admin = services.actor_for_user(cast.admin)
    org = services.create_organisation(actor=admin, name="南安市公安局", kind=OrgKind.DEPARTMENT)
    entry = AuditEntry.objects.get(action="accounts.organisation.create", target_id=str(org.pk))
    assert entry.actor_user_id == cast.admin.pk and entry.organisation_name == "南安市商务局"


def test_it_changes_roles_and_records_before_and_after(cast: Cast) -> None:
    services.set_roles(actor=SYSTEM, user=cast.auditor, roles=["auditor", "admin"])
    cast.auditor.refresh_from_db()
    assert services.roles_of(User.objects.get(pk=cast.auditor.pk)) == {Role.AUDITOR, Role.ADMIN}
    assert cast.auditor.is_staff
    entry = AuditEntry.objects.get(action="accounts.user.set_roles")
    assert entry.changes == {"roles": [["auditor"], ["admin", "auditor"]]}
