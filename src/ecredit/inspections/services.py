"""Every change to sampling inspections: plans and their states, the committed-then-revealed draw,
samples and their custody, test reports, re-tests, final conclusions and their consequences
(credit events, rectification, case proposals, publication).

Each function takes ``actor=`` first and keyword-only arguments, checks the action it needs,
refuses bad input with a ``DomainError`` that changes nothing, and writes its audit entry in the
same transaction as the change.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from ecredit.accounts.actors import Actor
from ecredit.accounts.models import Organisation
from ecredit.accounts.roles import Action, OrgKind
from ecredit.audit import services as audit
from ecredit.credit import calendar
from ecredit.credit import services as credit
from ecredit.credit.engine import add_months
from ecredit.credit.models import Evaluation, SourceKind
from ecredit.enforcement import services as enforcement
from ecredit.enforcement.models import LeadSource
from ecredit.errors import DomainError, ErrorCode
from ecredit.inspections import draw as drawing
from ecredit.inspections.models import (
    CaseProposal,
    Conclusion,
    CustodyEntry,
    Draw,
    FixedInclusion,
    Inspector,
    InspectorRelation,
    PlanStatus,
    ProposalKind,
    ProposalStatus,
    Publication,
    Rectification,
    RectificationStatus,
    ReportKind,
    Retest,
    RetestStatus,
    Sample,
    SampleNotice,
    SampleStatus,
    SamplingPlan,
    Target,
    TargetKind,
    TestItem,
    TestReport,
)
from ecredit.policy.model import Pack, Period, Sampling
from ecredit.policy.packs import active_pack
from ecredit.registry.models import Entity, EntityRole, Storefront

UNRATED = "unrated"


# --- small helpers --------------------------------------------------------------------------------


def _require(actor: Actor, action: Action) -> None:
    if not actor.can(action):
        raise DomainError(ErrorCode.FORBIDDEN)


def _invalid(field_name: str, message: str) -> DomainError:
    return DomainError(ErrorCode.VALIDATION, message, {field_name: message})


def _conflict(message: str) -> DomainError:
    return DomainError(ErrorCode.CONFLICT, message)


def _tidy(raw: str) -> str:
    return " ".join((raw or "").replace("\u3000", " ").split())


def sampling_rules(pack: Pack | None = None) -> Sampling:
    sampling = (pack or active_pack()).sampling
    if (
        sampling is None
        or sampling.rectification is None
        or sampling.repeat_failure is None
        or sampling.draw_weight is None
    ):
        raise DomainError(
            ErrorCode.INTERNAL,
            "政策包缺少抽查规则（sampling.retest/publish/rectification/repeat_failure/draw_weight）。",
        )
    return sampling


def add_period(start: dt.date, period: Period) -> dt.date:
    """The day a period counted from ``start`` ends (days, working days, months or years)."""
    if period.unit == "working_days":
        return calendar.add_working_days(start, period.value)
    if period.unit == "months":
        return add_months(start, period.value)
    if period.unit == "years":
        return add_months(start, 12 * period.value)
    return start + dt.timedelta(days=period.value)


def _owns(actor: Actor, entity: Entity) -> bool:
    return actor.organisation_id is not None and entity.organisation_id == actor.organisation_id


def draw_code(entity: Entity) -> str:
    """An entity's code in a public draw record: its 统一社会信用代码, or E<id> (never a personal ID)."""
    return entity.uscc or f"E{entity.pk}"


def _plan_state(plan: SamplingPlan, *allowed: str) -> None:
    if plan.status not in allowed:
        labels = "、".join(str(PlanStatus(state).label) for state in allowed)
        raise _conflict(f"计划“{plan.name}”当前状态为“{plan.get_status_display()}”，此操作只能在“{labels}”状态下进行。")


def _set_status(actor: Actor, plan: SamplingPlan, status: str, action: str, **extra: Any) -> None:
    before = plan.status
    plan.status = status
    for name, value in extra.items():
        setattr(plan, name, value)
    plan.save(update_fields=["status", "updated_at", *extra])
    audit.record(actor=actor, action=action, target=plan, changes={"status": [before, status]})


# --- inspectors -----------------------------------------------------------------------------------


def register_inspector(
    *, actor: Actor, name: str, code: str, organisation: Organisation, township: str = "", user_id: int | None = None
) -> Inspector:
    _require(actor, Action.INSPECTIONS_MANAGE)
    name, code, township = _tidy(name), _tidy(code), _tidy(township)
    if not name:
        raise _invalid("name", "请填写执法人员姓名。")
    if not code:
        raise _invalid("code", "请填写执法证号。")
    if organisation.kind not in (OrgKind.MARKET_SUPERVISION, OrgKind.DEPARTMENT):
        raise _invalid("organisation", "执法人员须属于市场监督管理局或其他执法部门。")
    with transaction.atomic():
        if Inspector.objects.filter(code=code).exists():
            raise _conflict(f"执法证号 {code} 已登记。")
        inspector = Inspector.objects.create(
            name=name, code=code, organisation=organisation, township=township, user_id=user_id
        )
        audit.record(
            actor=actor, action="inspections.inspector.register", target=inspector, changes={"code": [None, code]}
        )
    return inspector


def declare_relation(*, actor: Actor, inspector: Inspector, entity: Entity, reason: str) -> InspectorRelation:
    _require(actor, Action.INSPECTIONS_MANAGE)
    reason = _tidy(reason)
    if len(reason) < 2:
        raise _invalid("reason", "请说明执法人员与该主体的关系（如亲属、曾任职）。")
    with transaction.atomic():
        relation, created = InspectorRelation.objects.get_or_create(
            inspector=inspector, entity=entity, defaults={"reason": reason}
        )
        if not created:
            raise _conflict(f"{inspector} 与 {entity.name} 的回避关系已登记。")
        audit.record(
            actor=actor,
            action="inspections.relation.declare",
            target=relation,
            changes={"inspector": [None, inspector.code], "entity_id": [None, entity.pk], "reason": [None, reason]},
        )
    return relation


# --- plans ----------------------------------------------------------------------------------------


