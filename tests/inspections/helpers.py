"""A sampling plan taken through its steps with the real services, for the inspection tests."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ecredit.accounts.actors import SYSTEM, Actor
from ecredit.accounts.models import Organisation, User
from ecredit.accounts.roles import OrgKind, Role
from ecredit.accounts.services import actor_for_user, create_organisation
from ecredit.inspections import services
from ecredit.inspections.models import Inspector, Sample, SamplingPlan, Target
from ecredit.inspections.services import ItemData, PlanData, SampleData
from ecredit.registry import services as registry
from ecredit.registry.models import Entity
from ecredit.registry.services import EntityData
from tests.cast import Cast, make_user
from tests.registry.helpers import make_uscc

_serial = itertools.count(1)


@dataclass
class World:
    cast: Cast
    officer: Actor
    head: User
    head_actor: Actor
    lab_org: Organisation
    lab2_org: Organisation
    lab_user: User
    lab: Actor
    lab2: Actor
    inspectors: list[Inspector]
    sellers: list[Entity] = field(default_factory=list)
    platform: Entity | None = None

    @property
    def seller_a(self) -> Actor:
        return actor_for_user(self.cast.seller_a)


def pdf(name: str = "report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 test\n", content_type="application/pdf")


def make_world(cast: Cast, *, sellers: int = 6) -> World:
    lab_org = create_organisation(actor=SYSTEM, name="福建省纤维检验中心", kind=OrgKind.LABORATORY)
    lab2_org = create_organisation(actor=SYSTEM, name="泉州市产品质量检验所", kind=OrgKind.LABORATORY)
    head = make_user(cast.samr, "chief", Role.DEPARTMENT_HEAD)
    lab_user = make_user(lab_org, "lab", Role.LAB_ANALYST)
    lab2_user = make_user(lab2_org, "lab2", Role.LAB_ANALYST)
    officer = actor_for_user(cast.inspector)
    inspectors = [
        services.register_inspector(
            actor=officer,
            name=f"执法员{i}",
            code=f"35058300{i:02d}",
            organisation=cast.samr,
            township="溪美街道" if i % 2 else "官桥镇",
        )
        for i in range(4)
    ]
    world = World(
        cast=cast,
        officer=officer,
        head=head,
        head_actor=actor_for_user(head),
        lab_org=lab_org,
        lab2_org=lab2_org,
        lab_user=lab_user,
        lab=actor_for_user(lab_user),
        lab2=actor_for_user(lab2_user),
        inspectors=inspectors,
    )
    world.platform = registry.register_entity(
        SYSTEM, EntityData(name="南安优选平台有限公司", kind="legal_person", roles=["platform"], uscc=make_uscc())
    )
    for number in range(sellers):
        entity = registry.register_entity(
            SYSTEM,
            EntityData(
                name=f"南安市抽查测试商贸有限公司{next(_serial)}",
                kind="legal_person",
                roles=["seller"],
                uscc=make_uscc(),
                township="溪美街道" if number % 2 else "官桥镇",
                industry="服装",
            ),
            organisation=cast.seller_a_org if number == 0 else None,
        )
        world.sellers.append(entity)
    return world


def plan_data(world: World, **changes: object) -> PlanData:
    today = timezone.localdate()
    data = PlanData(
        name="2026年网销儿童服装质量抽查",
        period_start=today - dt.timedelta(days=30),
        period_end=today + dt.timedelta(days=60),
        standards=[{"category": "儿童服装", "standard": "GB/T 31701-2015", "clause": "4.1"}],
        lab_ids=[world.lab_org.pk],
        inspector_ids=[inspector.pk for inspector in world.inspectors],
        scope_industries=["服装"],
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def drawn_plan(world: World, **changes: object) -> SamplingPlan:
    plan = services.create_plan(actor=world.officer, data=plan_data(world, **changes))
    for entity in world.sellers[:1]:
        services.add_fixed_inclusion(actor=world.officer, plan=plan, entity=entity, reason="投诉线索 TS-2026-001")
    services.approve_plan(actor=world.head_actor, plan=plan)
    services.commit_draw(actor=world.officer, plan=plan)
    services.reveal_draw(actor=world.officer, plan=plan)
    services.start_plan(actor=world.officer, plan=plan)
    plan.refresh_from_db()
    return plan


def sample_for(world: World, target: Target, code: str | None = None) -> Sample:
    today = timezone.localdate()
    number = next(_serial)
    return services.record_sample(
        actor=world.officer,
        target=target,
        data=SampleData(
            code=code or f"CJ2026-{number:04d}",
            backup_code=f"CJ2026-{number:04d}-B",
            product="儿童纯棉T恤 110cm",
            category="儿童服装",
            standard="GB/T 31701-2015",
            listing_url="https://item.example.com/123456",
            order_no=f"ORDER{number:08d}",
            price="59.90",
            purchased_on=today - dt.timedelta(days=10),
            received_on=today - dt.timedelta(days=7),
            seals="FT-0001/FT-0002",
            lab_id=world.lab_org.pk,
        ),
        evidence=pdf("listing.png"),
    )


def with_report(world: World, sample: Sample, *, passed: bool, lab: Actor | None = None) -> Sample:
    today = timezone.localdate()
    if sample.status == "purchased":
        services.hand_over(
            actor=world.officer,
            sample=sample,
            item="sample",
            handed_on=today - dt.timedelta(days=6),
            from_party="执法员0",
            to_party=world.lab_org.name,
        )
    services.enter_report(
        actor=lab or world.lab,
        sample=sample,
        number=f"JY-{sample.code}",
        tested_on=today - dt.timedelta(days=2),
        items=[
            ItemData("甲醛含量", "4.1", "12 mg/kg", "≤20 mg/kg", True),
            ItemData("pH值", "4.1", "8.1" if not passed else "6.5", "4.0–7.5", passed),
        ],
        signed_file=pdf(),
    )
    sample.refresh_from_db()
    return sample
