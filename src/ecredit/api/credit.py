"""The credit archive over HTTP (/api/v1/credit/…): events, evaluations and grade history.

Departments' clients may record any indicator the pack defines for the entity's roles. A platform's
client may report only what a platform observes in its own data (``PLATFORM_INDICATORS``), and only
about entities that keep a storefront on a platform its organisation runs. Every evaluation answer
carries the scheme's notice and, when the day rests on an extension of the pack (Art. 25), its note.

Thin: each operation declares its one action, finds the entity, calls one service, shapes the answer.
No ``from __future__ import annotations`` here: ninja reads the annotations at import time."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from ecredit.accounts.actors import Actor
from ecredit.accounts.models import Organisation
from ecredit.accounts.roles import GOVERNMENT, Action, OrgKind
from ecredit.api.base import Pagination, allows, check_declarations, needs
from ecredit.api.schemas import ErrorOut
from ecredit.credit import queries, services
from ecredit.credit.models import CreditEvent, Evaluation, EventStatusKind, SourceKind
from ecredit.credit.views import grade_label, pack_for
from ecredit.errors import DomainError, ErrorCode
from ecredit.policy.packs import active_pack
from ecredit.registry.models import Entity, Storefront

router = Router(tags=["credit"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}

# What a platform sees in its own data about the sellers on its marketplace: complaints it handled,
# listings, returns and receipts, the badge on the shop front. Inspections, cases and penalties are
# the departments' to record.
PLATFORM_INDICATORS = (
    "complaint.unresolved",
    "listing.disclosure_missing",
    "listing.false_information",
    "returns.refused",
    "receipts.missing",
    "filing.badge_missing",
)


# --- schemas --------------------------------------------------------------------------------------


class EventIn(Schema):
    entity_id: int | None = Field(None, description="经营主体编号（与 entity_code 二选一）")
    entity_code: str = Field("", description="统一社会信用代码，或自然人的居民身份证号码（与 entity_id 二选一）")
    indicator: str = Field(description="政策包中的指标代码，如 complaint.unresolved")
    occurred_on: dt.date = Field(description="发生日期（不得晚于今天）")
    source_kind: str = Field(
        "",
        description="来源：inspection、case、complaint、filing、manual、platform、association；"
        "部门默认 manual，平台固定为 platform",
    )
    source_ref: str = Field("", description="来源编号（投诉单号、检验报告号、案件号等）；人工录入以外必填")
    evidence: str = Field("", description="证据：文书编号、材料或链接（人工录入必填）")
    reason: str = Field("", description="理由（人工录入必填，至少 4 个字）")


class StatusOut(Schema):
    status: str = Field(description="active（有效）、withdrawn（异议成立已撤销）、repaired（已修复）")
    label: str
    effective_on: dt.date
    reason: str
    decided_by: str
    at: dt.datetime


class EventOut(Schema):
    id: int
    entity_id: int
    indicator: str
    label: str = Field(description="指标名称")
    occurred_on: dt.date
    recorded_at: dt.datetime
    source_kind: str
    source_ref: str
    evidence: str
    reason: str
    cites: list[str] = Field(description="依据条款，如 10.3 即第十条第（三）项")
    recorded_by: str
    status: str = Field(description="当前状态")
    statuses: list[StatusOut] = Field(description="状态变更记录（最早的在前）")


class ReasonOut(Schema):
    indicator: str
    label: str
    points: float = Field(description="该指标对基础分的加减（扣分为负）")
    count: int = Field(description="计入的事件数（连续无失信记录为 0）")
    cap_applied: bool = Field(description="是否已达该项上限（加分项也可能因加分总上限被截）")
    cites: list[str]
    public: bool = Field(description="可向公众公开的原因")


class VetoOut(Schema):
    code: str
    label: str
    cites: list[str]
    grade: str = Field(description="一票否决确定的等级")
    until: dt.date = Field(description="该否决适用至此日（含）")


class EvaluationOut(Schema):
    id: int
    entity_id: int
    code: str = Field(description="统一社会信用代码；自然人为脱敏号码")
    role: str = Field(description="评价角色：seller、platform 或 infrastructure")
    as_of: dt.date = Field(description="评价日期")
    pack: str = Field(description="政策包编号")
    pack_sha256: str = Field(description="政策包文件的 SHA-256")
    base: int = Field(description="基础分")
    score: float
    grade: str
    grade_label: str
    reasons: list[ReasonOut]
    veto: VetoOut | None
    bonus_capped: bool = Field(description="加分项合计已达上限")
    unknown_indicators: list[str] = Field(description="账本中该政策包未定义的指标（未计分）")
    extension_note: str = Field(description="评价日期超出政策包有效期、依据延期时的说明；否则为空")
    notice: str = Field(description="评分标准说明（默认方案，可由主管部门调整）")
    created_at: dt.datetime = Field(description="评价时间")


class HistoryOut(Schema):
    id: int
    as_of: dt.date
    score: float
    grade: str
    grade_label: str
    pack: str
    pack_sha256: str
    extension_note: str
    batch: bool = Field(description="由批量评价产生")
    created_at: dt.datetime


class EvaluateIn(Schema):
    as_of: dt.date = Field(description="评价日期；政策包有效期以外须有系统管理员记录的延期")


class EvaluationQuery(Schema):
    as_of: dt.date | None = Field(None, description="只看该日的评价；不填为最近一次")


# --- looking things up ----------------------------------------------------------------------------


def _actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "auth", None)
    if not isinstance(actor, Actor):
        raise DomainError(ErrorCode.UNAUTHENTICATED)
    return actor


def _entity(entity_id: int) -> Entity:
    entity = Entity.objects.filter(pk=entity_id).first()
    if entity is None:
        raise DomainError(ErrorCode.NOT_FOUND, "未找到该经营主体。")
    return entity


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(ErrorCode.VALIDATION, message, {field: message})


def _target(payload: EventIn) -> Entity | None:
    """The entity the event is about, by id or by code; ``None`` when there is none."""
    if payload.entity_id is None and not payload.entity_code.strip():
        raise _invalid("entity_id", "请提供经营主体编号 entity_id 或统一社会信用代码 entity_code。")
    by_id = Entity.objects.filter(pk=payload.entity_id).first() if payload.entity_id is not None else None
    by_code = queries.entity_by_code(payload.entity_code) if payload.entity_code.strip() else None
    if payload.entity_id is not None and payload.entity_code.strip() and by_id != by_code:
        raise _invalid("entity_code", "entity_id 与 entity_code 指向的不是同一个经营主体。")
    return by_id or by_code


def _hosted_by(actor: Actor, entity: Entity) -> bool:
    """The entity keeps a storefront on a platform entity run by the caller's organisation."""
    return Storefront.objects.filter(entity=entity, platform__organisation_id=actor.organisation_id or -1).exists()