@dataclass
class PlanData:
    name: str
    period_start: dt.date
    period_end: dt.date
    standards: list[dict[str, str]]  # [{"category", "standard", "clause"}]
    cites: list[str] = field(default_factory=lambda: ["5", "16.1"])
    level: int = 1
    scope_roles: list[str] = field(default_factory=lambda: [EntityRole.SELLER.value])
    scope_townships: list[str] = field(default_factory=list)
    scope_industries: list[str] = field(default_factory=list)
    scope_platform_ids: list[int] = field(default_factory=list)
    lab_ids: list[int] = field(default_factory=list)
    inspector_ids: list[int] = field(default_factory=list)
    same_township_barred: bool = False
    severe: bool = False
    sampling_deadline: dt.date | None = None
    report_deadline: dt.date | None = None


def _check_plan(data: PlanData) -> None:
    errors: dict[str, str] = {}
    if not _tidy(data.name):
        errors["name"] = "请填写计划名称。"
    elif len(data.name) > 200:
        errors["name"] = "计划名称不能超过200个字符。"
    if data.period_end < data.period_start:
        errors["period_end"] = f"截止日期 {data.period_end} 不能早于起始日期 {data.period_start}。"
    if not data.standards:
        errors["standards"] = "请至少填写一个产品类别及其检验标准（如 GB/T 31701-2015 第4.1条）。"
    for index, item in enumerate(data.standards, start=1):
        if not _tidy(item.get("category", "")) or not _tidy(item.get("standard", "")):
            errors["standards"] = f"第 {index} 行的产品类别和检验标准都必须填写。"
    if not data.cites:
        errors["cites"] = "请写明法律依据（如第五条、第十六条第（一）项）。"
    roles = set(EntityRole.values)
    if not data.scope_roles or not set(data.scope_roles) <= roles:
        errors["scope_roles"] = "抽查范围须至少包括一种经营角色（网络商品经营者或平台）。"
    for name, deadline in (("sampling_deadline", data.sampling_deadline), ("report_deadline", data.report_deadline)):
        if deadline is not None and deadline < data.period_start:
            errors[name] = "期限不能早于计划起始日期。"
    if errors:
        first = next(iter(errors.values()))
        raise DomainError(ErrorCode.VALIDATION, first, errors)


def _apply_plan(plan: SamplingPlan, data: PlanData) -> None:
    plan.name = _tidy(data.name)
    plan.period_start, plan.period_end = data.period_start, data.period_end
    plan.level = data.level
    plan.cites = [_tidy(cite) for cite in data.cites if _tidy(cite)]
    plan.standards = [
        {key: _tidy(item.get(key, "")) for key in ("category", "standard", "clause")} for item in data.standards
    ]
    plan.scope_roles = list(data.scope_roles)
    plan.scope_townships = [_tidy(t) for t in data.scope_townships if _tidy(t)]
    plan.scope_industries = [_tidy(t) for t in data.scope_industries if _tidy(t)]
    plan.same_township_barred = data.same_township_barred
    plan.severe = data.severe
    plan.sampling_deadline, plan.report_deadline = data.sampling_deadline, data.report_deadline


def _set_relations(plan: SamplingPlan, data: PlanData) -> None:
    labs = list(Organisation.objects.filter(pk__in=data.lab_ids, kind=OrgKind.LABORATORY))
    if len(labs) != len(set(data.lab_ids)):
        raise _invalid("labs", "所选检验机构不存在或不是检验机构。")
    inspectors = list(Inspector.objects.filter(pk__in=data.inspector_ids, active=True))
    if len(inspectors) != len(set(data.inspector_ids)):
        raise _invalid("pool", "所选执法人员不存在或已不在岗。")
    platforms = list(Entity.objects.filter(pk__in=data.scope_platform_ids, is_platform=True))
    if len(platforms) != len(set(data.scope_platform_ids)):
        raise _invalid("scope_platforms", "所选平台不存在。")
    plan.labs.set(labs)
    plan.pool.set(inspectors)
    plan.scope_platforms.set(platforms)


def create_plan(*, actor: Actor, data: PlanData) -> SamplingPlan:
    _require(actor, Action.INSPECTIONS_MANAGE)
    _check_plan(data)
    if actor.organisation_id is None:
        raise _invalid("department", "只有部门工作人员可以制定抽查计划。")
    with transaction.atomic():
        plan = SamplingPlan(department_id=actor.organisation_id, created_by=actor.label[:200])
        _apply_plan(plan, data)
        plan.save()
        _set_relations(plan, data)
        audit.record(
            actor=actor,
            action="inspections.plan.create",
            target=plan,
            changes={"name": [None, plan.name], "period": [None, f"{plan.period_start}/{plan.period_end}"]},
        )
    return plan


def update_plan(*, actor: Actor, plan: SamplingPlan, data: PlanData) -> SamplingPlan:
    _require(actor, Action.INSPECTIONS_MANAGE)
    _plan_state(plan, PlanStatus.DRAFT)
    _check_plan(data)
    with transaction.atomic():
        before = {"name": plan.name, "period": f"{plan.period_start}/{plan.period_end}"}
        _apply_plan(plan, data)
        plan.save()
        _set_relations(plan, data)
        after = {"name": plan.name, "period": f"{plan.period_start}/{plan.period_end}"}
        audit.record(
            actor=actor,
            action="inspections.plan.update",
            target=plan,
            changes={key: [before[key], after[key]] for key in before if before[key] != after[key]},
        )
    return plan


def add_fixed_inclusion(*, actor: Actor, plan: SamplingPlan, entity: Entity, reason: str) -> FixedInclusion:
    """定向抽查: a lead or complaint puts an entity in the plan, recorded apart from the random part."""
    _require(actor, Action.INSPECTIONS_MANAGE)
    _plan_state(plan, PlanStatus.DRAFT, PlanStatus.APPROVED)
    reason = _tidy(reason)
    if len(reason) < 2:
        raise _invalid("reason", "请写明定向抽查的理由（线索、投诉编号）。")
    if hasattr(plan, "draw"):
        raise _conflict("抽取已承诺，名单已固定，不能再增加定向抽查对象。")
    with transaction.atomic():
        if FixedInclusion.objects.filter(plan=plan, entity=entity).exists():
            raise _conflict(f"{entity.name} 已在本计划的定向抽查名单中。")
        item = FixedInclusion.objects.create(plan=plan, entity=entity, reason=reason[:200])
        audit.record(
            actor=actor,
            action="inspections.plan.fixed_inclusion",
            target=plan,
            changes={"entity_id": [None, entity.pk], "reason": [None, reason]},
        )
    return item


