"""A filing's life reaches the credit ledger: in force → ``filing.current``, no longer → ``filing.lapsed``.

The registry records these events itself, through ``credit.services.record_event``, in the same
transaction as the filing's step."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from ecredit.accounts.actors import Actor
from ecredit.accounts.roles import Action
from ecredit.audit.models import AuditEntry
from ecredit.credit import batch
from ecredit.credit import services as credit
from ecredit.credit.models import CreditEvent, Evaluation
from ecredit.errors import DomainError, ErrorCode
from ecredit.policy import services as policy
from ecredit.policy.packs import active_pack
from ecredit.registry import services
from ecredit.registry.models import Entity, Filing, FilingStatus
from tests.cast import Cast
from tests.registry.helpers import actor, approved_filing, filing_data, register

pytestmark = pytest.mark.django_db

REASON = "网销花洒经抽检不合格，整改期间暂停备案"


def events(entity: Entity) -> list[tuple[str, str, dt.date]]:
    return list(
        CreditEvent.objects.filter(entity=entity).order_by("pk").values_list("indicator", "source_ref", "occurred_on")
    )


@contextmanager
def on(day: dt.date) -> Iterator[None]:
    """Run a step as if today were ``day`` (what the registry and the ledger both read)."""
    with mock.patch.object(timezone, "localdate", return_value=day):
        yield


def seller_with_filing(cast: Cast) -> tuple[Entity, Filing]:
    entity = register(cast.credit_officer, "卖家甲", organisation=cast.seller_a_org)
    filing = services.create_filing(actor(cast.seller_a), entity, filing_data("卖家甲"))
    return entity, services.submit_filing(actor(cast.seller_a), filing, declaration=True)


def test_it_records_filing_current_when_a_filing_is_first_approved(cast: Cast) -> None:
    entity, filing = seller_with_filing(cast)
    assert not CreditEvent.objects.exists()
    services.approve_filing(actor(cast.credit_officer), filing)
    event = CreditEvent.objects.get(entity=entity)
    assert (event.indicator, event.source_kind, event.source_ref) == ("filing.current", "filing", filing.number)
    assert event.occurred_on == timezone.localdate() and event.cites == ["8"]
    # The system records the registry's fact, labelled with the officer whose approval caused it.
    officer = actor(cast.credit_officer)
    assert event.recorded_by == f"{officer.label}（备案联动）"
    assert event.recorded_by_user_id == cast.credit_officer.pk
    entry = AuditEntry.objects.get(action="credit.event.record")
    assert entry.via == "system" and entry.actor_user_id == cast.credit_officer.pk
    assert entry.seq == AuditEntry.objects.get(action="registry.filing.approve").seq + 2  # after the badge


def test_it_does_not_record_again_when_an_amendment_is_approved(cast: Cast) -> None:
    entity = register(cast.credit_officer, "卖家甲", organisation=cast.seller_a_org)
    filing = approved_filing(cast.credit_officer, cast.seller_a, entity)
    filing = services.amend_filing(actor(cast.seller_a), filing, filing_data("卖家甲", contact_phone="0595-86380000"))
    services.submit_filing(actor(cast.seller_a), filing, declaration=True)
    services.approve_filing(actor(cast.credit_officer), filing)
    assert [indicator for indicator, _, _ in events(entity)] == ["filing.current"]


def test_it_records_a_lapse_on_suspension_and_current_again_on_reinstatement(cast: Cast) -> None:
    entity = register(cast.credit_officer, "卖家甲", organisation=cast.seller_a_org)
    filing = approved_filing(cast.credit_officer, cast.seller_a, entity)
    officer = actor(cast.credit_officer)
    services.suspend_filing(officer, filing, reason=REASON)
    assert events(entity)[-1][:2] == ("filing.lapsed", filing.number)
    services.reinstate_filing(officer, filing, reason="整改完成，经复查恢复备案")
    services.suspend_filing(officer, filing, reason=REASON)
    services.reinstate_filing(officer, filing, reason="整改完成，经复查恢复备案")
    # Each step is its own fact: the filing's later ones are numbered, so none is refused as a repeat.
    n = filing.number
    assert [(indicator, ref) for indicator, ref, _ in events(entity)] == [
        ("filing.current", n),
        ("filing.lapsed", n),
        ("filing.current", f"{n}#2"),
        ("filing.lapsed", f"{n}#2"),
        ("filing.current", f"{n}#3"),
    ]


def test_it_records_one_lapse_when_a_suspended_filing_is_then_revoked(cast: Cast) -> None:
    entity = register(cast.credit_officer, "卖家甲", organisation=cast.seller_a_org)
    filing = approved_filing(cast.credit_officer, cast.seller_a, entity)
    services.suspend_filing(actor(cast.credit_officer), filing, reason=REASON)
    services.revoke_filing(actor(cast.credit_officer), filing, reason="备案信息不实，撤销备案")
    assert [indicator for indicator, _, _ in events(entity)] == ["filing.current", "filing.lapsed"]


def test_it_records_a_lapse_when_the_operator_deregisters_without_any_credit_right(cast: Cast) -> None:
    entity = register(cast.credit_officer, "卖家甲", organisation=cast.seller_a_org)
    filing = approved_filing(cast.credit_officer, cast.seller_a, entity)
    operator = actor(cast.seller_a)
    assert not operator.can(Action.CREDIT_RECORD)
    services.deregister_filing(operator, filing, reason="已停止网络经营，申请注销")
    lapse = CreditEvent.objects.filter(entity=entity).latest("pk")
    assert lapse.indicator == "filing.lapsed" and lapse.recorded_by_user_id == cast.seller_a.pk


def test_it_records_the_approval_of_a_platform_client_that_holds_no_credit_scope(cast: Cast) -> None:
    entity, filing = seller_with_filing(cast)
    client = Actor(label="平台对接（令牌）", via="api", scopes=frozenset({Action.FILING_REVIEW}))
    services.approve_filing(client, filing)
    assert CreditEvent.objects.get(entity=entity).recorded_by == "平台对接（令牌）（备案联动）"


def test_it_records_nothing_for_a_draft_deregistered_before_it_was_ever_approved(cast: Cast) -> None:
    entity = register(cast.credit_officer, "卖家甲", organisation=cast.seller_a_org)
    filing = services.create_filing(actor(cast.seller_a), entity, filing_data("卖家甲"))
    services.deregister_filing(actor(cast.seller_a), filing, reason="不再经营网店，撤回备案")
    assert not CreditEvent.objects.exists()


def test_it_skips_silently_when_the_pack_does_not_apply_the_indicator_to_the_entitys_roles(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = active_pack()
    narrowed = dataclasses.replace(pack.indicators["filing.current"], roles=frozenset({"platform"}))
    monkeypatch.setattr(
        services,
        "active_pack",
        lambda: dataclasses.replace(pack, indicators=pack.indicators | {narrowed.code: narrowed}),
    )
    entity, filing = seller_with_filing(cast)
    assert services.approve_filing(actor(cast.credit_officer), filing).status == FilingStatus.APPROVED
    assert not CreditEvent.objects.filter(entity=entity).exists()


def test_a_refusal_by_the_ledger_undoes_the_filings_step(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    entity, filing = seller_with_filing(cast)

    def refuse(*args: object, **kwargs: object) -> None:
        raise DomainError(ErrorCode.CONFLICT, "信用档案拒绝记录")

    monkeypatch.setattr(credit, "record_event", refuse)
    with pytest.raises(DomainError):
        services.approve_filing(actor(cast.credit_officer), filing)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.SUBMITTED and filing.first_approved_on is None
    assert not entity.badges.exists() and not AuditEntry.objects.filter(action="registry.filing.approve").exists()


def test_an_operator_cannot_approve_and_nothing_reaches_the_ledger(cast: Cast) -> None:
    _entity, filing = seller_with_filing(cast)
    with pytest.raises(DomainError) as refused:
        services.approve_filing(actor(cast.seller_a), filing)
    assert refused.value.code is ErrorCode.FORBIDDEN and not CreditEvent.objects.exists()


def test_the_evaluation_counts_the_filing_while_in_force_and_not_while_suspended(cast: Cast) -> None:
    pack = active_pack()
    today = timezone.localdate()
    policy.record_extension(
        actor(cast.admin),
        pack.id,
        until=max(today, pack.in_force_until) + dt.timedelta(days=365),
        reason="主管部门通知：新办法出台前继续试行本制度",
    )
    approved_on, suspended_on = today - dt.timedelta(days=20), today - dt.timedelta(days=10)
    entity, filing = seller_with_filing(cast)
    officer = actor(cast.credit_officer)
    with on(approved_on):
        services.approve_filing(officer, filing)
    with on(suspended_on):
        services.suspend_filing(officer, filing, reason=REASON)
    services.reinstate_filing(officer, filing, reason="整改完成，经复查恢复备案")

    def evaluate(day: dt.date) -> tuple[Decimal, list[str]]:
        evaluation = credit.evaluate_entity(officer, entity, day)
        assert evaluation.extension_note == policy.coverage_for(pack, day).note != ""
        return evaluation.score, [reason["indicator"] for reason in evaluation.reasons]

    base = Decimal(pack.scale.base)
    assert evaluate(approved_on - dt.timedelta(days=1)) == (base, [])
    assert evaluate(approved_on) == (base + 5, ["filing.current"])
    assert evaluate(suspended_on - dt.timedelta(days=1)) == (base + 5, ["filing.current"])
    assert evaluate(suspended_on) == (base, [])
    assert evaluate(today) == (base + 5, ["filing.current"])


def test_a_filing_suspended_on_the_day_it_was_approved_no_longer_counts(cast: Cast) -> None:
    pack = active_pack()
    today = timezone.localdate()
    if not pack.in_force(today):
        policy.record_extension(actor(cast.admin), pack.id, until=today, reason="主管部门通知：新办法出台前继续试行")
    entity, filing = seller_with_filing(cast)
    officer = actor(cast.credit_officer)
    services.approve_filing(officer, filing)
    services.suspend_filing(officer, filing, reason=REASON)
    assert credit.evaluate_entity(officer, entity, today).score == pack.scale.base
    # The batch (which reads days, not the order of one day's events) agrees: it hands this entity
    # to the engine.
    batch.evaluate_all(officer, today)
    assert Evaluation.objects.filter(entity=entity).latest("pk").score == pack.scale.base
    # Reinstated the same day: the filing counts again, in both.
    services.reinstate_filing(officer, filing, reason=REASON)
    filing_bonus = pack.indicators["filing.current"].points
    assert credit.evaluate_entity(officer, entity, today).score == pack.scale.base + filing_bonus
    batch.evaluate_all(officer, today)
    assert Evaluation.objects.filter(entity=entity).latest("pk").score == pack.scale.base + filing_bonus
