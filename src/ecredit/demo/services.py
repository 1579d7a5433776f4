"""Loading the demo data, through the same services a person would use (so it is all audited)."""

from __future__ import annotations

from django.db import transaction

from ecredit.accounts import services as accounts
from ecredit.accounts.actors import Actor
from ecredit.accounts.models import Organisation, User
from ecredit.accounts.roles import Action
from ecredit.demo.data import ACCOUNTS, ORGS
from ecredit.errors import DomainError, ErrorCode


def database_is_empty() -> bool:
    return not (Organisation.objects.exists() or User.objects.exists())


@transaction.atomic
def load_demo(*, actor: Actor) -> dict[str, str]:
    """Create the demo cast; return extra secrets made along the way (the platform's API token)."""
    if not database_is_empty():
        raise DomainError(ErrorCode.CONFLICT, "数据库不为空，拒绝加载演示数据（演示数据只能加载到空数据库）。")
    orgs = {
        org.key: accounts.create_organisation(actor=actor, name=org.name, kind=org.kind.value, uscc=org.uscc)
        for org in ORGS
    }
    users = {
        account.username: accounts.create_user(
            actor=actor,
            organisation=orgs[account.org],
            username=account.username,
            password=account.password,
            roles=[role.value for role in account.roles],
            display_name=account.display_name,
        )
        for account in ACCOUNTS
    }
    _token, raw = accounts.issue_token(
        actor=actor, creator=users["platform"], name="平台数据对接（演示）", scopes=[Action.API_ME.value]
    )
    return {"platform_token": raw}
