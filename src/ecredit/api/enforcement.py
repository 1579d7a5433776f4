"""执法办案 over HTTP. No ``from __future__ import annotations`` here (ninja reads annotations at import time).

Two routers: ``router`` at /api/v1/enforcement/ (a department's own cases, Art. 18) and
``notices_router`` at /api/v1/notices (a platform's or provider's client reads the suspension notices
addressed to its organisation, acknowledges them and reports compliance, Art. 22).
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from ecredit.accounts.actors import Actor
from ecredit.accounts.roles import Action
from ecredit.api.base import Pagination, allows, check_declarations, needs
from ecredit.api.schemas import ErrorOut
from ecredit.enforcement import documents, queries, services
from ecredit.enforcement import notices as notice_services
from ecredit.enforcement.models import Case, Notice
from ecredit.errors import DomainError, ErrorCode

router = Router(tags=["enforcement"])
notices_router = Router(tags=["notices"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "auth", None)
    if not isinstance(actor, Actor):
        raise DomainError(ErrorCode.UNAUTHENTICATED)
    return actor


# --- schemas --------------------------------------------------------------------------------------


class CaseOut(Schema):
    id: int
    number: str = Field(description="案件编号；待立案时为空")
    title: str = Field(description="案由")
    state: str = Field(
        description="lead、filed、investigating、pending_decision、decided、executing、closed、withdrawn"
    )
    state_label: str
    parties: list[str]
    conduct: list[str] = Field(description="第十四条各项，如 14.9")
    filed_on: dt.date | None
    deadline: dt.date | None = Field(description="作出决定的期限（含延期）")
    deadline_state: str = Field(description="overdue（已逾期）、near（临近期限）或空")


class NoticeOut(Schema):
    id: int
    number: str = Field(description="文号，如 南市监停〔2024〕1号")
    issued_on: dt.date
    department: str = Field(description="签发机关")
    addressee: str = Field(description="受送达人（本机构登记的平台或基础服务经营者）")
    party: str = Field(description="需暂停服务的当事人")
    party_code: str
    measures: str = Field(description="需暂停的服务")
    comply_by: dt.date | None = Field(description="执行期限")
    acknowledged_at: dt.datetime | None
    complied_at: dt.datetime | None
    compliance_report: str
    overdue: bool = Field(description="已过执行期限且未报告执行情况")
    pdf_url: str = Field(description="文书 PDF 的下载地址")


class ComplianceIn(Schema):
    report: str = Field(description="执行情况：暂停了哪些服务、何时暂停（至少 4 个字）")


def _case_out(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "title": case.title,
        "state": case.state,
        "state_label": case.get_state_display(),
        "parties": [p.entity.name for p in case.parties.select_related("entity")],
        "conduct": list(case.conduct),
        "filed_on": case.filed_on,
        "deadline": case.deadline,
        "deadline_state": queries.deadline_state(case),
    }


def _notice_out(notice: Notice) -> dict[str, Any]:
    document = notice.document
    return {
        "id": notice.pk,
        "number": document.number,
        "issued_on": document.issued_on,
        "department": document.department.name,
        "addressee": document.addressee_name,
        "party": document.content.get("party", ""),
        "party_code": document.content.get("party_code", ""),
        "measures": document.content.get("measures", ""),
        "comply_by": notice.comply_by,
        "acknowledged_at": notice.acknowledged_at,
        "complied_at": notice.complied_at,
        "compliance_report": notice.compliance_report,
        "overdue": notice_services.notice_overdue(notice),
        "pdf_url": f"/api/v1/notices/{notice.pk}/pdf",
    }


# --- a department's cases -------------------------------------------------------------------------


@router.get("/cases", response={200: list[CaseOut], **ERRORS}, auth=needs(Action.CASE_VIEW), summary="本部门的案件")
@allows(Action.CASE_VIEW)
@paginate(Pagination)
def cases(request: HttpRequest) -> list[dict[str, Any]]:
    rows = queries.cases_for(_actor(request)).order_by("-proposed_on", "-pk")
    return [_case_out(case) for case in rows]


@router.get(
    "/cases/{case_id}", response={200: CaseOut, **ERRORS}, auth=needs(Action.CASE_VIEW), summary="案件（仅本部门）"
)
@allows(Action.CASE_VIEW)
def case_detail(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return _case_out(services.access_case_for(_actor(request), case_id))


# --- notices to platforms and providers -----------------------------------------------------------


@notices_router.get(
    "",
    response={200: list[NoticeOut], **ERRORS},
    auth=needs(Action.NOTICE_RECEIVE),
    summary="发给本机构的暂停提供服务通知书",
)
@allows(Action.NOTICE_RECEIVE)
@paginate(Pagination)
def notices(request: HttpRequest) -> list[dict[str, Any]]:
    return [_notice_out(n) for n in queries.notices_for(_actor(request))]


@notices_router.get(
    "/{notice_id}", response={200: NoticeOut, **ERRORS}, auth=needs(Action.NOTICE_RECEIVE), summary="一份通知书"
)
@allows(Action.NOTICE_RECEIVE)
def notice_detail(request: HttpRequest, notice_id: int) -> dict[str, Any]:
    return _notice_out(services.access_notice_for(_actor(request), notice_id))


@notices_router.get(
    "/{notice_id}/pdf",
    response={404: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    auth=needs(Action.NOTICE_RECEIVE),
    summary="通知书 PDF",
)
@allows(Action.NOTICE_RECEIVE)
def notice_pdf(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = services.access_notice_for(_actor(request), notice_id)
    response = HttpResponse(documents.absolute_path(notice.document).read_bytes(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{notice.pk}.pdf"'
    return response


@notices_router.post(
    "/{notice_id}/acknowledge",
    response={200: NoticeOut, **ERRORS},
    auth=needs(Action.NOTICE_RECEIVE),
    summary="签收通知书（重复签收不改变首次签收时间）",
)
@allows(Action.NOTICE_RECEIVE)
def acknowledge(request: HttpRequest, notice_id: int) -> dict[str, Any]:
    actor = _actor(request)
    notice = notice_services.acknowledge_notice(actor=actor, notice=services.access_notice_for(actor, notice_id))
    return _notice_out(services.access_notice_for(actor, notice.pk))


@notices_router.post(
    "/{notice_id}/compliance",
    response={200: NoticeOut, **ERRORS},
    auth=needs(Action.NOTICE_RECEIVE),
    summary="报告执行情况",
)
@allows(Action.NOTICE_RECEIVE)
def compliance(request: HttpRequest, notice_id: int, payload: ComplianceIn) -> dict[str, Any]:
    actor = _actor(request)
    notice = notice_services.report_compliance(
        actor=actor, notice=services.access_notice_for(actor, notice_id), report=payload.report
    )
    return _notice_out(services.access_notice_for(actor, notice.pk))


check_declarations(router)
check_declarations(notices_router)
