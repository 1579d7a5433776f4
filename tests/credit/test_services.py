"""The credit archive's services: recording events, their status history, and stored evaluations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ecredit.accounts.actors import SYSTEM, Actor
from ecredit.accounts.services import actor_for_user
from ecredit.audit.models import AuditEntry, ImmutableError
from ecredit.credit import engine, ledger, queries, services
from ecredit.credit.models import CreditEvent, Evaluation, EventStatus
from ecredit.errors import DomainError, ErrorCode
from ecredit.policy import services as policy
from ecredit.policy.packs import active_pack
from ecredit.registry.models import Entity
from tests.cast import Cast
from tests.credit.helpers import make_entity

PACK = active_pack()
DAY = dt.date(2024, 6, 30)
REASON = "主管部门决定延长试行期（南商务〔2025〕12号），继续适用本评分标准"


def by(user: object) -> Actor:
    return actor_for_user(user)  # type: ignore[arg-type]


def failed_sample(
    officer: Actor, entity: Entity, day: dt.date = dt.date(2024, 5, 10), ref: str = "CJ-1"
) -> CreditEvent:
    return services.record_event(
        officer, entity, "quality.sample_failed", day, source_kind="inspection", source_ref=ref
    )


def refused(call: object, code: ErrorCode = ErrorCode.VALIDATION) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()  # type: ignore[operator]
    assert caught.value.code == code
    return caught.value


# --- recording events -----------------------------------------------------------------------------


def test_it_records_an_event_with_its_source_cites_and_recorder_and_audits_it(cast: Cast) -> None:
    entity = make_entity("seller")
    event = failed_sample(by(cast.inspector), entity)
    assert (event.indicator, event.occurred_on, event.source_kind, event.source_ref) == (
        "quality.sample_failed",
        dt.date(2024, 5, 10),
        "inspection",
        "CJ-1",
    )
    assert event.cites == ["5", "10.2", "16.1"]
    assert event.recorded_by == "inspector" or event.recorded_by.startswith("inspector")
    assert event.recorded_by_user_id == cast.inspector.pk
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None and entry.action == "credit.event.record"
    assert entry.changes["indicator"] == [None, "quality.sample_failed"]


def test_it_records_a_manual_entry_only_with_evidence_and_reason(cast: Cast) -> None:
    entity = make_entity("seller")
    officer = by(cast.credit_officer)

    def manual(evidence: str, reason: str) -> CreditEvent:
        return services.record_event(
            officer, entity, "returns.refused", DAY, source_kind="manual", evidence=evidence, reason=reason
        )

    assert "证据" in refused(lambda: manual("", "消费者投诉属实")).message
    assert "理由" in refused(lambda: manual("投诉记录 TS-88", "")).message
    event = manual("投诉记录 TS-88", "拒绝七日无理由退货，经核实属实")
    assert event.evidence == "投诉记录 TS-88" and event.source_ref == ""


@pytest.mark.parametrize(
    ("indicator", "roles", "field", "words"),
    [
        ("no.such_indicator", ("seller",), "indicator", "没有指标"),
        ("record.clean_24_months", ("seller",), "indicator", "自动认定"),
        ("platform.seller_unverified", ("seller",), "indicator", "适用于"),
    ],
)
def test_it_refuses_an_indicator_the_pack_or_the_entitys_roles_do_not_allow(
    cast: Cast, indicator: str, roles: tuple[str, ...], field: str, words: str
) -> None:
    entity = make_entity(*roles)
    error = refused(
        lambda: services.record_event(
            by(cast.inspector), entity, indicator, DAY, source_kind="inspection", source_ref="X-1"
        )
    )
    assert words in error.message and field in error.details
    assert not CreditEvent.objects.exists()


def test_it_refuses_a_future_day_an_unknown_source_and_a_missing_reference(cast: Cast) -> None:
    entity = make_entity("seller")
    officer = by(cast.inspector)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert "晚于今天" in refused(lambda: failed_sample(officer, entity, tomorrow)).message
    error = refused(
        lambda: services.record_event(officer, entity, "returns.refused", DAY, source_kind="rumour", source_ref="1")
    )
    assert "inspection（抽查检验）" in error.message
    error = refused(lambda: services.record_event(officer, entity, "returns.refused", DAY, source_kind="complaint"))
    assert "来源编号" in error.message
    assert not CreditEvent.objects.exists()


def test_it_records_a_source_once(cast: Cast) -> None:
    entity = make_entity("seller")
    first = failed_sample(by(cast.inspector), entity)
    error = refused(lambda: failed_sample(by(cast.inspector), entity), ErrorCode.CONFLICT)
    assert error.details == {"event_id": first.pk}
    assert CreditEvent.objects.count() == 1
    failed_sample(by(cast.inspector), entity, ref="CJ-2")  # another inspection


def test_it_refuses_those_who_may_not_record(cast: Cast) -> None:
    entity = make_entity("seller")
    for user in (cast.seller_a, cast.auditor):
        refused(lambda user=user: failed_sample(by(user), entity), ErrorCode.FORBIDDEN)
    assert not CreditEvent.objects.exists()


# --- append-only ----------------------------------------------------------------------------------


def test_it_never_changes_or_removes_a_ledger_row(cast: Cast) -> None:
    entity = make_entity("seller")
    event = failed_sample(by(cast.inspector), entity)
    status = services.withdraw_event(by(cast.credit_officer), event, reason="异议成立，检验程序有误", effective_on=DAY)
    evaluation = services.evaluate_entity(by(cast.credit_officer), entity, DAY)
    for row, model in ((event, CreditEvent), (status, EventStatus), (evaluation, Evaluation)):
        with pytest.raises(ImmutableError):
            row.save()
        with pytest.raises(ImmutableError):
            row.delete()
        with pytest.raises(ImmutableError):
            model.objects.all().update(pk=row.pk)  # type: ignore[attr-defined]
        with pytest.raises(ImmutableError):
            model.objects.all().delete()  # type: ignore[attr-defined]
    event.refresh_from_db()
    assert event.indicator == "quality.sample_failed"


# --- status history -------------------------------------------------------------------------------


def test_it_keeps_a_withdrawal_as_a_new_status_and_stops_counting_from_that_day(cast: Cast) -> None:
    entity = make_entity("seller")
    event = failed_sample(by(cast.inspector), entity)
    services.withdraw_event(
        by(cast.credit_officer),
        event,
        reason="异议成立，样品封存不当",
        effective_on=dt.date(2024, 6, 1),
        source_ref="YY-3",
    )
    history = services.status_history(event)
    assert [(entry.status, entry.effective_on) for entry in history] == [
        ("active", dt.date(2024, 5, 10)),
        ("withdrawn", dt.date(2024, 6, 1)),
    ]
    (fact,) = services.facts_for(entity, DAY)
    assert fact.withdrawn_on == dt.date(2024, 6, 1) and fact.repaired_from is None
    before = services.evaluate_entity(by(cast.credit_officer), entity, dt.date(2024, 5, 31), store=False)
    after = services.evaluate_entity(by(cast.credit_officer), entity, DAY, store=False)
    assert (before.score, after.score) == (65, 80)
    assert refused(
        lambda: services.withdraw_event(by(cast.credit_officer), event, reason="再次撤销申请", effective_on=DAY),
        ErrorCode.CONFLICT,
    ).message.startswith("该信用事件已自 2024-06-01 起撤销")


def test_it_repairs_and_reinstates_by_adding_statuses(cast: Cast) -> None:
    entity = make_entity("seller")
    event = failed_sample(by(cast.inspector), entity)
    officer = by(cast.credit_officer)
    services.repair_event(officer, event, from_date=dt.date(2024, 6, 15), reason="整改完成，复检合格")
    assert services.facts_for(entity, DAY)[0].repaired_from == dt.date(2024, 6, 15)
    refused(lambda: services.repair_event(officer, event, from_date=DAY, reason="重复申请修复"), ErrorCode.CONFLICT)
    services.reinstate_event(officer, event, reason="修复决定有误，予以撤回")
    assert services.facts_for(entity, DAY)[0].repaired_from is None
    refused(lambda: services.reinstate_event(officer, event, reason="再次恢复有效"), ErrorCode.CONFLICT)
    assert [entry.status for entry in services.status_history(event)] == ["active", "repaired", "active"]
    assert EventStatus.objects.filter(event=event).count() == 2


def test_it_refuses_a_status_before_the_event_without_reason_or_right(cast: Cast) -> None:
    entity = make_entity("seller")
    event = failed_sample(by(cast.inspector), entity)
    officer = by(cast.credit_officer)
    assert (
        "早于事件发生日期"
        in refused(
            lambda: services.withdraw_event(
                officer, event, reason="异议成立，检验有误", effective_on=dt.date(2024, 5, 9)
            )
        ).message
    )
    assert "理由" in refused(lambda: services.withdraw_event(officer, event, reason=" ", effective_on=DAY)).message
    refused(
        lambda: services.withdraw_event(by(cast.inspector), event, reason="异议成立，检验有误", effective_on=DAY),
        ErrorCode.FORBIDDEN,
    )
    assert not EventStatus.objects.exists()


def test_it_folds_a_status_history_into_what_the_engine_reads() -> None:
    may, june = dt.date(2024, 5, 1), dt.date(2024, 6, 1)
    assert ledger.fold_statuses([]) == (None, None)
    assert ledger.fold_statuses([("repaired", may), ("withdrawn", june)]) == (june, None)
    assert ledger.fold_statuses([("withdrawn", may), ("repaired", june)]) == (None, june)
    assert ledger.fold_statuses([("repaired", may), ("active", june)]) == (None, None)
    with pytest.raises(ValueError, match="unknown event status"):
        ledger.fold_statuses([("lost", may)])


# --- evaluations ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_evaluates_in_the_primary_role() -> None:
    assert services.primary_role(make_entity("platform", "seller")) == "seller"
    assert services.primary_role(make_entity("infrastructure", "platform")) == "platform"
    assert services.primary_role(make_entity("infrastructure")) == "infrastructure"
    assert ledger.primary_role([]) is None


def test_it_stores_an_evaluation_with_the_pack_and_its_reasons(cast: Cast) -> None:
    entity = make_entity("seller")
    failed_sample(by(cast.inspector), entity)
    evaluation = services.evaluate_entity(by(cast.credit_officer), entity, DAY)
    assert evaluation.pk is not None and not evaluation.batch
    assert (evaluation.pack_id, evaluation.pack_sha256, evaluation.role) == (PACK.id, PACK.sha256, "seller")
    assert (evaluation.base, evaluation.score, evaluation.grade, evaluation.veto_code) == (80, 65, "C", "")
    assert evaluation.reasons == [
        {
            "indicator": "quality.sample_failed",
            "label": "网销商品抽查不合格",
            "points": -15.0,
            "count": 1,
            "cap_applied": False,
            "cites": ["5", "10.2", "16.1"],
            "public": True,
        }
    ]
    assert evaluation.extension_note == ""
    assert AuditEntry.objects.filter(action="credit.evaluation.create", target_id=str(evaluation.pk)).exists()
    result = services.explain(evaluation)
    assert result.reasons[0].event_ids == (CreditEvent.objects.get().pk,)


def test_it_returns_the_stored_row_when_evaluating_the_same_day_again(cast: Cast) -> None:
    entity = make_entity("seller")
    failed_sample(by(cast.inspector), entity)
    officer = by(cast.credit_officer)
    first = services.evaluate_entity(officer, entity, DAY)
    again = services.evaluate_entity(officer, entity, DAY)
    unsaved = services.evaluate_entity(officer, entity, DAY, store=False)
    assert again.pk == unsaved.pk == first.pk
    assert Evaluation.objects.count() == 1
    assert services.evaluation_outcome(again) == services.reproduce(first)


def test_it_reproduces_a_stored_evaluation_after_the_ledger_learns_more(cast: Cast) -> None:
    entity = make_entity("seller")
    officer = by(cast.credit_officer)
    failed_sample(by(cast.inspector), entity)
    stored = services.evaluate_entity(officer, entity, DAY)
    # Learned later: a refused return before that day, and the failed sample withdrawn from before it.
    services.record_event(
        by(cast.inspector), entity, "returns.refused", dt.date(2024, 6, 2), source_kind="complaint", source_ref="TS-9"
    )
    services.withdraw_event(
        officer, CreditEvent.objects.get(indicator="quality.sample_failed"), reason="异议成立", effective_on=DAY
    )
    newer = services.evaluate_entity(officer, entity, DAY)
    assert newer.pk != stored.pk and (stored.score, newer.score) == (65, 75)
    stored.refresh_from_db()
    assert services.reproduce(stored) == services.evaluation_outcome(stored)
    assert services.reproduce(newer) == services.evaluation_outcome(newer)
    assert [row.pk for row in queries.grade_history(entity)] == [stored.pk, newer.pk]
    assert queries.latest_evaluation(entity) == newer


def test_it_keeps_a_grade_history_by_day(cast: Cast) -> None:
    entity = make_entity("seller")
    officer = by(cast.credit_officer)
    failed_sample(by(cast.inspector), entity)
    days = [dt.date(2024, 4, 30), dt.date(2024, 5, 31), dt.date(2025, 3, 30)]
    for day in reversed(days):
        services.evaluate_entity(officer, entity, day)
    assert [(row.as_of, row.grade) for row in queries.grade_history(entity)] == [
        (days[0], "B"),
        (days[1], "C"),
        (days[2], "C"),
    ]


def test_it_refuses_a_day_outside_the_pack_until_an_extension_is_recorded(cast: Cast) -> None:
    entity = make_entity("seller")
    officer = by(cast.credit_officer)
    today = timezone.localdate()
    error = refused(lambda: services.evaluate_entity(officer, entity, today), ErrorCode.CONFLICT)
    assert "超出政策包有效期" in error.message
    policy.record_extension(by(cast.admin), PACK.id, until=today + dt.timedelta(days=30), reason=REASON)
    evaluation = services.evaluate_entity(officer, entity, today)
    assert evaluation.extension_note and "延期" in evaluation.extension_note
    assert services.reproduce(evaluation) == services.evaluation_outcome(evaluation)


def test_it_refuses_those_who_may_not_evaluate_or_view(cast: Cast) -> None:
    entity = make_entity("seller")
    refused(lambda: services.evaluate_entity(by(cast.inspector), entity, DAY), ErrorCode.FORBIDDEN)
    refused(lambda: services.evaluate_entity(by(cast.seller_a), entity, DAY, store=False), ErrorCode.FORBIDDEN)
    assert services.evaluate_entity(by(cast.inspector), entity, DAY, store=False).pk is None
    assert not Evaluation.objects.exists()


def test_it_reads_the_ledger_as_known_at_a_moment(cast: Cast) -> None:
    entity = make_entity("seller")
    event = failed_sample(by(cast.inspector), entity)
    assert services.facts_for(entity, DAY, known_at=event.recorded_at - dt.timedelta(seconds=1)) == []
    assert services.facts_for(entity, DAY, known_at=event.recorded_at) == [
        engine.EventFact(event.pk, "quality.sample_failed", dt.date(2024, 5, 10))
    ]
    assert services.facts_for(entity, dt.date(2024, 5, 9)) == []


def test_it_finds_an_entity_by_its_code(cast: Cast) -> None:
    entity = make_entity("seller")
    assert entity.uscc is not None
    assert queries.entity_by_code(f" {entity.uscc.lower()} ") == entity
    assert queries.entity_by_code("91350583MA00000000") is None
    assert queries.entity_by_code("") is None


def test_it_lets_the_system_act(cast: Cast) -> None:
    entity = make_entity("seller")
    failed_sample(SYSTEM, entity)
    assert services.evaluate_entity(SYSTEM, entity, DAY).score == 65
