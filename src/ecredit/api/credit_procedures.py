"""Objections, repair requests and warnings over HTTP (/api/v1/credit/procedures/…).

An operator's client files an objection or a repair request (multipart: the text and up to five
PDF/JPG/PNG files); an officer decides. Thin: each operation declares its one action, finds what the
caller may see (missing and not-yours both answer 404), calls one function of ``credit.procedures``.
No ``from __future__ import annotations`` here: ninja reads the annotations at import time."""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from ecredit.accounts.actors import Actor
from ecredit.accounts.roles import Action
from ecredit.api.base import Pagination, allows, check_declarations, needs
from ecredit.api.schemas import ErrorOut
from ecredit.credit import procedures
from ecredit.credit.models import Attachment, Objection, RepairRequest, Warning
from ecredit.errors import DomainError, ErrorCode

router = Router(tags=["credit-procedures"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "auth", None)
    if not isinstance(actor, Actor):
        raise DomainError(ErrorCode.UNAUTHENTICATED)
    return actor


def _not_found(what: str) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, f"未找到该{what}。")


# --- schemas --------------------------------------------------------------------------------------


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    sha256: str

    @staticmethod
    def resolve_id(obj: Attachment) -> int:
        return obj.pk


class ProcedureOut(Schema):
    id: int
    event_id: int
    entity_id: int
    state: str
    filed_on: dt.date
    filed_by: str
    deadline: dt.date
    overdue: bool
    decision_reasons: str
    decided_by: str
    decided_at: dt.datetime | None
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_id(obj: Objection | RepairRequest) -> int:
        return obj.pk

    @staticmethod
    def resolve_entity_id(obj: Objection | RepairRequest) -> int:
        return obj.event.entity_id

    @staticmethod
    def resolve_overdue(obj: Objection | RepairRequest) -> bool:
        return procedures.is_overdue(obj)

    @staticmethod
    def resolve_attachments(obj: Objection | RepairRequest) -> list[Attachment]:
        return list(obj.attachments.all())


class ObjectionOut(ProcedureOut):
    reasons: str


class RepairOut(ProcedureOut):
    proof: str
    from_date: dt.date | None


class DecidedOut(Schema):
    state: str
    evaluation_id: int | None = Field(None, description="决定后重新评价的结果（如有）")
    grade: str | None = None
    score: float | None = None
    not_evaluated: str = Field("", description="未能重新评价的原因（如政策包未延期）")


class ObjectionDecisionIn(Schema):
    upheld: bool = Field(description="true：异议成立，撤销该事件；false：异议不成立")
    reasons: str = Field(description="决定理由")


class RepairDecisionIn(Schema):
    granted: bool = Field(description="true：准予修复；false：不予修复")
    reasons: str = Field(description="决定理由")
    from_date: dt.date | None = Field(None, description="修复生效日期，默认今天")


class WarningOut(Schema):
    id: int
    entity_id: int
    entity_name: str
    evaluation_id: int
    as_of: dt.date
    grade_before: str
    grade_after: str
    message: str
    created_at: dt.datetime

    @staticmethod
    def resolve_id(obj: Warning) -> int:
        return obj.pk

    @staticmethod
    def resolve_entity_name(obj: Warning) -> str:
        return obj.entity.name


def _decided(done: procedures.Decided) -> DecidedOut:
    evaluation = done.evaluation
    return DecidedOut(
        state=done.procedure.state,
        evaluation_id=evaluation.pk if evaluation else None,
        grade=evaluation.grade if evaluation else None,
        score=float(evaluation.score) if evaluation else None,
        not_evaluated=done.not_evaluated,
    )


def _hidden(exc: DomainError, what: str) -> DomainError:
    return _not_found(what) if exc.code is ErrorCode.FORBIDDEN else exc


# --- objections -----------------------------------------------------------------------------------


