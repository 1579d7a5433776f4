"""A department with two officers and a head, a seller on a platform, and cases at each stage,
made through the real services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ecredit.accounts.actors import Actor
from ecredit.accounts.models import Organisation, User
from ecredit.accounts.roles import Role
from ecredit.accounts.services import actor_for_user
from ecredit.enforcement import issuing, services
from ecredit.enforcement.models import Case, Document
from ecredit.enforcement.services import PartyIn
from ecredit.registry.models import Entity
from tests.cast import Cast, make_user
from tests.registry.helpers import register

FILED = dt.date(2024, 3, 4)
DECIDED = dt.date(2024, 5, 10)


@dataclass
class Office:
    cast: Cast
    inspector: User
    colleague: User
    head: User
    platform_system: User
    seller: Entity
    platform: Entity

    @property
    def officer(self) -> Actor:
        return actor_for_user(self.inspector)

    @property
    def chief(self) -> Actor:
        return actor_for_user(self.head)

    @property
    def receiver(self) -> Actor:
        return actor_for_user(self.platform_system)


def make_office(cast: Cast) -> Office:
    colleague = make_user(cast.samr, "inspector2", Role.INSPECTOR)
    head = make_user(cast.samr, "chief", Role.DEPARTMENT_HEAD)
    platform_system = make_user(cast.platform_org, "platform_api", Role.PLATFORM_SYSTEM)
    seller = register(cast.credit_officer, "南安市执法测试鞋业有限公司", organisation=cast.seller_a_org)
    platform = register(
        cast.credit_officer, "闽南执法测试购物平台有限公司", roles=("platform",), organisation=cast.platform_org
    )
    return Office(cast, cast.inspector, colleague, head, platform_system, seller, platform)


def propose(office: Office, *, on: dt.date = FILED, secrets: str = "") -> Case:
    lead = services.record_lead(
        actor=office.officer,
        source_kind="complaint",
        source_ref="TS-2024-001",
        entity=office.seller,
        summary="消费者投诉该店销售的童鞋标签不符合规定",
        received_on=on,
    )
    return services.propose_case(
        actor=office.officer,
        lead=lead,
        title="销售标签标识不合规的童鞋",
        parties=[PartyIn(office.seller, office.platform)],
        conduct=["14.9"],
        legal_basis="《中华人民共和国产品质量法》第五十四条",
        officers=[office.inspector, office.colleague],
        commercial_secrets=secrets,
        on=on,
    )


def advance(office: Office, case: Case, to: str, *, on: dt.date = FILED) -> Case:
    """Take a proposed case along the table up to state ``to``."""
    steps = {
        "filed": [("file", office.chief)],
        "investigating": [("file", office.chief), ("investigate", office.officer)],
        "pending_decision": [("file", office.chief), ("investigate", office.officer), ("submit", office.officer)],
        "decided": [
            ("file", office.chief),
            ("investigate", office.officer),
            ("submit", office.officer),
            ("decide", office.chief),
        ],
    }[to]
    for name, actor in steps:
        case = services.fire(actor=actor, case=case, transition=name, decision="拟处以罚款", on=on)
    return case


def penalty(
    office: Office, case: Case, *, severity: str = "general", on: dt.date = DECIDED, **extra: object
) -> Document:
    values: dict[str, object] = {
        "facts": "当事人在其网店销售标签不符合规定的童鞋 120 双，货值 6000 元。",
        "legal_basis": "《中华人民共和国产品质量法》第五十四条",
        "penalties": ["warning", "fine"],
        "fine_amount": "5000",
        "severity": severity,
        **extra,
    }
    return issuing.issue_penalty(actor=office.officer, case=case, on=on, **values)  # type: ignore[arg-type]


def other_department(name: str = "南安市公安局网络安全保卫大队") -> Organisation:
    from ecredit.accounts import services as accounts
    from ecredit.accounts.actors import SYSTEM

    return accounts.create_organisation(actor=SYSTEM, name=name, kind="department")
