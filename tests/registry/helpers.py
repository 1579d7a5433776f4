"""Making valid codes and registered entities for registry tests, through the real services."""

from __future__ import annotations

import itertools

from stdnum.cn import ric, uscc

from ecredit.accounts.actors import Actor
from ecredit.accounts.models import Organisation, User
from ecredit.accounts.services import actor_for_user
from ecredit.registry import services
from ecredit.registry.models import Entity, Filing
from ecredit.registry.services import EntityData, FilingData

_serial = itertools.count(1)
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_uscc(division: str = "350583", *, first: str = "91", serial: int | None = None) -> str:
    """A 统一社会信用代码 with a correct check character: authority+type, division, 9-char body."""
    n = next(_serial) if serial is None else serial
    body = ""
    for _ in range(9):
        n, digit = divmod(n, len(ALPHABET))
        body = ALPHABET[digit] + body
    base = f"{first}{division}{body}"
    return base + uscc.calc_check_digit(base)


def make_resident_id(division: str = "350583", born: str = "19850317", serial: int | None = None) -> str:
    n = (next(_serial) if serial is None else serial) % 1000
    base = f"{division}{born}{n:03d}"
    return base + ric.calc_check_digit(base + "0")  # the function ignores the last character


def actor(user: User) -> Actor:
    return actor_for_user(user)


def register(
    by: User,
    name: str = "南安市示例卫浴有限公司",
    *,
    kind: str = "legal_person",
    roles: tuple[str, ...] = ("seller",),
    code: str | None = None,
    organisation: Organisation | None = None,
    **extra: object,
) -> Entity:
    data = EntityData(name=name, kind=kind, roles=list(roles), **extra)  # type: ignore[arg-type]
    if kind == "natural_person":
        data.resident_id = code or make_resident_id()
    else:
        data.uscc = code or make_uscc()
    return services.register_entity(actor(by), data, organisation=organisation)


def filing_data(name: str = "南安市示例卫浴有限公司", **changes: object) -> FilingData:
    data = FilingData(
        subject_name=name,
        subject_kind="legal_person",
        contact_name="王经理",
        contact_phone="0595-86381234",
        contact_email="service@example.com.cn",
        address="福建省南安市仑苍镇工业区",
        websites=[
            {
                "name": "示例卫浴官方商城",
                "domain": "www.nanan-weiyu-example.cn",
                "ip": "120.41.8.9",
                "kind": "own_shop",
                "icp_filing": "闽ICP备2020021857号-1",
                "icp_licence": "",
                "isp": "中国电信股份有限公司泉州分公司",
                "server_room": "泉州市丰泽区电信机房",
            }
        ],
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def approved_filing(officer: User, owner: User, entity: Entity) -> Filing:
    """An operator files and declares; an officer approves."""
    filing = services.create_filing(actor(owner), entity, filing_data(entity.name))
    services.submit_filing(actor(owner), filing, declaration=True)
    return services.approve_filing(actor(officer), filing)
