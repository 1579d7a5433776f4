"""Every change to the credit archive: recording events, their status changes, and evaluations.

Other domains (inspections, cases, complaints, filings, the association) create credit events only
through :func:`record_event`. The ledger is append-only: a correction is a new status entry, and a
stored evaluation is never changed — evaluating again adds a row only when the answer differs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from ecredit.accounts.actors import Actor
from ecredit.accounts.roles import Action
from ecredit.audit import services as audit
from ecredit.credit import engine, ledger, procedures
from ecredit.credit.models import CreditEvent, Evaluation, EventStatus, EventStatusKind, SourceKind
from ecredit.errors import DomainError, ErrorCode
from ecredit.policy import services as policy
from ecredit.policy.model import Pack
from ecredit.policy.packs import active_pack, load_pack
from ecredit.registry.models import Entity, EntityRole

REF_LIMIT = 100
MIN_REASON_LENGTH = 4
ROLE_LABELS = dict(EntityRole.choices)


def _require(actor: Actor, action: Action) -> None:
    if not actor.can(action):
        raise DomainError(ErrorCode.FORBIDDEN)


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(ErrorCode.VALIDATION, message, {field: message})


def _tidy(raw: str) -> str:
    return " ".join(raw.replace("\u3000", " ").split())


def _roles_text(roles: frozenset[str] | list[str]) -> str:
    return "、".join(str(ROLE_LABELS.get(role, role)) for role in ledger.ROLE_PRIORITY if role in roles)


def primary_role(entity: Entity) -> str | None:
    """The role an entity is evaluated in: seller > platform > infrastructure."""
    return ledger.primary_role(entity.roles)


# --- recording events -----------------------------------------------------------------------------


def record_event(
    actor: Actor,
    entity: Entity,
    indicator: str,
    occurred_on: dt.date,
    *,
    source_kind: str,
    source_ref: str = "",
    evidence: str = "",
    reason: str = "",
    pack: Pack | None = None,
) -> CreditEvent:
    """Add one event to ``entity``'s ledger. The indicator must be one the pack defines for one of the
    entity's roles; a source object is named by ``source_kind`` and ``source_ref`` (a manual entry
    instead carries its evidence and reason). The same source never records the same indicator twice."""
    _require(actor, Action.CREDIT_RECORD)
    pack = pack or active_pack()
    source_ref, evidence, reason = source_ref.strip(), evidence.strip(), reason.strip()
    rule = pack.indicators.get(indicator)
    if rule is None:
        raise _invalid("indicator", f"政策包“{pack.title}”（{pack.id}）中没有指标 {indicator}。")
    if rule.kind == "clean_record":
        raise _invalid("indicator", f"指标“{rule.label}”（{indicator}）由系统在评价时自动认定，不能作为信用事件录入。")
    held = entity.roles
    if not held:
        raise _invalid("entity", f"{entity.name} 未登记任何经营角色，不能记录信用事件。")
    if not rule.roles & set(held):
        raise _invalid(
            "indicator",
            f"指标“{rule.label}”适用于{_roles_text(rule.roles)}，而{entity.name}登记的角色是{_roles_text(held)}。",
        )
    today = timezone.localdate()
    if occurred_on > today:
        raise _invalid("occurred_on", f"发生日期 {occurred_on} 晚于今天（{today}），不能记录尚未发生的事件。")
    if source_kind not in SourceKind.values:
        accepted = "、".join(f"{value}（{label}）" for value, label in SourceKind.choices)
        raise _invalid("source_kind", f"来源类型应为：{accepted}。")
    if len(source_ref) > REF_LIMIT:
        raise _invalid("source_ref", f"来源编号不能超过 {REF_LIMIT} 个字符。")
    if source_kind == SourceKind.MANUAL:
        if not evidence:
            raise _invalid("evidence", "人工录入的信用事件必须写明证据（文书编号、材料或链接）。")
        if len(_tidy(reason)) < MIN_REASON_LENGTH:
            raise _invalid("reason", f"人工录入的信用事件必须写明理由（至少 {MIN_REASON_LENGTH} 个字）。")
    elif not source_ref:
        raise _invalid("source_ref", "请填写来源编号（抽查、案件、投诉或备案的编号），以便追溯。")
    with transaction.atomic():
        if source_ref:
            duplicate = (
                CreditEvent.objects.filter(
                    entity=entity, indicator=indicator, source_kind=source_kind, source_ref=source_ref
                )
                .values_list("pk", flat=True)
                .first()
            )
            if duplicate is not None:
                raise DomainError(
                    ErrorCode.CONFLICT,
                    f"来源 {source_kind}:{source_ref} 已为{entity.name}记录过指标 {indicator}（事件 #{duplicate}），不重复记录。",
                    {"event_id": duplicate},
                )
        event = CreditEvent(
            entity=entity,
            indicator=indicator,
            occurred_on=occurred_on,
            recorded_at=timezone.now(),
            source_kind=source_kind,
            source_ref=source_ref,
            evidence=evidence,
            reason=reason,
            cites=list(rule.cites),
            recorded_by=actor.label[:200],
            recorded_by_user_id=actor.user_id,
        )
        event.save(force_insert=True)
        audit.record(
            actor=actor,
            action="credit.event.record",
            target=event,
            changes={
                "entity_id": [None, entity.pk],
                "indicator": [None, indicator],
                "occurred_on": [None, occurred_on.isoformat()],
                "source": [None, f"{source_kind}:{source_ref}" if source_ref else source_kind],
                "pack": [None, f"{pack.id}@{pack.sha256[:12]}"],
            },
        )
    return event


def record_registry_facts(
    actor: Actor, indicator: str, occurred_on: dt.date, facts: Sequence[tuple[Entity, str]], *, pack: Pack | None = None
) -> int:
    """Record the same registry fact (``filing.current`` for entities arriving with an approved filing in
    a bulk import) for many entities at once: one ``(entity, source_ref)`` each. Entities whose roles the
    pack does not apply the indicator to are passed over, as ``record_event`` would refuse them; the
    caller's transaction and audit entry (the import's) cover the whole set. Returns how many were recorded."""
    pack = pack or active_pack()
    rule = pack.indicators.get(indicator)
    if rule is None or rule.kind == "clean_record":
        raise _invalid("indicator", f"政策包“{pack.title}”（{pack.id}）中没有可录入的指标 {indicator}。")
    now = timezone.now()
    events = [
        CreditEvent(
            entity=entity,
            indicator=indicator,
            occurred_on=occurred_on,
            recorded_at=now,
            source_kind=SourceKind.FILING,
            source_ref=source_ref,
            cites=list(rule.cites),
            recorded_by=actor.label[:200],
            recorded_by_user_id=actor.user_id,
        )
        for entity, source_ref in facts
        if rule.roles & set(entity.roles)
    ]
    CreditEvent.objects.bulk_create(events)
    return len(events)


# --- status changes (the ledger side of objections and repairs) -----------------------------------


@dataclass(frozen=True)
class StatusEntry:
    status: str
    effective_on: dt.date
    reason: str
    decided_by: str
    at: dt.datetime


def status_history(event: CreditEvent) -> list[StatusEntry]:
    """The event's history, oldest first: active from the day it occurred, then every recorded change."""
    history = [StatusEntry(EventStatusKind.ACTIVE, event.occurred_on, "", event.recorded_by, event.recorded_at)]
    for entry in event.statuses.order_by("created_at", "pk"):
        history.append(StatusEntry(entry.status, entry.effective_on, entry.reason, entry.decided_by, entry.created_at))
    return history


