"""Demo sampling inspections: a closed plan with published results and a draw anyone can verify, and
an open plan in progress (samples at the laboratory, a fail awaiting rectification, a repeat-failure
case proposal). Everything goes through ``inspections.services``, dated in the past where it happened."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.files.uploadedfile import SimpleUploadedFile

from ecredit.accounts.actors import Actor
from ecredit.accounts.models import Organisation
from ecredit.demo import credit_data
from ecredit.demo.registry_data import DemoEntity
from ecredit.inspections import services
from ecredit.inspections.models import Sample, SamplingPlan, Target
from ecredit.inspections.services import ItemData, PlanData, SampleData
from ecredit.registry.models import Entity

INSPECTORS = [
    ("陈执法", "35058320001", "溪美街道"),
    ("苏志远", "35058320002", "柳城街道"),
    ("林雅琴", "35058320003", "美林街道"),
    ("黄建国", "35058320004", "官桥镇"),
    ("吴丽华", "35058320005", "水头镇"),
    ("郑国栋", "35058320006", "省新镇"),
]
PASS_ITEMS = [
    ItemData("甲醛含量", "GB 31701-2015 4.1", "15 mg/kg", "≤20 mg/kg", True),
    ItemData("pH值", "GB 31701-2015 4.1", "6.8", "4.0–7.5", True),
    ItemData("绳带长度", "GB 31701-2015 5.1", "12 cm", "≤14 cm", True),
]
FAIL_ITEMS = [
    ItemData("甲醛含量", "GB 31701-2015 4.1", "15 mg/kg", "≤20 mg/kg", True),
    ItemData("pH值", "GB 31701-2015 4.1", "8.6", "4.0–7.5", False),
    ItemData("纤维含量", "GB/T 29862-2013 4.2", "棉 72%", "棉 100%（标注）", False),
]


def _file(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/plain")


def _plan(
    officer: Actor, chief: Actor, name: str, start: dt.date, end: dt.date, *, labs: list[int], pool: list[int]
) -> SamplingPlan:
    plan = services.create_plan(
        actor=officer,
        data=PlanData(
            name=name,
            period_start=start,
            period_end=end,
            standards=[
                {"category": "儿童服装", "standard": "GB 31701-2015", "clause": "4.1、5.1"},
                {"category": "儿童服装", "standard": "GB/T 29862-2013", "clause": "4.2"},
            ],
            cites=["5", "16.1", "产品质量法 第十五条"],
            lab_ids=labs,
            inspector_ids=pool,
            same_township_barred=True,
        ),
    )
    return plan


def _sample(officer: Actor, target: Target, number: str, bought: dt.date, lab: Organisation) -> Sample:
    storefront = target.entity.storefronts.first()
    sample = services.record_sample(
        actor=officer,
        target=target,
        data=SampleData(
            code=number,
            backup_code=f"{number}-B",
            product="儿童纯棉长袖T恤 120cm",
            category="儿童服装",
            standard="GB 31701-2015",
            listing_url=f"{(storefront.shop_url if storefront else 'https://shop.example.cn').rstrip('/')}/item/2026",
            order_no=f"DD{bought:%Y%m%d}{number[-3:]}",
            price="49.90",
            purchased_on=bought,
            received_on=bought + dt.timedelta(days=3),
            seals=f"FT-{number[-3:]}-1/FT-{number[-3:]}-2",
            lab_id=lab.pk,
            storefront_id=storefront.pk if storefront else None,
        ),
        evidence=_file("listing.txt", f"商品页面截图（演示） {number}"),
        today=bought + dt.timedelta(days=3),
    )
    services.hand_over(
        actor=officer,
        sample=sample,
        item="sample",
        handed_on=bought + dt.timedelta(days=4),
        from_party="陈执法",
        to_party=lab.name,
    )
    return sample


def _report(lab: Actor, sample: Sample, tested: dt.date, *, passed: bool) -> None:
    services.enter_report(
        actor=lab,
        sample=sample,
        number=f"NAJY-{sample.code}",
        tested_on=tested,
        items=PASS_ITEMS if passed else FAIL_ITEMS,
        signed_file=_file("report.txt", f"检验报告（演示） {sample.code}"),
    )
    sample.refresh_from_db()


def _final(officer: Actor, sample: Sample, delivered: dt.date, *, passed: bool) -> None:
    services.deliver_result(actor=officer, sample=sample, delivered_on=delivered)
    sample.refresh_from_db()
    if not passed:
        services.finalise(actor=officer, sample=sample, today=delivered + dt.timedelta(days=16))
        sample.refresh_from_db()


def load(
    *,
    officer: Actor,
    chief: Actor,
    lab: Actor,
    seller: Actor,
    organisations: dict[str, Organisation],
    specs: Sequence[DemoEntity],
    entities: dict[str, Entity],
    today: dt.date,
) -> None:
    """Runs before the demo credit archive is recorded and evaluated, so that the stored grades
    include these events. The fails fall on three filed sellers the credit demo leaves alone (named
    as fixed inclusions, so the same ones every time); random targets pass. Last year's fails weigh
    half by now, so the repeat offender stays at grade C. The demo seller's own entity is sampled only
    in the open plan, where its sample is at the laboratory (the credit demo keeps it at grade A)."""
    samr = organisations["samr"]
    lab_org = organisations["lab"]
    inspectors = [
        services.register_inspector(actor=officer, name=name, code=code, organisation=samr, township=town)
        for name, code, town in INSPECTORS
    ]
    pool = [inspector.pk for inspector in inspectors]
    own = Entity.objects.filter(organisation_id=seller.organisation_id or -1, is_seller=True).order_by("pk").first()
    touched = {entities[event.entity].pk for event in credit_data.build(specs, today)}
    failing = list(
        Entity.objects.filter(is_seller=True, in_jurisdiction=True, credit_events__indicator="filing.current")
        .exclude(pk__in=touched | ({own.pk} if own else set()))
        .distinct()
        .order_by("pk")[:3]
    )

    # A closed plan of last year: drawn, sampled, tested, final, published (one still overdue), closed.
    start = today - dt.timedelta(days=540)
    closed = _plan(
        officer,
        chief,
        f"{start.year}年网销儿童服装质量抽查",
        start,
        today - dt.timedelta(days=370),
        labs=[lab_org.pk],
        pool=pool,
    )
    for entity in failing:
        services.add_fixed_inclusion(actor=officer, plan=closed, entity=entity, reason="消费者投诉线索（演示）")
    services.approve_plan(actor=chief, plan=closed)
    services.commit_draw(actor=officer, plan=closed, today=start)
    services.reveal_draw(actor=officer, plan=closed)
    services.start_plan(actor=officer, plan=closed)
    fails = {entity.pk for entity in failing}
    passing = list(closed.targets.filter(kind="random").exclude(entity=own).order_by("pk")[:5])
    targets = [closed.targets.get(entity=entity) for entity in failing] + passing
    for number, target in enumerate(targets, start=1):
        bought = start + dt.timedelta(days=10 + number)
        sample = _sample(officer, target, f"CJ{start.year}-{number:03d}", bought, lab_org)
        passed = target.entity_id not in fails
        _report(lab, sample, bought + dt.timedelta(days=15), passed=passed)
        _final(officer, sample, bought + dt.timedelta(days=18), passed=passed)
        final_on = sample.final_on or bought
        if number != len(targets):  # one publication left overdue, for the dashboards
            services.publish(actor=officer, publication=sample.publication, today=final_on + dt.timedelta(days=5))
    services.close_plan(actor=officer, plan=closed)

    # An open plan in progress: a repeat failure (a case proposal), the demo seller's sample at the
    # laboratory, another report waiting to be served.
    begin = today - dt.timedelta(days=40)
    current = _plan(
        officer,
        chief,
        f"{today.year}年第二批网销儿童服装质量抽查",
        begin,
        today + dt.timedelta(days=140),
        labs=[lab_org.pk],
        pool=pool,
    )
    repeat_offender = failing[0] if failing else None
    if repeat_offender is not None:
        services.add_fixed_inclusion(
            actor=officer, plan=current, entity=repeat_offender, reason="上次抽查不合格，整改后复查（演示）"
        )
    if own is not None:
        services.add_fixed_inclusion(actor=officer, plan=current, entity=own, reason="消费者投诉 TS-2026-0412（演示）")
    services.approve_plan(actor=chief, plan=current)
    services.commit_draw(actor=officer, plan=current, today=begin)
    services.reveal_draw(actor=officer, plan=current)
    services.start_plan(actor=officer, plan=current)
    bought = begin + dt.timedelta(days=3)
    if repeat_offender is not None:
        sample = _sample(officer, current.targets.get(entity=repeat_offender), f"CJ{today.year}-101", bought, lab_org)
        _report(lab, sample, bought + dt.timedelta(days=6), passed=False)
        _final(officer, sample, bought + dt.timedelta(days=8), passed=False)
    if own is not None:
        _sample(officer, current.targets.get(entity=own), f"CJ{today.year}-102", bought, lab_org)
    other = current.targets.filter(kind="random").exclude(entity__pk__in=touched).order_by("pk").first()
    if other is not None:
        sample = _sample(officer, other, f"CJ{today.year}-103", bought, lab_org)
        _report(lab, sample, bought + dt.timedelta(days=10), passed=True)
    # The closed plan's rectifications are past their deadline: `ecredit inspections sweep` records them
    # (quality.rectification_overdue); the demo leaves that to the reader, so the demo grades stay as
    # the credit demo designs them.