def approve_plan(*, actor: Actor, plan: SamplingPlan) -> SamplingPlan:
    _require(actor, Action.INSPECTIONS_APPROVE)
    _plan_state(plan, PlanStatus.DRAFT)
    if plan.pool.count() < 2:
        raise _invalid("pool", "执法人员库至少需要2名执法人员（每个抽查对象至少2名）。")
    if not plan.labs.exists():
        raise _invalid("labs", "请至少指定一家检验机构。")
    with transaction.atomic():
        _set_status(
            actor,
            plan,
            PlanStatus.APPROVED,
            "inspections.plan.approve",
            approved_by=actor.label[:200],
            approved_at=timezone.now(),
        )
    return plan


def start_plan(*, actor: Actor, plan: SamplingPlan) -> SamplingPlan:
    _require(actor, Action.INSPECTIONS_MANAGE)
    _plan_state(plan, PlanStatus.DRAWN)
    with transaction.atomic():
        _set_status(actor, plan, PlanStatus.IN_PROGRESS, "inspections.plan.start")
    return plan


def close_plan(*, actor: Actor, plan: SamplingPlan) -> SamplingPlan:
    _require(actor, Action.INSPECTIONS_MANAGE)
    _plan_state(plan, PlanStatus.IN_PROGRESS)
    open_samples = Sample.objects.filter(target__plan=plan).exclude(status=SampleStatus.FINAL).count()
    if open_samples:
        raise _conflict(f"还有 {open_samples} 个样品未得出最终结论，计划不能结束。")
    with transaction.atomic():
        _set_status(actor, plan, PlanStatus.CLOSED, "inspections.plan.close", closed_at=timezone.now())
    return plan


# --- the draw -------------------------------------------------------------------------------------


def _scope(plan: SamplingPlan) -> Any:
    role_filter = Q()
    for role in plan.scope_roles:
        role_filter |= Q(**{f"is_{role}": True})
    entities = Entity.objects.filter(role_filter, in_jurisdiction=True)
    if plan.scope_townships:
        entities = entities.filter(township__in=plan.scope_townships)
    if plan.scope_industries:
        entities = entities.filter(industry__in=plan.scope_industries)
    platforms = list(plan.scope_platforms.values_list("pk", flat=True))
    if platforms:
        entities = entities.filter(storefronts__platform_id__in=platforms).distinct()
    return entities


def eligible_for(plan: SamplingPlan, today: dt.date) -> tuple[list[drawing.Eligible], list[drawing.Marked]]:
    """The entities in the plan's scope with their stratum (latest grade) and risk weight (pack
    ``sampling.draw_weight``), and those excluded because a higher-level plan sampled them in an
    overlapping period."""
    latest = Evaluation.objects.filter(entity=OuterRef("pk")).order_by("-as_of", "-created_at", "-pk")
    pack = active_pack()
    draw_weight = sampling_rules(pack).draw_weight
    if draw_weight is None:  # sampling_rules() checked it
        raise DomainError(ErrorCode.INTERNAL)
    negative = [code for code, rule in pack.indicators.items() if rule.points < 0]
    since = add_months(today, -draw_weight.lookback_months)
    rows = (
        _scope(plan)
        .annotate(
            grade=Subquery(latest.values("grade")[:1]),
            risk=Count(
                "credit_events",
                filter=Q(credit_events__indicator__in=negative, credit_events__occurred_on__gte=since),
                distinct=True,
            ),
        )
        .values_list("pk", "uscc", "township", "grade", "risk")
    )
    higher = dict(
        Target.objects.filter(
            plan__level__gt=plan.level,
            plan__period_start__lte=plan.period_end,
            plan__period_end__gte=plan.period_start,
        ).values_list("entity_id", "plan__name")
    )
    eligible, excluded = [], []
    for pk, uscc, township, grade, risk in rows:
        code = uscc or f"E{pk}"
        if pk in higher:
            excluded.append(drawing.Marked(code, f"已被上级计划“{higher[pk]}”抽查（产品质量法第十五条）"))
            continue
        weight = draw_weight.weight(int(risk or 0))
        eligible.append(drawing.Eligible(code, weight, grade or UNRATED, township or ""))
    return eligible, excluded


def _conflicts(plan: SamplingPlan, pool: Sequence[Inspector], codes: dict[int, str]) -> list[drawing.Conflict]:
    in_pool = {inspector.pk: inspector.code for inspector in pool}
    conflicts = [
        drawing.Conflict(in_pool[inspector_id], codes[entity_id], "relation")
        for inspector_id, entity_id in InspectorRelation.objects.filter(
            inspector_id__in=in_pool, entity_id__in=codes
        ).values_list("inspector_id", "entity_id")
        if entity_id in codes
    ]
    # The inspectors of each entity's most recent earlier target: not sent to the same entity again.
    latest_target: dict[int, int] = {}
    for target_id, entity_id in (
        Target.objects.filter(entity_id__in=codes)
        .exclude(plan=plan)
        .order_by("entity_id", "-plan__period_start", "-pk")
        .values_list("pk", "entity_id")
    ):
        latest_target.setdefault(entity_id, target_id)
    by_target = {target: entity for entity, target in latest_target.items()}
    for target_id, inspector_id in Target.inspectors.through.objects.filter(
        target_id__in=by_target, inspector_id__in=in_pool
    ).values_list("target_id", "inspector_id"):
        conflicts.append(drawing.Conflict(in_pool[inspector_id], codes[by_target[target_id]], "last_inspector"))
    return sorted(set(conflicts), key=lambda c: (c.entity, c.inspector, c.reason))


