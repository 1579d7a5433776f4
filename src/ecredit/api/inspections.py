"""抽查检验 over HTTP (/api/v1/inspections/…): plans, draws, samples and test reports.

Officers read plans, draws and samples, and a department's client may draft a plan and draw it;
approval stays a person's act on the plan's page (``INSPECTIONS_APPROVE`` is not an API scope). A laboratory's client enters the test report of a sample it
holds, with the signed report as a file. Thin: each operation declares its one action, finds the
object, calls one service, shapes the answer.
No ``from __future__ import annotations`` here: ninja reads the annotations at import time."""

import datetime as dt
import json
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from ecredit.accounts.actors import Actor
from ecredit.accounts.roles import Action
from ecredit.api.base import allows, check_declarations, needs
from ecredit.api.schemas import ErrorOut
from ecredit.errors import DomainError, ErrorCode
from ecredit.inspections import queries, services
from ecredit.inspections.models import Draw, Sample, SamplingPlan

router = Router(tags=["inspections"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# --- schemas --------------------------------------------------------------------------------------


class StandardIn(Schema):
    category: str = Field(description="产品类别")
    standard: str = Field(description="标准编号，如 GB/T 31701-2015")
    clause: str = Field("", description="条款")


class PlanIn(Schema):
    name: str
    period_start: dt.date
    period_end: dt.date
    standards: list[StandardIn]
    cites: list[str] = Field(["5", "16.1"], description="法律依据")
    level: int = Field(1, description="1 县级、2 地市级、3 省级、4 国家级")
    scope_roles: list[str] = Field(["seller"], description="seller、platform")
    scope_townships: list[str] = []
    scope_industries: list[str] = []
    scope_platform_ids: list[int] = []
    lab_ids: list[int] = Field(description="检验机构（机构编号）")
    inspector_ids: list[int] = Field(description="执法人员库（执法人员编号）")
    same_township_barred: bool = False
    severe: bool = False


class PlanOut(Schema):
    id: int
    name: str
    department: str
    level: int
    period_start: dt.date
    period_end: dt.date
    status: str = Field(description="draft、approved、drawn、in_progress、closed")
    cites: list[str]
    standards: list[dict[str, str]]
    draw_id: int | None = Field(description="随机抽取编号（已承诺时）")


class DrawOut(Schema):
    id: int
    plan: str
    plan_id: int
    date: dt.date
    commitment: str
    eligible_sha256: str
    revealed: bool


class ItemOut(Schema):
    name: str
    clause: str
    measured: str
    limit: str
    passed: bool


class ReportOut(Schema):
    id: int
    kind: str = Field(description="first 初检、retest 复检")
    number: str
    lab: str
    tested_on: dt.date
    conclusion: str = Field(description="pass、fail：由各项判定计算")
    items: list[ItemOut]


class SampleOut(Schema):
    id: int
    code: str
    plan_id: int
    entity_id: int
    product: str
    category: str
    standard: str
    listing_url: str
    purchased_on: dt.date
    received_on: dt.date
    lab: str
    status: str
    conclusion: str = Field(description="最终结论：pass、fail，未定论为空")
    final_on: dt.date | None
    reports: list[ReportOut]


class ReportIn(Schema):
    number: str = Field(description="报告编号")
    tested_on: dt.date
    items: str = Field(
        description='检验项目 JSON 数组：[{"name": "甲醛含量", "clause": "4.1", "measured": "12 mg/kg", '
        '"limit": "≤20 mg/kg", "passed": true}]'
    )


# --- helpers --------------------------------------------------------------------------------------


def _actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "auth", None)
    if not isinstance(actor, Actor):
        raise DomainError(ErrorCode.UNAUTHENTICATED)
    return actor


def _plan_out(plan: SamplingPlan) -> dict[str, Any]:
    record = Draw.objects.filter(plan=plan).values_list("pk", flat=True).first()
    return {
        "id": plan.pk,
        "name": plan.name,
        "department": plan.department.name,
        "level": plan.level,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "status": plan.status,
        "cites": plan.cites,
        "standards": plan.standards,
        "draw_id": record,
    }


def _sample_out(sample: Sample) -> dict[str, Any]:
    return {
        "id": sample.pk,
        "code": sample.code,
        "plan_id": sample.target.plan_id,
        "entity_id": sample.target.entity_id,
        "product": sample.product,
        "category": sample.category,
        "standard": sample.standard,
        "listing_url": sample.listing_url,
        "purchased_on": sample.purchased_on,
        "received_on": sample.received_on,
        "lab": sample.lab.name,
        "status": sample.status,
        "conclusion": sample.conclusion,
        "final_on": sample.final_on,
        "reports": [
            {
                "id": report.pk,
                "kind": report.kind,
                "number": report.number,
                "lab": report.lab.name,
                "tested_on": report.tested_on,
                "conclusion": report.conclusion,
                "items": [
                    {
                        "name": item.name,
                        "clause": item.clause,
                        "measured": item.measured,
                        "limit": item.limit,
                        "passed": item.passed,
                    }
                    for item in report.items.all()
                ],
            }
            for report in sample.reports.select_related("lab").prefetch_related("items")
        ],
    }


def _plan(request: HttpRequest, plan_id: int) -> SamplingPlan:
    return queries.plan_for(_actor(request), plan_id)


# --- plans ----------------------------------------------------------------------------------------


@router.get("/plans", response={200: list[PlanOut], **ERRORS}, auth=needs(Action.INSPECTIONS_VIEW), summary="抽查计划")
@allows(Action.INSPECTIONS_VIEW)
def plans(request: HttpRequest) -> list[dict[str, Any]]:
    return [_plan_out(plan) for plan in queries.plans().order_by("-period_start", "-pk")[:200]]


@router.get(
    "/plans/{plan_id}", response={200: PlanOut, **ERRORS}, auth=needs(Action.INSPECTIONS_VIEW), summary="一个抽查计划"
)
@allows(Action.INSPECTIONS_VIEW)
def plan(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    return _plan_out(_plan(request, plan_id))


@router.post(
    "/plans",
    response={201: PlanOut, **ERRORS},
    auth=needs(Action.INSPECTIONS_MANAGE),
    summary="起草抽查计划",
)
@allows(Action.INSPECTIONS_MANAGE)
def create_plan(request: HttpRequest, payload: PlanIn) -> Status[dict[str, Any]]:
    data = services.PlanData(
        **payload.dict(exclude={"standards"}),
        standards=[item.dict() for item in payload.standards],
    )
    created = services.create_plan(actor=_actor(request), data=data)
    return Status(201, _plan_out(created))


@router.post(
    "/plans/{plan_id}/draw/commit",
    response={201: DrawOut, **ERRORS},
    auth=needs(Action.INSPECTIONS_MANAGE),
    summary="承诺随机抽取（固定名单、公布种子承诺值）",
)
@allows(Action.INSPECTIONS_MANAGE)
def commit_draw(request: HttpRequest, plan_id: int) -> Status[dict[str, Any]]:
    record = services.commit_draw(actor=_actor(request), plan=_plan(request, plan_id))
    return Status(201, _draw_out(record))


@router.post(
    "/plans/{plan_id}/draw/reveal",
    response={200: DrawOut, **ERRORS},
    auth=needs(Action.INSPECTIONS_MANAGE),
    summary="揭示种子并抽取",
)
@allows(Action.INSPECTIONS_MANAGE)
def reveal_draw(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    return _draw_out(services.reveal_draw(actor=_actor(request), plan=_plan(request, plan_id)))


# --- draws ----------------------------------------------------------------------------------------


def _draw_out(record: Draw) -> dict[str, Any]:
    when = record.revealed_at or record.committed_at
    return {
        "id": record.pk,
        "plan": record.plan.name,
        "plan_id": record.plan_id,
        "date": when.date(),
        "commitment": record.commitment,
        "eligible_sha256": record.eligible_sha256,
        "revealed": record.revealed_at is not None,
    }


@router.get("/draws", response={200: list[DrawOut], **ERRORS}, auth=needs(Action.INSPECTIONS_VIEW), summary="随机抽取")
@allows(Action.INSPECTIONS_VIEW)
def draws(request: HttpRequest) -> list[dict[str, Any]]:
    return [_draw_out(record) for record in queries.draws()]


@router.get(
    "/draws/{draw_id}/record",
    response={200: dict[str, Any], **ERRORS},
    auth=needs(Action.INSPECTIONS_VIEW),
    summary="抽取记录（与公示页面下载的文件相同）",
)
@allows(Action.INSPECTIONS_VIEW)
def draw_record(request: HttpRequest, draw_id: int) -> dict[str, Any]:
    record = Draw.objects.select_related("plan__department").filter(pk=draw_id).first()
    if record is None:
        raise DomainError(ErrorCode.NOT_FOUND, "未找到该随机抽取。")
    return services.published_record(record)


# --- samples and reports --------------------------------------------------------------------------


@router.get("/samples", response={200: list[SampleOut], **ERRORS}, auth=needs(Action.INSPECTIONS_VIEW), summary="样品")
@allows(Action.INSPECTIONS_VIEW)
def samples(request: HttpRequest, plan_id: int | None = None) -> list[dict[str, Any]]:
    rows = queries.samples().order_by("-purchased_on", "-pk")
    if plan_id is not None:
        rows = rows.filter(target__plan_id=plan_id)
    return [_sample_out(sample) for sample in rows[:200]]


@router.get(
    "/samples/{sample_id}",
    response={200: SampleOut, **ERRORS},
    auth=needs(Action.INSPECTIONS_VIEW),
    summary="一个样品及其检验报告",
)
@allows(Action.INSPECTIONS_VIEW)
def sample(request: HttpRequest, sample_id: int) -> dict[str, Any]:
    return _sample_out(queries.sample_for(_actor(request), sample_id))


@router.post(
    "/samples/{sample_id}/reports",
    response={201: SampleOut, **ERRORS},
    auth=needs(Action.TEST_REPORT_RECORD),
    summary="检验机构录入检验报告",
    description="multipart 表单：number、tested_on、items（JSON 数组）与签章报告文件 signed_file。"
    "结论由各项判定计算：全部合格为 pass，任一项不合格为 fail。",
)
@allows(Action.TEST_REPORT_RECORD)
def enter_report(
    request: HttpRequest, sample_id: int, payload: Form[ReportIn], signed_file: File[UploadedFile]
) -> Status[dict[str, Any]]:
    actor = _actor(request)
    found = queries.lab_samples(actor).filter(pk=sample_id).first()
    if found is None:
        raise DomainError(ErrorCode.NOT_FOUND, "未找到该样品（或该样品不由本机构检验）。")
    try:
        raw = json.loads(payload.items)
        items = [
            services.ItemData(
                str(row["name"]), str(row["clause"]), str(row["measured"]), str(row["limit"]), bool(row["passed"])
            )
            for row in raw
        ]
    except (ValueError, TypeError, KeyError) as exc:
        message = "items 应为 JSON 数组，每项含 name、clause、measured、limit、passed。"
        raise DomainError(ErrorCode.VALIDATION, message, {"items": message}) from exc
    services.enter_report(
        actor=actor,
        sample=found,
        number=payload.number,
        tested_on=payload.tested_on,
        items=items,
        signed_file=signed_file,
    )
    return Status(201, _sample_out(queries.samples().get(pk=found.pk)))


check_declarations(router)