def _change_status(
    actor: Actor, event: CreditEvent, status: str, effective_on: dt.date, reason: str, source_ref: str
) -> EventStatus:
    _require(actor, Action.CREDIT_CORRECT)
    reason, source_ref = _tidy(reason), source_ref.strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise _invalid("reason", f"请写明理由（至少 {MIN_REASON_LENGTH} 个字）。")
    if len(source_ref) > REF_LIMIT:
        raise _invalid("source_ref", f"依据编号不能超过 {REF_LIMIT} 个字符。")
    if effective_on < event.occurred_on:
        raise _invalid("effective_on", f"生效日期 {effective_on} 不能早于事件发生日期 {event.occurred_on}。")
    with transaction.atomic():
        entries = list(event.statuses.order_by("created_at", "pk").values_list("status", "effective_on"))
        withdrawn_on, repaired_from = ledger.fold_statuses(entries)
        if withdrawn_on is not None:
            raise DomainError(ErrorCode.CONFLICT, f"该信用事件已自 {withdrawn_on} 起撤销。")
        if status == EventStatusKind.REPAIRED and repaired_from is not None:
            raise DomainError(ErrorCode.CONFLICT, f"该信用事件已自 {repaired_from} 起修复。")
        if status == EventStatusKind.ACTIVE and repaired_from is None:
            raise DomainError(ErrorCode.CONFLICT, "该信用事件本就有效，无需恢复。")
        entry = EventStatus(
            event=event,
            status=status,
            effective_on=effective_on,
            reason=reason,
            source_ref=source_ref,
            decided_by=actor.label[:200],
            decided_by_user_id=actor.user_id,
            created_at=timezone.now(),
        )
        entry.save(force_insert=True)
        audit.record(
            actor=actor,
            action=f"credit.event.{status}",
            target=event,
            changes={
                "status": [None, status],
                "effective_on": [None, effective_on.isoformat()],
                "reason": [None, reason],
            },
        )
    return entry