def commit_draw(*, actor: Actor, plan: SamplingPlan, today: dt.date | None = None) -> Draw:
    """Fix the eligible list, its hash and the commitment to a fresh seed, before anything is drawn."""
    _require(actor, Action.INSPECTIONS_MANAGE)
    _plan_state(plan, PlanStatus.APPROVED)
    if hasattr(plan, "draw"):
        raise _conflict("本计划已承诺抽取，不能重复承诺。")
    today = today or timezone.localdate()
    sampling = sampling_rules()
    eligible, excluded = eligible_for(plan, today)
    fixed_rows = list(plan.fixed_inclusions.select_related("entity"))
    fixed = [drawing.Marked(draw_code(f.entity), f.reason, f.entity.township) for f in fixed_rows]
    fixed_codes = {item.code for item in fixed}
    listed = sorted((item for item in eligible if item.code not in fixed_codes), key=lambda item: item.code)
    if not listed and not fixed:
        raise _conflict("抽查范围内没有符合条件的经营主体，请调整计划范围。")
    pool = list(plan.pool.filter(active=True).order_by("code"))
    codes = {
        pk: uscc or f"E{pk}"
        for pk, uscc in Entity.objects.filter(
            Q(pk__in=_scope(plan).values("pk")) | Q(pk__in=[f.entity_id for f in fixed_rows])
        ).values_list("pk", "uscc")
    }
    seed = secrets.token_hex(32)
    committed = {
        "eligible": [item.__dict__ for item in listed],
        "excluded": [item.__dict__ for item in excluded],
        "fixed": [item.__dict__ for item in fixed],
        "ratios": {key: str(value) for key, value in sampling.annual_ratio.items()},
        "period_days": (plan.period_end - plan.period_start).days + 1,
        "year_days": drawing.year_days_of(plan.period_start.year),
        "pool": [{"code": i.code, "township": i.township} for i in pool],
        "conflicts": [c.__dict__ for c in _conflicts(plan, pool, codes)],
        "same_township": plan.same_township_barred,
        "per_target": 2,
    }
    with transaction.atomic():
        record = Draw.objects.create(
            plan=plan,
            commitment=drawing.commitment(seed),
            sealed_seed=seed,
            eligible_sha256=drawing.eligible_sha256(listed),
            record=committed,
            committed_at=timezone.now(),
            committed_by=actor.label[:200],
        )
        audit.record(
            actor=actor,
            action="inspections.draw.commit",
            target=record,
            changes={
                "commitment": [None, record.commitment],
                "eligible_sha256": [None, record.eligible_sha256],
                "eligible": [None, len(listed)],
            },
        )
    return record


def _meta(plan: SamplingPlan, record: Draw) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "draw_id": record.pk,
        "name": plan.name,
        "department": plan.department.name,
        "period": [plan.period_start.isoformat(), plan.period_end.isoformat()],
        "committed_at": record.committed_at.isoformat(),
    }


def reveal_draw(*, actor: Actor, plan: SamplingPlan) -> Draw:
    """Reveal the committed seed and draw: targets by stratum, two inspectors each."""
    _require(actor, Action.INSPECTIONS_MANAGE)
    _plan_state(plan, PlanStatus.APPROVED)
    record = getattr(plan, "draw", None)
    if record is None:
        raise _conflict("请先承诺抽取（固定名单并公布种子承诺值），再揭示种子。")
    data = record.record
    result = drawing.make_record(
        seed=record.sealed_seed,
        eligible=[drawing.Eligible(**item) for item in data["eligible"]],
        ratios=data["ratios"],
        period_days=data["period_days"],
        year_days=data["year_days"],
        excluded=[drawing.Marked(**item) for item in data["excluded"]],
        fixed=[drawing.Marked(**item) for item in data["fixed"]],
        pool=[drawing.PoolMember(**item) for item in data["pool"]],
        conflicts=[drawing.Conflict(**item) for item in data["conflicts"]],
        same_township=data["same_township"],
        per_target=data["per_target"],
        meta=_meta(plan, record),
    )
    if result.eligible_sha256 != record.eligible_sha256:
        raise DomainError(ErrorCode.INTERNAL, "名单快照哈希与承诺时不一致，抽取中止。")
    now = timezone.now()
    result.meta["revealed_at"] = now.isoformat()
    with transaction.atomic():
        entity_by_code = _entities_by_code([a.target for a in result.assignments])
        inspectors = {i.code: i for i in plan.pool.all()}
        fixed_reason = {item.code: item.reason for item in result.fixed}
        strata = {item.code: item.stratum for item in result.eligible}
        short = set(result.understaffed)
        for assignment in result.assignments:
            entity = entity_by_code[assignment.target]
            random_part = assignment.target in strata
            target = Target.objects.create(
                plan=plan,
                entity=entity,
                kind=TargetKind.RANDOM if random_part else TargetKind.FIXED,
                stratum=strata.get(assignment.target, ""),
                reason=fixed_reason.get(assignment.target, "")[:200],
                understaffed=assignment.target in short,
            )
            target.inspectors.set([inspectors[code] for code in assignment.inspectors])
        record.seed = record.sealed_seed
        record.revealed_at = now
        record.record = drawing.record_to_dict(result)
        record.save(update_fields=["seed", "revealed_at", "record"])
        audit.record(
            actor=actor,
            action="inspections.draw.reveal",
            target=record,
            changes={
                "seed": [None, record.seed],
                "selected": [None, len(result.selected)],
                "fixed": [None, len(result.fixed)],
                "understaffed": [None, list(result.understaffed)],
            },
        )
        _set_status(actor, plan, PlanStatus.DRAWN, "inspections.plan.drawn")
    return record