@router.post(
    "/objections", response={201: ObjectionOut, **ERRORS}, auth=needs(Action.CREDIT_OBJECT), summary="提出异议"
)
@allows(Action.CREDIT_OBJECT)
def file_objection(
    request: HttpRequest, event_id: Form[int], reasons: Form[str], attachments: File[list[UploadedFile] | None] = None
) -> Status[Objection]:
    actor = _actor(request)
    event = procedures.access_own_event_for(actor, event_id)
    if event is None:
        raise _not_found("信用事件")
    try:
        objection = procedures.file_objection(actor, event, reasons=reasons, attachments=attachments or [])
    except DomainError as exc:
        raise _hidden(exc, "信用事件") from None
    return Status(201, procedures.objections().get(pk=objection.pk))


@router.get(
    "/objections/{objection_id}", response={200: ObjectionOut, **ERRORS}, auth=needs(Action.API_ME), summary="异议"
)
@allows(Action.API_ME)
def objection(request: HttpRequest, objection_id: int) -> Objection:
    found = procedures.access_objection_for(_actor(request), objection_id)
    if found is None:
        raise _not_found("异议")
    return found


@router.post(
    "/objections/{objection_id}/decisions",
    response={200: DecidedOut, **ERRORS},
    auth=needs(Action.CREDIT_CORRECT),
    summary="对异议作出决定",
)
@allows(Action.CREDIT_CORRECT)
def decide_objection(request: HttpRequest, objection_id: int, payload: ObjectionDecisionIn) -> DecidedOut:
    actor = _actor(request)
    found = procedures.access_objection_for(actor, objection_id)
    if found is None:
        raise _not_found("异议")
    return _decided(procedures.decide_objection(actor, found, upheld=payload.upheld, reasons=payload.reasons))


# --- repair ---------------------------------------------------------------------------------------


@router.post("/repairs", response={201: RepairOut, **ERRORS}, auth=needs(Action.CREDIT_OBJECT), summary="申请信用修复")
@allows(Action.CREDIT_OBJECT)
def apply_repair(
    request: HttpRequest, event_id: Form[int], proof: Form[str], attachments: File[list[UploadedFile] | None] = None
) -> Status[RepairRequest]:
    actor = _actor(request)
    event = procedures.access_own_event_for(actor, event_id)
    if event is None:
        raise _not_found("信用事件")
    try:
        repair = procedures.apply_repair(actor, event, proof=proof, attachments=attachments or [])
    except DomainError as exc:
        raise _hidden(exc, "信用事件") from None
    return Status(201, procedures.repair_requests().get(pk=repair.pk))


@router.get(
    "/repairs/{repair_id}", response={200: RepairOut, **ERRORS}, auth=needs(Action.API_ME), summary="信用修复申请"
)
@allows(Action.API_ME)
def repair(request: HttpRequest, repair_id: int) -> RepairRequest:
    found = procedures.access_repair_for(_actor(request), repair_id)
    if found is None:
        raise _not_found("信用修复申请")
    return found


@router.post(
    "/repairs/{repair_id}/decisions",
    response={200: DecidedOut, **ERRORS},
    auth=needs(Action.CREDIT_CORRECT),
    summary="对信用修复申请作出决定",
)
@allows(Action.CREDIT_CORRECT)
def decide_repair(request: HttpRequest, repair_id: int, payload: RepairDecisionIn) -> DecidedOut:
    actor = _actor(request)
    found = procedures.access_repair_for(actor, repair_id)
    if found is None:
        raise _not_found("信用修复申请")
    done = procedures.decide_repair(
        actor, found, granted=payload.granted, reasons=payload.reasons, from_date=payload.from_date
    )
    return _decided(done)


# --- warnings -------------------------------------------------------------------------------------


@router.get("/warnings", response={200: list[WarningOut], **ERRORS}, auth=needs(Action.API_ME), summary="信用预警")
@allows(Action.API_ME)
@paginate(Pagination)
def warnings(request: HttpRequest) -> list[Warning]:
    """Officers see every warning; an operator's client its own entities'."""
    return procedures.warnings_for(_actor(request))  # type: ignore[return-value]


check_declarations(router)