def withdraw_event(
    actor: Actor, event: CreditEvent, *, reason: str, effective_on: dt.date, source_ref: str = ""
) -> EventStatus:
    """An upheld objection: the event no longer counts from ``effective_on`` (and never again)."""
    return _change_status(actor, event, EventStatusKind.WITHDRAWN, effective_on, reason, source_ref)


def repair_event(
    actor: Actor, event: CreditEvent, *, from_date: dt.date, reason: str, source_ref: str = ""
) -> EventStatus:
    """A granted repair: the event stops counting from ``from_date``."""
    return _change_status(actor, event, EventStatusKind.REPAIRED, from_date, reason, source_ref)


def reinstate_event(actor: Actor, event: CreditEvent, *, reason: str, source_ref: str = "") -> EventStatus:
    """Void a repair granted in error (a withdrawal stands: an upheld objection is final)."""
    return _change_status(actor, event, EventStatusKind.ACTIVE, event.occurred_on, reason, source_ref)


# --- what the engine reads ------------------------------------------------------------------------


def _day(value: dt.date | str) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def facts_for(entity: Entity, as_of: dt.date, *, known_at: dt.datetime | None = None) -> list[engine.EventFact]:
    """The entity's ledger as the engine reads it on ``as_of``, with statuses folded in; with
    ``known_at``, only what had been recorded by then (how a stored evaluation is reproduced).

    One query (events, each with its status entries) — evaluating one entity must stay well under
    10 ms with 500 events, and the ORM's per-row work would take most of that."""
    ops = connection.ops
    events, statuses = CreditEvent._meta.db_table, EventStatus._meta.db_table
    known = "" if known_at is None else "AND e.recorded_at <= %s"
    status_known = "" if known_at is None else "AND s.created_at <= %s"
    params: list[Any] = [] if known_at is None else [ops.adapt_datetimefield_value(known_at)]
    params += [entity.pk, ops.adapt_datefield_value(as_of)]
    if known_at is not None:
        params.append(ops.adapt_datetimefield_value(known_at))
    sql = (
        f"SELECT e.id, e.indicator, e.occurred_on, s.status, s.effective_on FROM {events} e "  # noqa: S608
        f"LEFT JOIN {statuses} s ON s.event_id = e.id {status_known} "
        f"WHERE e.entity_id = %s AND e.occurred_on <= %s {known} ORDER BY e.id, s.created_at, s.id"
    )
    facts: list[engine.EventFact] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    history: list[tuple[str, dt.date]] = []
    for index, (event_id, indicator, occurred_on, status, effective_on) in enumerate(rows):
        if status is not None:
            history.append((status, _day(effective_on)))
        if index + 1 < len(rows) and rows[index + 1][0] == event_id:
            continue  # more status entries of the same event follow
        withdrawn_on, repaired_from = ledger.fold_statuses(history) if history else (None, None)
        facts.append(engine.EventFact(event_id, indicator, _day(occurred_on), withdrawn_on, repaired_from))
        history = []
    return facts


# --- evaluations ----------------------------------------------------------------------------------


def coverage(as_of: dt.date, pack: Pack | str | None = None) -> policy.Coverage:
    """The pack that governs ``as_of`` (named, given, or picked), refused outside its period unless
    an administrator extended it."""
    if isinstance(pack, Pack):
        return policy.coverage_for(pack, as_of)
    return policy.pick_pack(as_of, pack)