def _entities_by_code(codes: Sequence[str]) -> dict[str, Entity]:
    """Entities by their draw code: an 18-character 统一社会信用代码, or E<id>."""
    found = {entity.uscc or "": entity for entity in Entity.objects.filter(uscc__in=[c for c in codes if len(c) == 18])}
    ids = [int(code[1:]) for code in codes if code not in found and code[:1] == "E" and code[1:].isdigit()]
    found |= {f"E{entity.pk}": entity for entity in Entity.objects.filter(pk__in=ids)}
    missing = [code for code in codes if code not in found]
    if missing:
        raise _conflict(f"抽中的主体 {'、'.join(missing[:5])} 已不在登记库中，请重新承诺抽取。")
    return found


def published_record(record: Draw) -> dict[str, Any]:
    """The public draw record: before the reveal, only the commitment and the eligible snapshot."""
    if not record.revealed_at:
        data = record.record
        return {
            "format": drawing.FORMAT,
            "plan": _meta(record.plan, record),
            "commitment": record.commitment,
            "eligible_sha256": record.eligible_sha256,
            "eligible": data.get("eligible", []),
            "seed": None,
            "selected": None,
        }
    return dict(record.record)


# --- samples --------------------------------------------------------------------------------------


@dataclass
class SampleData:
    code: str
    backup_code: str
    product: str
    category: str
    standard: str
    listing_url: str
    order_no: str
    price: str
    purchased_on: dt.date
    received_on: dt.date
    seals: str
    lab_id: int
    storefront_id: int | None = None
    evidence_ref: str = ""


def record_sample(
    *, actor: Actor, target: Target, data: SampleData, evidence: UploadedFile, today: dt.date | None = None
) -> Sample:
    """网购抽样: the regulator bought the product as a consumer; the operator and its platform are told."""
    _require(actor, Action.INSPECTIONS_MANAGE)
    plan = target.plan
    _plan_state(plan, PlanStatus.IN_PROGRESS)
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    for name, label in (
        ("code", "样品编号"),
        ("backup_code", "备用样品编号"),
        ("product", "商品名称"),
        ("category", "产品类别"),
        ("standard", "检验标准"),
        ("order_no", "订单号"),
        ("seals", "封条编号"),
        ("listing_url", "商品链接"),
    ):
        if not _tidy(getattr(data, name)):
            errors[name] = f"请填写{label}。"
    if not data.listing_url.startswith(("http://", "https://")):
        errors.setdefault("listing_url", "商品链接应以 http:// 或 https:// 开头。")
    try:
        price = Decimal(str(data.price).strip())
        if price < 0 or price != price.quantize(Decimal("0.01")):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["price"] = "实付金额应为不小于0、最多两位小数的金额。"
        price = Decimal(0)
    if data.received_on < data.purchased_on:
        errors["received_on"] = "收货日期不能早于购买日期。"
    if data.received_on > today:
        errors["received_on"] = "收货日期不能晚于今天。"
    if _tidy(data.code) == _tidy(data.backup_code):
        errors["backup_code"] = "备用样品编号不能与样品编号相同。"
    if not plan.labs.filter(pk=data.lab_id).exists():
        errors["lab_id"] = "检验机构须为本计划指定的检验机构之一。"
    storefront = None
    if data.storefront_id is not None:
        storefront = Storefront.objects.filter(pk=data.storefront_id, entity=target.entity).first()
        if storefront is None:
            errors["storefront_id"] = "所选店铺不属于该抽查对象。"
    if evidence is None:
        errors["evidence"] = "请上传商品页面的证据文件（截图或网页存档）。"
    if errors:
        raise DomainError(ErrorCode.VALIDATION, next(iter(errors.values())), errors)
    with transaction.atomic():
        if Sample.objects.filter(code=_tidy(data.code)).exists():
            raise _conflict(f"样品编号 {_tidy(data.code)} 已存在。")
        sample = Sample(
            target=target,
            code=_tidy(data.code),
            backup_code=_tidy(data.backup_code),
            product=_tidy(data.product),
            category=_tidy(data.category),
            standard=_tidy(data.standard),
            storefront=storefront,
            listing_url=data.listing_url.strip(),
            order_no=_tidy(data.order_no),
            price=price,
            purchased_on=data.purchased_on,
            received_on=data.received_on,
            evidence_ref=_tidy(data.evidence_ref),
            seals=_tidy(data.seals),
            lab_id=data.lab_id,
            recorded_by=actor.label[:200],
        )
        sample.listing_evidence.save(evidence.name or "listing", evidence, save=False)
        sample.save()
        _notify(sample, "sampled", today)
        audit.record(
            actor=actor,
            action="inspections.sample.record",
            target=sample,
            changes={"code": [None, sample.code], "order_no": [None, sample.order_no], "price": [None, str(price)]},
        )
    return sample


def _notify(sample: Sample, kind: str, today: dt.date) -> None:
    recipients = [sample.target.entity]
    if sample.storefront is not None:
        recipients.append(sample.storefront.platform)
    for entity in recipients:
        SampleNotice.objects.create(sample=sample, entity=entity, kind=kind, issued_on=today)


def hand_over(
    *,
    actor: Actor,
    sample: Sample,
    item: str,
    handed_on: dt.date,
    from_party: str,
    to_party: str,
    seal_intact: bool = True,
    note: str = "",
) -> CustodyEntry:
    """One link of the chain of custody; the first hand-over of the test sample puts it at the lab."""
    _require(actor, Action.INSPECTIONS_MANAGE)
    if item not in ("sample", "backup"):
        raise _invalid("item", "交接的样品应为“检验样品”或“备用样品”。")
    from_party, to_party = _tidy(from_party), _tidy(to_party)
    if not from_party or not to_party:
        raise _invalid("to_party", "请填写移交方和接收方。")
    if handed_on < sample.received_on:
        raise _invalid("handed_on", f"交接日期不能早于收货日期 {sample.received_on}。")
    if handed_on > timezone.localdate():
        raise _invalid("handed_on", "交接日期不能晚于今天。")
    with transaction.atomic():
        entry = CustodyEntry.objects.create(
            sample=sample,
            item=item,
            handed_on=handed_on,
            from_party=from_party[:100],
            to_party=to_party[:100],
            seal_intact=seal_intact,
            note=_tidy(note)[:200],
            recorded_by=actor.label[:200],
        )
        if item == "sample" and sample.status == SampleStatus.PURCHASED:
            sample.status = SampleStatus.AT_LAB
            sample.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="inspections.sample.hand_over",
            target=sample,
            changes={
                "custody": [None, f"{item} {handed_on} {from_party}→{to_party} 封条{'完好' if seal_intact else '破损'}"]
            },
        )
    return entry


