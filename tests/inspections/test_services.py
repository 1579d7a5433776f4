"""Plans, the committed draw, samples, reports, re-tests and the consequences of a final conclusion."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from django.utils import timezone

from ecredit.accounts.actors import SYSTEM
from ecredit.accounts.services import actor_for_user
from ecredit.audit.models import AuditEntry
from ecredit.credit import services as credit
from ecredit.credit.models import CreditEvent
from ecredit.errors import DomainError, ErrorCode
from ecredit.inspections import draw, services
from ecredit.inspections.models import (
    CaseProposal,
    Conclusion,
    Draw,
    PlanStatus,
    ProposalKind,
    Rectification,
    RectificationStatus,
    SampleStatus,
    SamplingPlan,
    TargetKind,
)
from ecredit.policy.packs import active_pack
from ecredit.registry import services as registry
from ecredit.registry.services import EntityData
from tests.cast import Cast
from tests.inspections.helpers import World, drawn_plan, make_world, pdf, plan_data, sample_for, with_report
from tests.registry.helpers import make_resident_id


@pytest.fixture
def world(cast: Cast) -> World:
    return make_world(cast)


def test_it_takes_a_plan_through_its_states_with_an_audit_entry_each(world: World) -> None:
    plan = drawn_plan(world)
    assert plan.status == PlanStatus.IN_PROGRESS
    actions = set(AuditEntry.objects.filter(target_id=str(plan.pk)).values_list("action", flat=True))
    assert {
        "inspections.plan.create",
        "inspections.plan.approve",
        "inspections.plan.drawn",
        "inspections.plan.start",
    } <= actions


def test_it_refuses_approval_without_the_approve_action(world: World) -> None:
    plan = services.create_plan(actor=world.officer, data=plan_data(world))
    with pytest.raises(DomainError) as refused:
        services.approve_plan(actor=world.officer, plan=plan)
    assert refused.value.code == ErrorCode.FORBIDDEN
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_it_refuses_a_plan_without_a_standard_and_changes_nothing(world: World) -> None:
    with pytest.raises(DomainError) as refused:
        services.create_plan(actor=world.officer, data=plan_data(world, standards=[]))
    assert "检验标准" in refused.value.message
    assert not SamplingPlan.objects.exists()


def test_it_commits_before_it_reveals(world: World) -> None:
    plan = services.create_plan(actor=world.officer, data=plan_data(world))
    services.approve_plan(actor=world.head_actor, plan=plan)
    committed = services.commit_draw(actor=world.officer, plan=plan)
    public = services.published_record(committed)
    assert public["seed"] is None and public["commitment"] == committed.commitment
    assert committed.seed == "" and len(public["eligible"]) == len(world.sellers)
    assert draw.eligible_sha256(draw.Eligible(**e) for e in public["eligible"]) == committed.eligible_sha256
    revealed = services.reveal_draw(actor=world.officer, plan=plan)
    assert draw.commitment(revealed.seed) == committed.commitment
    record = draw.record_from_dict(services.published_record(revealed))
    assert draw.verify(record) is None
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAWN
    assert plan.targets.count() == len(record.selected) + len(record.fixed)
    for target in plan.targets.all():
        assert target.inspectors.count() == 2


def test_it_keeps_fixed_inclusions_apart_and_excludes_higher_level_samples(world: World) -> None:
    higher = drawn_plan(world, level=3, name="省级网销服装抽查")
    fixed_entity = world.sellers[0]
    assert higher.targets.get(entity=fixed_entity).kind == TargetKind.FIXED
    plan = services.create_plan(actor=world.officer, data=plan_data(world, name="县级抽查"))
    services.approve_plan(actor=world.head_actor, plan=plan)
    committed = services.commit_draw(actor=world.officer, plan=plan)
    excluded = {item["code"] for item in committed.record["excluded"]}
    assert set(higher.targets.values_list("entity__uscc", flat=True)) == excluded
    assert not excluded & {item["code"] for item in committed.record["eligible"]}


def test_it_never_sends_a_related_inspector_or_the_last_one(world: World) -> None:
    entity = world.sellers[0]
    services.declare_relation(
        actor=world.officer, inspector=world.inspectors[0], entity=entity, reason="配偶在该公司任职"
    )
    first = drawn_plan(world, name="第一次")
    last = set(first.targets.get(entity=entity).inspectors.all())
    assert world.inspectors[0] not in last
    second = drawn_plan(world, name="第二次")
    now = set(second.targets.get(entity=entity).inspectors.all())
    assert not now & last and world.inspectors[0] not in now
    assert second.targets.get(entity=entity).understaffed


def _final_fail(world: World, plan: SamplingPlan, entity_index: int = 0) -> object:
    target = plan.targets.get(entity=world.sellers[entity_index])
    sample = with_report(world, sample_for(world, target), passed=False)
    delivered = timezone.localdate() - dt.timedelta(days=20)
    services.deliver_result(actor=world.officer, sample=sample, delivered_on=delivered)
    services.finalise(actor=world.officer, sample=sample)
    sample.refresh_from_db()
    return sample


def test_it_computes_the_conclusion_from_the_items(world: World) -> None:
    plan = drawn_plan(world)
    sample = with_report(world, sample_for(world, plan.targets.first()), passed=False)
    report = sample.reports.get()
    assert report.conclusion == Conclusion.FAIL
    assert [item.passed for item in report.items.all()] == [True, False]


def test_it_refuses_a_report_from_another_lab(world: World) -> None:
    plan = drawn_plan(world)
    sample = sample_for(world, plan.targets.first())
    with pytest.raises(DomainError) as refused:
        with_report(world, sample, passed=True, lab=world.lab2)
    assert refused.value.code == ErrorCode.FORBIDDEN
    assert not sample.reports.exists()


def test_it_makes_a_pass_final_with_the_positive_event_and_a_publication_due(world: World) -> None:
    plan = drawn_plan(world)
    target = plan.targets.get(entity=world.sellers[0])
    sample = with_report(world, sample_for(world, target), passed=True)
    services.deliver_result(actor=world.officer, sample=sample)
    sample.refresh_from_db()
    assert sample.status == SampleStatus.FINAL and sample.conclusion == Conclusion.PASS
    assert CreditEvent.objects.filter(entity=target.entity, indicator="quality.sample_passed").count() == 1
    publication = sample.publication
    assert publication.due_on > sample.final_on
    services.publish(actor=world.officer, publication=publication)
    publication.refresh_from_db()
    assert publication.published_on == timezone.localdate()


def test_it_turns_a_final_fail_into_an_event_and_a_rectification_order(world: World) -> None:
    plan = drawn_plan(world)
    sample = _final_fail(world, plan)
    event = CreditEvent.objects.get(entity=world.sellers[0], indicator="quality.sample_failed")
    assert event.source_ref == sample.code
    rectification = Rectification.objects.get(sample=sample)
    assert rectification.deadline == sample.final_on + dt.timedelta(days=30)
    assert not CaseProposal.objects.exists()


def test_it_proposes_a_case_on_a_repeat_failure(world: World) -> None:
    first = drawn_plan(world, name="上半年")
    earlier = _final_fail(world, first)
    second = drawn_plan(world, name="下半年")
    later = _final_fail(world, second)
    proposal = CaseProposal.objects.get()
    assert proposal.kind == ProposalKind.ENFORCEMENT and proposal.sample == later
    assert proposal.related_samples == [earlier.code, later.code]
    assert proposal.status == "open"
    services.decide_proposal(actor=world.head_actor, proposal=proposal, accept=True, reason="转执法机构立案调查")
    proposal.refresh_from_db()
    assert proposal.status == "accepted"
    # Accepted, it is an enforcement lead about the same operator, naming both failed samples.
    lead = proposal.lead
    assert lead is not None and lead.entity_id == proposal.entity_id
    assert (lead.source_kind, lead.source_ref) == ("repeat_failure", later.code)
    assert earlier.code in lead.summary and later.code in lead.summary


def test_it_proposes_judicial_transfer_when_the_plan_marks_failures_severe(world: World) -> None:
    plan = drawn_plan(world, severe=True)
    _final_fail(world, plan)
    assert CaseProposal.objects.get().kind == ProposalKind.JUDICIAL


def test_it_retests_at_another_lab_within_the_window_and_the_retest_is_final(world: World) -> None:
    plan = drawn_plan(world)
    sample = with_report(world, sample_for(world, plan.targets.get(entity=world.sellers[0])), passed=False)
    services.deliver_result(
        actor=world.officer, sample=sample, delivered_on=timezone.localdate() - dt.timedelta(days=3)
    )
    seller = actor_for_user(world.cast.seller_a)
    services.request_retest(actor=seller, sample=sample, reason="送检样品批次与我店销售批次不符")
    sample.refresh_from_db()
    with pytest.raises(DomainError):
        services.assign_retest_lab(actor=world.officer, sample=sample, lab=world.lab_org)
    services.assign_retest_lab(actor=world.officer, sample=sample, lab=world.lab2_org)
    sample.refresh_from_db()
    with_report(world, sample, passed=True, lab=world.lab2)
    services.deliver_result(actor=world.officer, sample=sample)
    sample.refresh_from_db()
    assert sample.conclusion == Conclusion.PASS and sample.status == SampleStatus.FINAL
    assert not CreditEvent.objects.filter(indicator="quality.sample_failed").exists()


def test_it_refuses_a_retest_after_the_window(world: World) -> None:
    plan = drawn_plan(world)
    sample = with_report(world, sample_for(world, plan.targets.get(entity=world.sellers[0])), passed=False)
    services.deliver_result(
        actor=world.officer, sample=sample, delivered_on=timezone.localdate() - dt.timedelta(days=16)
    )
    with pytest.raises(DomainError) as refused:
        services.request_retest(actor=actor_for_user(world.cast.seller_a), sample=sample, reason="不服检验结论")
    assert "期限" in refused.value.message
    sample.refresh_from_db()
    assert sample.status == SampleStatus.DELIVERED


def test_it_refuses_a_retest_asked_by_someone_else(world: World) -> None:
    plan = drawn_plan(world)
    sample = with_report(world, sample_for(world, plan.targets.get(entity=world.sellers[0])), passed=False)
    services.deliver_result(actor=world.officer, sample=sample)
    with pytest.raises(DomainError) as refused:
        services.request_retest(actor=actor_for_user(world.cast.seller_b), sample=sample, reason="不服检验结论")
    assert refused.value.code == ErrorCode.NOT_FOUND


def test_it_records_an_overdue_rectification_once(world: World) -> None:
    plan = drawn_plan(world)
    sample = _final_fail(world, plan)
    later = sample.rectification.deadline + dt.timedelta(days=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "localdate", lambda: later)
        done = services.record_overdue_rectifications(actor=world.officer, today=later)
        again = services.record_overdue_rectifications(actor=world.officer, today=later)
    assert len(done) == 1 and again == []
    assert CreditEvent.objects.filter(indicator="quality.rectification_overdue").count() == 1


def test_it_lets_the_operator_rectify_and_the_officer_decide(world: World) -> None:
    plan = drawn_plan(world)
    sample = _final_fail(world, plan)
    rectification = sample.rectification
    seller = actor_for_user(world.cast.seller_a)
    with pytest.raises(DomainError):
        services.submit_rectification(actor=seller, rectification=rectification, report="短", file=pdf())
    services.submit_rectification(
        actor=seller,
        rectification=rectification,
        report="已下架全部同批次商品并召回已售出的32件。",
        file=pdf("rect.pdf"),
    )
    services.decide_rectification(
        actor=world.officer, rectification=rectification, accept=False, reason="召回记录不完整"
    )
    assert rectification.status == RectificationStatus.REJECTED
    services.submit_rectification(
        actor=seller, rectification=rectification, report="补充提交召回台账与消费者退款凭证。", file=pdf("rect2.pdf")
    )
    services.decide_rectification(actor=world.officer, rectification=rectification, accept=True, reason="")
    assert rectification.status == RectificationStatus.ACCEPTED


def test_it_refuses_to_close_a_plan_with_open_samples(world: World) -> None:
    plan = drawn_plan(world)
    sample_for(world, plan.targets.first())
    with pytest.raises(DomainError):
        services.close_plan(actor=world.officer, plan=plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.IN_PROGRESS


def test_it_never_puts_a_natural_persons_identity_number_in_the_draw_record(world: World) -> None:
    person = registry.register_entity(
        SYSTEM,
        EntityData(
            name="陈某某",
            kind="natural_person",
            roles=["seller"],
            resident_id=make_resident_id(),
            industry="服装",
            township="官桥镇",
        ),
    )
    plan = drawn_plan(world)
    text = json.dumps(services.published_record(plan.draw), ensure_ascii=False)
    assert f'"E{person.pk}"' in text
    assert person.resident_id not in text and person.resident_id_masked not in text and "陈某某" not in text


def test_it_weighs_the_draw_by_recent_negative_events_as_the_pack_says(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    entity, today = world.sellers[1], timezone.localdate()
    days_ago = [3, 40, 200, 500, 30 * 30]  # the last one is older than 24 months
    for number, days in enumerate(days_ago):
        credit.record_event(
            SYSTEM,
            entity,
            "quality.sample_failed",
            today - dt.timedelta(days=days),
            source_kind="inspection",
            source_ref=f"CJ-{number}",
        )
    plan = services.create_plan(actor=world.officer, data=plan_data(world))

    def weights() -> dict[str, int]:
        return {item.code: item.weight for item in services.eligible_for(plan, today)[0]}

    assert weights()[entity.uscc] == 5 and weights()[world.sellers[2].uscc] == 1
    pack = active_pack()
    assert pack.sampling is not None and pack.sampling.draw_weight is not None
    for changes, expected in (({"max": 3}, 3), ({"lookback_months": 36}, 6), ({"max": 1}, 1)):
        rule = dataclasses.replace(pack.sampling.draw_weight, **changes)
        variant = dataclasses.replace(pack, sampling=dataclasses.replace(pack.sampling, draw_weight=rule))
        monkeypatch.setattr(services, "active_pack", lambda variant=variant: variant)
        assert weights()[entity.uscc] == expected, changes


def test_it_refuses_to_draw_with_a_pack_without_a_draw_weight(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    pack = active_pack()
    assert pack.sampling is not None
    variant = dataclasses.replace(pack, sampling=dataclasses.replace(pack.sampling, draw_weight=None))
    monkeypatch.setattr(services, "active_pack", lambda: variant)
    plan = services.create_plan(actor=world.officer, data=plan_data(world))
    services.approve_plan(actor=world.head_actor, plan=plan)
    with pytest.raises(DomainError) as refused:
        services.commit_draw(actor=world.officer, plan=plan)
    assert refused.value.code == ErrorCode.INTERNAL and "draw_weight" in refused.value.message
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and not Draw.objects.filter(plan=plan).exists()