def evaluation_outcome(evaluation: Evaluation) -> ledger.Outcome:
    """A stored evaluation in the shape the engine's results are compared in."""
    return ledger.Outcome(
        role=evaluation.role,
        as_of=evaluation.as_of,
        pack_id=evaluation.pack_id,
        pack_sha256=evaluation.pack_sha256,
        base=evaluation.base,
        score=evaluation.score,
        grade=evaluation.grade,
        veto=evaluation.veto,
        bonus_capped=evaluation.bonus_capped,
        reasons=evaluation.reasons,
        unknown_indicators=evaluation.unknown_indicators,
    )


def evaluation_row(
    entity_id: int, outcome: ledger.Outcome, *, extension_note: str, created_at: dt.datetime, batch: bool = False
) -> Evaluation:
    return Evaluation(
        entity_id=entity_id,
        role=outcome.role,
        as_of=outcome.as_of,
        pack_id=outcome.pack_id,
        pack_sha256=outcome.pack_sha256,
        base=outcome.base,
        score=outcome.score,
        grade=outcome.grade,
        veto_code=outcome.veto_code,
        veto=outcome.veto,
        bonus_capped=outcome.bonus_capped,
        reasons=outcome.reasons,
        unknown_indicators=outcome.unknown_indicators,
        extension_note=extension_note,
        batch=batch,
        created_at=created_at,
    )


def _role_or_refuse(entity: Entity) -> str:
    role = primary_role(entity)
    if role is None:
        raise _invalid("entity", f"{entity.name} 未登记任何经营角色，无法评价。")
    return role


def evaluate_entity(
    actor: Actor, entity: Entity, as_of: dt.date, pack: Pack | str | None = None, store: bool = True
) -> Evaluation:
    """Evaluate ``entity`` on ``as_of`` under the pack governing that day (or ``pack``).

    With ``store``, the result is kept in the archive — unless the latest stored evaluation of that
    day under the same pack file says exactly the same, which is then returned instead of a copy.
    Without ``store``, the same stored row is returned when it still holds, else an unsaved one."""
    _require(actor, Action.CREDIT_EVALUATE if store else Action.CREDIT_VIEW)
    role = _role_or_refuse(entity)
    covered = coverage(as_of, pack)
    # Only storing writes: a look alone takes no write lock (SQLite's transactions take it at BEGIN).
    with transaction.atomic() if store else contextlib.nullcontext():
        now = timezone.now()
        facts = facts_for(entity, as_of, known_at=now)
        outcome = ledger.outcome(engine.evaluate(covered.pack, facts, role, as_of))
        latest = (
            Evaluation.objects.filter(
                entity=entity, role=role, as_of=as_of, pack_id=covered.pack.id, pack_sha256=covered.pack.sha256
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        if latest is not None and evaluation_outcome(latest) == outcome and latest.extension_note == covered.note:
            return latest
        evaluation = evaluation_row(entity.pk, outcome, extension_note=covered.note, created_at=now)
        if not store:
            return evaluation
        evaluation.save(force_insert=True)
        audit.record(
            actor=actor,
            action="credit.evaluation.create",
            target=evaluation,
            target_repr=f"{entity.name} {evaluation}"[:300],
            changes={
                "entity_id": [None, entity.pk],
                "as_of": [None, as_of.isoformat()],
                "pack": [None, f"{covered.pack.id}@{covered.pack.sha256[:12]}"],
                "score": [None, str(outcome.score)],
                "grade": [None, outcome.grade],
                "previous": [None, latest.pk if latest else None],
            },
        )
        procedures.check_warning(entity, procedures.previous_evaluation(evaluation), evaluation)
    return evaluation


def explain(evaluation: Evaluation, pack: Pack | None = None) -> engine.Result:
    """The engine's full answer behind an evaluation (stored or not): same day, same pack, and the
    ledger as it was known when it was made — with the events behind each reason and the veto."""
    pack = pack or load_pack(evaluation.pack_id)  # the day's coverage was checked when it was made
    facts = facts_for(evaluation.entity, evaluation.as_of, known_at=evaluation.created_at)
    return engine.evaluate(pack, facts, evaluation.role, evaluation.as_of)


def reproduce(evaluation: Evaluation, pack: Pack | None = None) -> ledger.Outcome:
    """Evaluate again what a stored evaluation answered. Equal to ``evaluation_outcome(evaluation)``
    unless the pack file changed since (then its SHA-256 differs) or the ledger was tampered with."""
    return ledger.outcome(explain(evaluation, pack))