# --- test reports ---------------------------------------------------------------------------------


@dataclass
class ItemData:
    name: str
    clause: str
    measured: str
    limit: str
    passed: bool


def conclusion_of(items: Iterable[ItemData]) -> str:
    """合格 only when every item passed."""
    return Conclusion.PASS if all(item.passed for item in items) else Conclusion.FAIL


def enter_report(
    *,
    actor: Actor,
    sample: Sample,
    number: str,
    tested_on: dt.date,
    items: Sequence[ItemData],
    signed_file: UploadedFile | None,
) -> TestReport:
    """A laboratory enters its report; it may only report on a sample it holds (first test or re-test)."""
    _require(actor, Action.TEST_REPORT_RECORD)
    retest = getattr(sample, "retest", None)
    if sample.status == SampleStatus.AT_LAB:
        kind, lab_id = ReportKind.FIRST, sample.lab_id
    elif sample.status == SampleStatus.RETEST and retest is not None and retest.status == RetestStatus.ASSIGNED:
        kind, lab_id = ReportKind.RETEST, retest.lab_id
    else:
        raise _conflict(f"样品 {sample.code} 当前状态为“{sample.get_status_display()}”，不能录入检验报告。")
    if actor.via != "system" and actor.organisation_id != lab_id:
        raise DomainError(ErrorCode.FORBIDDEN, "只有承检该样品的检验机构可以录入检验报告。")
    number = _tidy(number)
    if not number:
        raise _invalid("number", "请填写报告编号。")
    if not items:
        raise _invalid("items", "请至少录入一个检验项目。")
    for index, item in enumerate(items, start=1):
        if not (_tidy(item.name) and _tidy(item.clause) and _tidy(item.measured) and _tidy(item.limit)):
            raise _invalid("items", f"第 {index} 个检验项目的项目名称、标准条款、实测值和标准要求都必须填写。")
    if tested_on < sample.received_on or tested_on > timezone.localdate():
        raise _invalid("tested_on", "检验日期应在收货日期之后、今天之前。")
    if signed_file is None:
        raise _invalid("signed_file", "请上传签章的检验报告文件。")
    conclusion = conclusion_of(items)
    with transaction.atomic():
        report = TestReport(
            sample=sample,
            kind=kind,
            lab_id=lab_id,
            number=number[:60],
            tested_on=tested_on,
            conclusion=conclusion,
            entered_by=actor.label[:200],
        )
        report.signed_file.save(signed_file.name or "report.pdf", signed_file, save=False)
        report.save()
        TestItem.objects.bulk_create(
            TestItem(
                report=report,
                name=_tidy(item.name)[:100],
                clause=_tidy(item.clause)[:60],
                measured=_tidy(item.measured)[:60],
                limit=_tidy(item.limit)[:60],
                passed=item.passed,
            )
            for item in items
        )
        if retest is not None and kind == ReportKind.RETEST:
            retest.status = RetestStatus.DONE
            retest.save(update_fields=["status"])
        sample.status = SampleStatus.REPORTED
        sample.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="inspections.report.enter",
            target=report,
            changes={"sample": [None, sample.code], "kind": [None, kind], "conclusion": [None, conclusion]},
        )
    return report


def latest_report(sample: Sample) -> TestReport | None:
    return sample.reports.order_by("-entered_at", "-pk").first()


def retest_deadline(sample: Sample) -> dt.date | None:
    if sample.result_delivered_on is None:
        return None
    return add_period(sample.result_delivered_on, sampling_rules().retest)


def deliver_result(*, actor: Actor, sample: Sample, delivered_on: dt.date | None = None) -> Sample:
    """The result is served on the operator (the re-test window starts). A pass, or a re-test result,
    is final at once; a first fail becomes final when the window closes unused."""
    _require(actor, Action.INSPECTIONS_MANAGE)
    if sample.status != SampleStatus.REPORTED:
        raise _conflict(f"样品 {sample.code} 尚无待送达的检验报告。")
    delivered_on = delivered_on or timezone.localdate()
    if delivered_on > timezone.localdate():
        raise _invalid("delivered_on", "送达日期不能晚于今天。")
    report = latest_report(sample)
    if report is None:
        raise _conflict(f"样品 {sample.code} 尚无检验报告。")
    with transaction.atomic():
        if report.kind == ReportKind.FIRST:
            sample.result_delivered_on = delivered_on
        sample.status = SampleStatus.DELIVERED
        sample.save(update_fields=["status", "result_delivered_on"])
        _notify(sample, "result", delivered_on)
        audit.record(
            actor=actor,
            action="inspections.sample.deliver",
            target=sample,
            changes={"delivered_on": [None, delivered_on.isoformat()], "report": [None, report.number]},
        )
        if report.conclusion == Conclusion.PASS or report.kind == ReportKind.RETEST:
            _finalise(actor, sample, report.conclusion, delivered_on)
    return sample


def request_retest(*, actor: Actor, sample: Sample, reason: str, requested_on: dt.date | None = None) -> Retest:
    """The operator objects to a fail within the pack's window (产品质量法第十五条)."""
    _require(actor, Action.INSPECTIONS_OWN)
    if not _owns(actor, sample.target.entity):
        raise DomainError(ErrorCode.NOT_FOUND)
    requested_on = requested_on or timezone.localdate()
    reason = _tidy(reason)
    if sample.status != SampleStatus.DELIVERED or hasattr(sample, "retest"):
        raise _conflict("只有已送达、尚未复检的检验结果可以申请复检。")
    report = latest_report(sample)
    if report is None or report.conclusion != Conclusion.FAIL:
        raise _conflict("检验结论为合格，无需复检。")
    deadline = retest_deadline(sample)
    if deadline is None:
        raise _conflict("检验结果尚未送达，不能申请复检。")
    if requested_on > deadline:
        raise _conflict(
            f"复检申请期限已于 {deadline} 届满（自收到检验结果之日起{sampling_rules().retest.value}日内）。"
        )
    if len(reason) < 4:
        raise _invalid("reason", "请写明复检理由（至少4个字）。")
    with transaction.atomic():
        retest = Retest.objects.create(
            sample=sample, requested_on=requested_on, reason=reason, requested_by=actor.label[:200]
        )
        sample.status = SampleStatus.RETEST
        sample.save(update_fields=["status"])
        audit.record(
            actor=actor, action="inspections.retest.request", target=sample, changes={"retest": [None, reason]}
        )
    return retest