# --- shaping answers ------------------------------------------------------------------------------


def _event_out(event: CreditEvent) -> dict[str, Any]:
    rule = active_pack().indicators.get(event.indicator)
    labels = dict(EventStatusKind.choices)
    statuses = [
        {
            "status": entry.status,
            "label": str(labels.get(entry.status, entry.status)),
            "effective_on": entry.effective_on,
            "reason": entry.reason,
            "decided_by": entry.decided_by,
            "at": entry.created_at,
        }
        for entry in sorted(event.statuses.all(), key=lambda s: (s.created_at, s.pk))
    ]
    return {
        "id": event.pk,
        "entity_id": event.entity_id,
        "indicator": event.indicator,
        "label": rule.label if rule else event.indicator,
        "occurred_on": event.occurred_on,
        "recorded_at": event.recorded_at,
        "source_kind": event.source_kind,
        "source_ref": event.source_ref,
        "evidence": event.evidence,
        "reason": event.reason,
        "cites": list(event.cites),
        "recorded_by": event.recorded_by,
        "status": statuses[-1]["status"] if statuses else EventStatusKind.ACTIVE.value,
        "statuses": statuses,
    }


def evaluation_out(evaluation: Evaluation, entity: Entity) -> dict[str, Any]:
    """A stored evaluation as the API (and ``ecredit credit show --json``) gives it."""
    pack = pack_for(evaluation.pack_id)
    return {
        "id": evaluation.pk,
        "entity_id": entity.pk,
        "code": entity.code,
        "role": evaluation.role,
        "as_of": evaluation.as_of,
        "pack": evaluation.pack_id,
        "pack_sha256": evaluation.pack_sha256,
        "base": evaluation.base,
        "score": float(evaluation.score),
        "grade": evaluation.grade,
        "grade_label": grade_label(pack, evaluation.grade),
        "reasons": evaluation.reasons,
        "veto": evaluation.veto,
        "bonus_capped": evaluation.bonus_capped,
        "unknown_indicators": evaluation.unknown_indicators,
        "extension_note": evaluation.extension_note,
        "notice": pack.scale.notice,
        "created_at": evaluation.created_at,
    }


# --- events ---------------------------------------------------------------------------------------


