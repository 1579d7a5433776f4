"""The demo cast: one organisation of each kind and one account per role (plus a platform user)."""

from __future__ import annotations

from dataclasses import dataclass

from ecredit.accounts.roles import OrgKind, Role


@dataclass(frozen=True)
class DemoOrg:
    key: str
    name: str
    kind: OrgKind
    uscc: str = ""


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    display_name: str
    org: str
    roles: tuple[Role, ...]


ORGS = [
    DemoOrg("commerce", "南安市商务局", OrgKind.COMMERCE_BUREAU),
    DemoOrg("samr", "南安市市场监督管理局", OrgKind.MARKET_SUPERVISION),
    DemoOrg("police", "南安市公安局网络安全保卫大队", OrgKind.DEPARTMENT),
    DemoOrg("lab", "南安市产品质量检验中心（演示）", OrgKind.LABORATORY),
    DemoOrg("assoc", "南安市电子商务协会", OrgKind.ASSOCIATION),
    DemoOrg("seller", "南安市示例鞋业有限公司（演示）", OrgKind.OPERATOR),
    DemoOrg("platform", "闽南优品购物平台（演示）", OrgKind.PLATFORM),
]

# Demo passwords are public on purpose: they are printed by `make run`. Never use them elsewhere.
ACCOUNTS = [
    DemoAccount("credit", "Demo-credit-2026", "林信用", "commerce", (Role.CREDIT_OFFICER,)),
    DemoAccount("inspector", "Demo-inspect-2026", "陈执法", "samr", (Role.INSPECTOR,)),
    DemoAccount("inspector2", "Demo-inspect2-2026", "黄执法", "samr", (Role.INSPECTOR,)),
    DemoAccount("chief", "Demo-chief-2026", "许科长", "samr", (Role.DEPARTMENT_HEAD,)),
    DemoAccount("dept", "Demo-dept-2026", "黄协查", "police", (Role.DEPARTMENT_OFFICER,)),
    DemoAccount("lab", "Demo-lab-2026", "王检验", "lab", (Role.LAB_ANALYST,)),
    DemoAccount("assoc", "Demo-assoc-2026", "吴协会", "assoc", (Role.ASSOCIATION_OFFICER,)),
    DemoAccount("seller", "Demo-seller-2026", "洪店主", "seller", (Role.OPERATOR_USER,)),
    DemoAccount("platform", "Demo-platform-2026", "蔡平台", "platform", (Role.OPERATOR_USER, Role.PLATFORM_SYSTEM)),
    DemoAccount("auditor", "Demo-audit-2026", "郑审计", "commerce", (Role.AUDITOR,)),
    DemoAccount("admin", "Demo-admin-2026", "李管理", "commerce", (Role.ADMIN,)),
]