def assign_retest_lab(*, actor: Actor, sample: Sample, lab: Organisation) -> Retest:
    _require(actor, Action.INSPECTIONS_MANAGE)
    retest = getattr(sample, "retest", None)
    if retest is None or retest.status != RetestStatus.REQUESTED:
        raise _conflict("该样品没有待指定机构的复检申请。")
    if lab.kind != OrgKind.LABORATORY:
        raise _invalid("lab", "复检机构须为检验机构。")
    if lab.pk == sample.lab_id:
        raise _invalid("lab", "复检须由初检以外的另一家检验机构承担。")
    with transaction.atomic():
        retest.lab = lab
        retest.status = RetestStatus.ASSIGNED
        retest.save(update_fields=["lab", "status"])
        audit.record(
            actor=actor, action="inspections.retest.assign", target=sample, changes={"retest_lab": [None, lab.name]}
        )
    return retest


def finalise_expired(*, actor: Actor, today: dt.date | None = None) -> list[Sample]:
    """First fails whose re-test window closed unused become final."""
    _require(actor, Action.INSPECTIONS_MANAGE)
    today = today or timezone.localdate()
    done = []
    for sample in Sample.objects.filter(status=SampleStatus.DELIVERED).select_related("target__plan"):
        deadline = retest_deadline(sample)
        if deadline is not None and deadline < today:
            with transaction.atomic():
                _finalise(actor, sample, Conclusion.FAIL, deadline + dt.timedelta(days=1))
            done.append(sample)
    return done


def finalise(*, actor: Actor, sample: Sample, today: dt.date | None = None) -> Sample:
    """Confirm a fail as final once its re-test window has closed unused."""
    _require(actor, Action.INSPECTIONS_MANAGE)
    today = today or timezone.localdate()
    deadline = retest_deadline(sample)
    if sample.status != SampleStatus.DELIVERED or deadline is None:
        raise _conflict("只有已送达、未申请复检的检验结果可以确认为最终结论。")
    if today <= deadline:
        raise _conflict(f"复检申请期限至 {deadline} 届满，期限内不能确认最终结论。")
    with transaction.atomic():
        _finalise(actor, sample, Conclusion.FAIL, deadline + dt.timedelta(days=1))
    return sample


def _finalise(actor: Actor, sample: Sample, conclusion: str, on: dt.date) -> None:
    """The consequences of a final conclusion, inside the caller's transaction."""
    sampling = sampling_rules()
    entity = sample.target.entity
    sample.conclusion, sample.final_on, sample.status = conclusion, on, SampleStatus.FINAL
    sample.save(update_fields=["conclusion", "final_on", "status"])
    indicator = "quality.sample_failed" if conclusion == Conclusion.FAIL else "quality.sample_passed"
    credit.record_event(actor, entity, indicator, on, source_kind=SourceKind.INSPECTION, source_ref=sample.code)
    try:
        due: dt.date | None = add_period(on, sampling.publish)
    except calendar.CalendarNotCovered:
        due = None  # shown as "not computable yet"; the final conclusion and its event stand
    Publication.objects.create(sample=sample, due_on=due)
    audit.record(
        actor=actor,
        action="inspections.sample.final",
        target=sample,
        changes={"conclusion": [None, conclusion], "final_on": [None, on.isoformat()]},
    )
    if conclusion != Conclusion.FAIL:
        return
    if sampling.rectification is None or sampling.repeat_failure is None:  # sampling_rules() checked both
        raise DomainError(ErrorCode.INTERNAL)
    rectification = Rectification.objects.create(
        sample=sample, ordered_on=on, deadline=add_period(on, sampling.rectification)
    )
    audit.record(
        actor=actor,
        action="inspections.rectification.order",
        target=rectification,
        changes={"deadline": [None, rectification.deadline.isoformat()]},
    )
    window_start = add_months(on, -sampling.repeat_failure.value)
    earlier = list(
        Sample.objects.filter(
            target__entity=entity, conclusion=Conclusion.FAIL, final_on__gte=window_start, final_on__lte=on
        )
        .exclude(pk=sample.pk)
        .values_list("code", flat=True)
    )
    if earlier:
        _propose(
            actor,
            sample,
            ProposalKind.ENFORCEMENT,
            f"{entity.name}在{sampling.repeat_failure.value}个月内再次抽查不合格（屡教不改，第十六条第（一）项）；"
            f"此前不合格样品：{'、'.join(earlier)}。",
            [*earlier, sample.code],
        )
    if sample.target.plan.severe:
        _propose(
            actor,
            sample,
            ProposalKind.JUDICIAL,
            f"计划“{sample.target.plan.name}”将不合格认定为情节严重，建议移送司法机关（第十六条第（一）项）。",
            [sample.code],
        )


def _propose(actor: Actor, sample: Sample, kind: str, grounds: str, related: list[str]) -> None:
    proposal = CaseProposal.objects.create(
        entity=sample.target.entity, sample=sample, kind=kind, grounds=grounds, related_samples=related
    )
    audit.record(actor=actor, action="inspections.proposal.create", target=proposal, changes={"kind": [None, kind]})


# --- rectification --------------------------------------------------------------------------------