@router.post(
    "/events",
    response={201: EventOut, **ERRORS},
    auth=needs(Action.CREDIT_RECORD),
    summary="记录信用事件",
    description="部门可记录政策包为该主体角色定义的任一指标；平台只能报送本平台内经营者的"
    "以下指标：" + "、".join(PLATFORM_INDICATORS) + "。",
)
@allows(Action.CREDIT_RECORD)
def record_event(request: HttpRequest, payload: EventIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    org_kind = Organisation.objects.filter(pk=actor.organisation_id or -1).values_list("kind", flat=True).first()
    entity = _target(payload)
    source_kind = payload.source_kind.strip()
    if org_kind == OrgKind.PLATFORM:
        if entity is None or not _hosted_by(actor, entity):
            raise _invalid(
                "entity_id", "平台只能报送在本平台开设店铺的经营者的信用事件；未找到该经营者在本平台的店铺。"
            )
        if payload.indicator not in PLATFORM_INDICATORS:
            raise _invalid("indicator", f"平台可报送的指标为：{'、'.join(PLATFORM_INDICATORS)}。")
        if source_kind not in ("", SourceKind.PLATFORM):
            raise _invalid("source_kind", "平台报送的信用事件来源固定为 platform。")
        source_kind = SourceKind.PLATFORM
    elif org_kind in GOVERNMENT:
        if entity is None:
            raise _invalid("entity_id", "未找到该经营主体。")
        source_kind = source_kind or SourceKind.MANUAL
    else:
        raise DomainError(ErrorCode.FORBIDDEN, "只有政府部门和平台可以报送信用事件。")
    event = services.record_event(
        actor,
        entity,
        payload.indicator,
        payload.occurred_on,
        source_kind=source_kind,
        source_ref=payload.source_ref,
        evidence=payload.evidence,
        reason=payload.reason,
    )
    return Status(201, _event_out(CreditEvent.objects.prefetch_related("statuses").get(pk=event.pk)))


@router.get(
    "/entities/{entity_id}/events",
    response={200: list[EventOut], **ERRORS},
    auth=needs(Action.CREDIT_VIEW),
    summary="经营主体的信用事件",
)
@allows(Action.CREDIT_VIEW)
@paginate(Pagination)
def entity_events(request: HttpRequest, entity_id: int) -> list[dict[str, Any]]:
    return [_event_out(event) for event in queries.events_of(_entity(entity_id))]


# --- evaluations ----------------------------------------------------------------------------------


@router.get(
    "/entities/{entity_id}/evaluation",
    response={200: EvaluationOut, **ERRORS},
    auth=needs(Action.CREDIT_VIEW),
    summary="最近一次信用评价",
)
@allows(Action.CREDIT_VIEW)
def latest_evaluation(request: HttpRequest, entity_id: int, filters: Query[EvaluationQuery]) -> dict[str, Any]:
    entity = _entity(entity_id)
    if filters.as_of is None:
        found = queries.latest_evaluation(entity)
    else:
        found = queries.grade_history(entity).filter(as_of=filters.as_of).last()
    if found is None:
        day = f"{filters.as_of} 的" if filters.as_of else ""
        raise DomainError(ErrorCode.NOT_FOUND, f"{entity.name} 尚无{day}信用评价。")
    return evaluation_out(found, entity)


@router.post(
    "/entities/{entity_id}/evaluations",
    response={200: EvaluationOut, 201: EvaluationOut, **ERRORS},
    auth=needs(Action.CREDIT_EVALUATE),
    summary="评价并保存",
    description="保存新评价时返回 201；该日同一政策包的最近一次评价结果相同时不重复保存，返回 200 与该评价。",
)
@allows(Action.CREDIT_EVALUATE)
def evaluate(request: HttpRequest, entity_id: int, payload: EvaluateIn) -> Status[dict[str, Any]]:
    entity = _entity(entity_id)
    started = timezone.now()
    evaluation = services.evaluate_entity(_actor(request), entity, payload.as_of)
    return Status(201 if evaluation.created_at >= started else 200, evaluation_out(evaluation, entity))


@router.get(
    "/entities/{entity_id}/history",
    response={200: list[HistoryOut], **ERRORS},
    auth=needs(Action.CREDIT_VIEW),
    summary="等级历史",
)
@allows(Action.CREDIT_VIEW)
def history(request: HttpRequest, entity_id: int) -> list[dict[str, Any]]:
    rows = list(queries.grade_history(_entity(entity_id)))
    packs = {pack_id: pack_for(pack_id) for pack_id in {row.pack_id for row in rows}}
    return [
        {
            "id": row.pk,
            "as_of": row.as_of,
            "score": float(row.score),
            "grade": row.grade,
            "grade_label": grade_label(packs[row.pack_id], row.grade),
            "pack": row.pack_id,
            "pack_sha256": row.pack_sha256,
            "extension_note": row.extension_note,
            "batch": row.batch,
            "created_at": row.created_at,
        }
        for row in rows
    ]


check_declarations(router)
