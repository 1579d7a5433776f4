"""A credit archive to look at: an entity with events, an extension and evaluations, made through the
real services (shared by the page, API, public-page and browser tests of the archive)."""

from __future__ import annotations

import datetime as dt

from ecredit.accounts.actors import Actor
from ecredit.accounts.models import Organisation, User
from ecredit.accounts.services import actor_for_user
from ecredit.credit import services
from ecredit.credit.models import CreditEvent, Evaluation
from ecredit.policy import services as policy
from ecredit.policy.models import PackExtension
from ecredit.policy.packs import active_pack
from ecredit.registry.models import Entity
from tests.registry.helpers import register

IN_FORCE = dt.date(2025, 3, 30)  # the last day of the pack's period (Art. 25)
BEYOND = dt.date(2026, 11, 28)  # a day past it: evaluating needs an extension
REASON = "主管部门决定延长试行期（南商务〔2025〕12号），继续适用本评分标准"


def by(user: User) -> Actor:
    return actor_for_user(user)


def shop(officer: User, organisation: Organisation | None, name: str = "南安市诗山镇信用测试茶叶有限公司") -> Entity:
    return register(officer, name, organisation=organisation)


def event(
    officer: User, entity: Entity, indicator: str, day: dt.date, ref: str, kind: str = "inspection"
) -> CreditEvent:
    return services.record_event(by(officer), entity, indicator, day, source_kind=kind, source_ref=ref)


def history(officer: User, entity: Entity) -> list[Evaluation]:
    """A registration, a failed sample (public), a missing disclosure (not public, with a private
    source), then two evaluations in the pack's period: 85 (B) before the failed sample, 67 (C) after."""
    event(officer, entity, "filing.current", dt.date(2023, 6, 1), "NA-2023-000101", kind="filing")
    event(officer, entity, "quality.sample_failed", dt.date(2024, 5, 10), "CJ-2024-031")
    services.record_event(
        by(officer),
        entity,
        "listing.disclosure_missing",
        dt.date(2024, 11, 2),
        source_kind="manual",
        evidence="网页截图 秘密证据-7781",
        reason="商品页面未标明生产者，私下核实",
    )
    return [
        services.evaluate_entity(by(officer), entity, dt.date(2024, 4, 30)),
        services.evaluate_entity(by(officer), entity, IN_FORCE),
    ]


def extend(admin: User, until: dt.date = dt.date(2026, 12, 31)) -> PackExtension:
    return policy.record_extension(by(admin), active_pack().id, until=until, reason=REASON)