def submit_rectification(
    *, actor: Actor, rectification: Rectification, report: str, file: UploadedFile | None
) -> Rectification:
    _require(actor, Action.INSPECTIONS_OWN)
    if not _owns(actor, rectification.sample.target.entity):
        raise DomainError(ErrorCode.NOT_FOUND)
    if rectification.status not in (RectificationStatus.ORDERED, RectificationStatus.REJECTED):
        raise _conflict(f"整改当前状态为“{rectification.get_status_display()}”，不能提交。")
    report = (report or "").strip()
    if len(_tidy(report)) < 10:
        raise _invalid("report", "请说明整改情况（至少10个字）。")
    if file is None:
        raise _invalid("file", "请上传整改材料（整改报告、下架或召回记录等）。")
    with transaction.atomic():
        rectification.report = report
        rectification.file.save(file.name or "rectification", file, save=False)
        rectification.status = RectificationStatus.SUBMITTED
        rectification.submitted_on = timezone.localdate()
        rectification.save(update_fields=["report", "file", "status", "submitted_on"])
        audit.record(
            actor=actor,
            action="inspections.rectification.submit",
            target=rectification,
            changes={"status": [None, RectificationStatus.SUBMITTED]},
        )
    return rectification


def decide_rectification(*, actor: Actor, rectification: Rectification, accept: bool, reason: str) -> Rectification:
    _require(actor, Action.INSPECTIONS_MANAGE)
    if rectification.status != RectificationStatus.SUBMITTED:
        raise _conflict("只有已提交的整改可以审核。")
    reason = _tidy(reason)
    if not accept and len(reason) < 4:
        raise _invalid("reason", "不通过时请写明理由（至少4个字）。")
    status = RectificationStatus.ACCEPTED if accept else RectificationStatus.REJECTED
    with transaction.atomic():
        before = rectification.status
        rectification.status = status
        rectification.decision_reason = reason
        rectification.decided_by = actor.label[:200]
        rectification.decided_on = timezone.localdate()
        rectification.save(update_fields=["status", "decision_reason", "decided_by", "decided_on"])
        audit.record(
            actor=actor,
            action="inspections.rectification.decide",
            target=rectification,
            changes={"status": [before, status], "reason": [None, reason]},
        )
    return rectification


def record_overdue_rectifications(*, actor: Actor, today: dt.date | None = None) -> list[Rectification]:
    """Rectifications not accepted by their deadline: one ``quality.rectification_overdue`` event each."""
    _require(actor, Action.CREDIT_RECORD)
    today = today or timezone.localdate()
    overdue = []
    for rectification in (
        Rectification.objects.filter(deadline__lt=today, overdue_recorded_on__isnull=True)
        .exclude(status__in=[RectificationStatus.ACCEPTED, RectificationStatus.SUBMITTED])
        .select_related("sample__target__entity")
    ):
        occurred = rectification.deadline + dt.timedelta(days=1)
        with transaction.atomic():
            credit.record_event(
                actor,
                rectification.sample.target.entity,
                "quality.rectification_overdue",
                occurred,
                source_kind=SourceKind.INSPECTION,
                source_ref=f"{rectification.sample.code}/rectification",
            )
            rectification.overdue_recorded_on = today
            rectification.save(update_fields=["overdue_recorded_on"])
            audit.record(
                actor=actor,
                action="inspections.rectification.overdue",
                target=rectification,
                changes={"overdue_on": [None, occurred.isoformat()]},
            )
        overdue.append(rectification)
    return overdue


# --- case proposals and publication ---------------------------------------------------------------


def decide_proposal(*, actor: Actor, proposal: CaseProposal, accept: bool, reason: str) -> CaseProposal:
    _require(actor, Action.INSPECTIONS_APPROVE)
    if proposal.status != ProposalStatus.OPEN:
        raise _conflict("该建议已处理。")
    reason = _tidy(reason)
    if len(reason) < 4:
        raise _invalid("reason", "请写明处理意见（至少4个字）。")
    status = ProposalStatus.ACCEPTED if accept else ProposalStatus.DISMISSED
    with transaction.atomic():
        proposal.status = status
        proposal.decision_reason = reason
        proposal.decided_by = actor.label[:200]
        proposal.decided_at = timezone.now()
        if accept:
            # 屡教不改 → a lead for a case; 情节严重 → a lead whose case ends in a judicial transfer.
            samples = "、".join(proposal.related_samples or [proposal.sample.code])
            proposal.lead = enforcement.record_lead(
                actor=actor,
                source_kind=LeadSource.REPEAT_FAILURE
                if proposal.kind == ProposalKind.ENFORCEMENT
                else LeadSource.INSPECTION,
                source_ref=proposal.sample.code,
                entity=proposal.entity,
                summary=f"{proposal.get_kind_display()}：{proposal.grounds}（抽检样品：{samples}；处理意见：{reason}）",
            )
        proposal.save(update_fields=["status", "decision_reason", "decided_by", "decided_at", "lead"])
        audit.record(
            actor=actor,
            action="inspections.proposal.decide",
            target=proposal,
            changes={"status": [ProposalStatus.OPEN, status], "reason": [None, reason]},
        )
    return proposal


def publish(*, actor: Actor, publication: Publication, today: dt.date | None = None) -> Publication:
    _require(actor, Action.INSPECTIONS_MANAGE)
    if publication.published_on is not None:
        raise _conflict("该结果已公示。")
    today = today or timezone.localdate()
    with transaction.atomic():
        publication.published_on = today
        publication.published_by = actor.label[:200]
        publication.save(update_fields=["published_on", "published_by"])
        audit.record(
            actor=actor,
            action="inspections.publication.publish",
            target=publication,
            changes={
                "published_on": [None, today.isoformat()],
                "due_on": [None, publication.due_on.isoformat() if publication.due_on else None],
            },
        )
    return publication


def mark_notice_read(*, actor: Actor, notice: SampleNotice) -> SampleNotice:
    _require(actor, Action.INSPECTIONS_OWN)
    if not _owns(actor, notice.entity):
        raise DomainError(ErrorCode.NOT_FOUND)
    if notice.read_at is None:
        with transaction.atomic():
            notice.read_at = timezone.now()
            notice.save(update_fields=["read_at"])
            audit.record(actor=actor, action="inspections.notice.read", target=notice.sample, changes={})
    return notice
