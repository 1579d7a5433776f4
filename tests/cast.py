"""The shared cast of people every test file draws on, made through the real services."""

from __future__ import annotations

from dataclasses import dataclass

from django.test import Client

from ecredit.accounts import services
from ecredit.accounts.actors import SYSTEM
from ecredit.accounts.models import Organisation, User
from ecredit.accounts.roles import Action, OrgKind, Role

PASSWORD = "Cast-password-2026"


@dataclass
class Cast:
    commerce: Organisation
    samr: Organisation
    seller_a_org: Organisation
    seller_b_org: Organisation
    platform_org: Organisation
    credit_officer: User
    inspector: User
    seller_a: User
    seller_b: User
    platform_user: User
    auditor: User
    admin: User
    platform_token: str

    def client_for(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client


def make_user(org: Organisation, username: str, *roles: Role) -> User:
    return services.create_user(
        actor=SYSTEM,
        organisation=org,
        username=username,
        password=PASSWORD,
        roles=[role.value for role in roles],
        display_name=username,
    )


def make_cast() -> Cast:
    org = services.create_organisation
    commerce = org(actor=SYSTEM, name="南安市商务局", kind=OrgKind.COMMERCE_BUREAU)
    samr = org(actor=SYSTEM, name="南安市市场监督管理局", kind=OrgKind.MARKET_SUPERVISION)
    seller_a_org = org(actor=SYSTEM, name="卖家甲", kind=OrgKind.OPERATOR)
    seller_b_org = org(actor=SYSTEM, name="卖家乙", kind=OrgKind.OPERATOR)
    platform_org = org(actor=SYSTEM, name="平台丙", kind=OrgKind.PLATFORM)
    platform_user = make_user(platform_org, "platform", Role.OPERATOR_USER)
    _token, raw = services.issue_token(
        actor=SYSTEM, creator=platform_user, name="平台对接", scopes=[Action.API_ME.value]
    )
    return Cast(
        commerce=commerce,
        samr=samr,
        seller_a_org=seller_a_org,
        seller_b_org=seller_b_org,
        platform_org=platform_org,
        credit_officer=make_user(commerce, "credit", Role.CREDIT_OFFICER),
        inspector=make_user(samr, "inspector", Role.INSPECTOR),
        seller_a=make_user(seller_a_org, "seller_a", Role.OPERATOR_USER),
        seller_b=make_user(seller_b_org, "seller_b", Role.OPERATOR_USER),
        platform_user=platform_user,
        auditor=make_user(commerce, "auditor", Role.AUDITOR),
        admin=make_user(commerce, "admin", Role.ADMIN),
        platform_token=raw,
    )
