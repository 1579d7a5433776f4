"""网络监测 over HTTP (/api/v1/monitoring/…) and the public 7-day return check (/api/v1/returns/check).

No ``from __future__ import annotations`` here: ninja reads the annotations at import time."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from ecredit.accounts.access import ACTION_ATTR
from ecredit.accounts.actors import Actor
from ecredit.accounts.roles import Action
from ecredit.api.base import allows, check_declarations, needs
from ecredit.api.schemas import ErrorOut
from ecredit.errors import DomainError, ErrorCode
from ecredit.monitoring import returns, services
from ecredit.monitoring.models import Batch, Finding, FindingStatus
from ecredit.monitoring.views import stored_upload
from ecredit.policy.packs import active_pack

router = Router(tags=["monitoring"])
returns_router = Router(tags=["returns"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class Anyone:
    """The ``auth=`` of a public operation: anyone may call it, signed in or not (``Action.PUBLIC``)."""

    action = Action.PUBLIC

    def __call__(self, request: HttpRequest) -> bool:
        return True


def public_operation(func: Any) -> Any:
    setattr(func, ACTION_ATTR, Action.PUBLIC)
    return func


# --- the 7-day return check (public) -------------------------------------------------------------


class ReturnsQuery(Schema):
    category: str = Field(description="商品品类代码（见 ecredit returns categories），如 clothing")
    received: dt.date = Field(description="签收日期")
    requested: dt.date = Field(description="申请退货日期")
    not_intact: bool = Field(False, description="商品不完好")
    custom_made: bool = Field(False, description="消费者定作")
    perishable: bool = Field(False, description="鲜活易腐")
    digital_opened: bool = Field(False, description="在线下载或已拆封的数字化商品")
    periodical: bool = Field(False, description="已交付的报纸、期刊")
    confirmed_non_returnable: bool = Field(False, description="购买时经消费者确认不宜退货")


class ReturnReasonOut(Schema):
    code: str = Field(description="原因代码：exception、late、not_intact、in_time 等")
    text: str
    cites: list[str] = Field(description="依据：本制度条款（如 10.4）与国家法律法规")
    blocks: bool = Field(description="该原因单独即导致不能无理由退货")
    exception: str = Field(description="涉及的例外代码（如有）")


class ReturnDecisionOut(Schema):
    returnable: bool
    category: str
    category_label: str
    received: dt.date
    requested: dt.date
    window_starts: dt.date = Field(description="期限起算日（签收次日）")
    deadline: dt.date = Field(description="最迟申请日")
    refund_days: int | None = Field(description="经营者收到退回商品后返还价款的期限（日）")
    reasons: list[ReturnReasonOut]


@returns_router.get(
    "/check", response={200: ReturnDecisionOut, **ERRORS}, auth=[Anyone()], summary="七日无理由退货判断（公开）"
)
@public_operation
def returns_check(request: HttpRequest, query: Query[ReturnsQuery]) -> dict[str, Any]:
    facts = query.dict()
    goods = returns.Goods(intact=not facts.pop("not_intact"), **facts)
    try:
        decision = returns.check(active_pack(), goods)
    except returns.ReturnsInputError as exc:
        raise DomainError(ErrorCode.VALIDATION, exc.message, {exc.field: exc.message}) from None
    return decision.as_dict()


# --- batches ---------------------------------------------------------------------------------------


def _actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "auth", None)
    if not isinstance(actor, Actor):
        raise DomainError(ErrorCode.UNAUTHENTICATED)
    return actor


class ProblemOut(Schema):
    line: int = Field(description="行号（0 表示整个文件）")
    field: str = Field(description="列名")
    reason: str = Field(description="原因（中文）")


class BatchOut(Schema):
    id: int
    batch_id: str = Field(description="提交方的批次编号；同一编号只导入一次")
    kind: str = Field(description="sellers、listings、complaints、returns 或 retention")
    status: str = Field(description="validating、applying、rejected（有错误，未导入）或 applied（已导入）")
    rows: int
    rows_done: int = Field(description="已处理行数（进度）")
    findings: int = Field(description="发现的问题数")
    problem_count: int
    problems: list[ProblemOut] = Field(description="每个错误行（最多列出一万处）")


def _batch_out(batch: Batch) -> dict[str, Any]:
    return {
        "id": batch.pk,
        "batch_id": batch.batch_id,
        "kind": batch.kind,
        "status": batch.status,
        "rows": batch.rows_total,
        "rows_done": batch.rows_done,
        "findings": batch.findings_count,
        "problem_count": batch.problem_count,
        "problems": batch.problems,
    }


@router.post(
    "/batches", response={200: BatchOut, **ERRORS}, auth=needs(Action.MONITORING_SUBMIT), summary="提交数据批次"
)
@allows(Action.MONITORING_SUBMIT)
def submit_batch(
    request: HttpRequest,
    kind: Form[str],
    batch_id: Form[str],
    file: File[UploadedFile],
) -> dict[str, Any]:
    """CSV（UTF-8）、JSONL 或 XLSX。先校验整个文件：有一行错误即不导入任何数据，并返回每个错误行。
    同一提交方重复提交同一批次编号，返回原批次，不改变任何数据。"""
    path, remove = stored_upload(file)
    try:
        batch = services.submit_batch(
            actor=_actor(request), kind=kind, batch_id=batch_id, path=path, filename=file.name or ""
        )
    finally:
        if remove:
            path.unlink(missing_ok=True)
    return _batch_out(batch)


@router.get(
    "/batches/{batch_id}",
    response={200: BatchOut, **ERRORS},
    auth=needs(Action.MONITORING_SUBMIT),
    summary="查询本机构提交的数据批次",
)
@allows(Action.MONITORING_SUBMIT)
def get_batch(request: HttpRequest, batch_id: str) -> dict[str, Any]:
    actor = _actor(request)
    key = f"org:{actor.organisation_id}" if actor.organisation_id else "cli"
    batch = Batch.objects.filter(submitter_key=key, batch_id=batch_id).first()
    if batch is None:
        raise DomainError(ErrorCode.NOT_FOUND, "未找到该批次。")
    return _batch_out(batch)


Span = list[int]
Cites = list[str]


class FindingOut(Schema):
    id: int
    kind: str
    status: str
    subject: str
    list: str
    term: str
    field: str
    span: Span | None = Field(description="原文中的位置 [起, 止)")
    context: str
    detail: str
    cites: Cites
    indicator: str
    found_on: dt.date


@router.get(
    "/findings",
    response={200: list[FindingOut], **ERRORS},
    auth=needs(Action.MONITORING_VIEW),
    summary="监测发现（待确认）",
)
@allows(Action.MONITORING_VIEW)
def list_findings(request: HttpRequest, status: str = FindingStatus.PENDING, limit: int = 100) -> list[dict[str, Any]]:
    rows = Finding.objects.filter(status=status).order_by("-pk")[: max(1, min(limit, 500))]
    return [
        {
            "id": f.pk,
            "kind": f.kind,
            "status": f.status,
            "subject": f.subject,
            "list": f.list_code,
            "term": f.term,
            "field": f.field,
            "span": [f.span_start, f.span_end] if f.span_start is not None and f.span_end is not None else None,
            "context": f.context,
            "detail": f.detail,
            "cites": f.cites,
            "indicator": f.indicator,
            "found_on": f.found_on,
        }
        for f in rows
    ]


check_declarations(router)
check_declarations(returns_router)
