"""The registry over HTTP: entities, filings (create, amend, submit, review), storefronts, badges, imports.

Thin: each operation declares its one action, finds the object the caller may see (missing and
not-yours both answer 404), calls one service and shapes the answer. No ``from __future__ import
annotations`` here: ninja reads the annotations at import time."""

import datetime as dt
from collections.abc import Callable
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import F, QuerySet
from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate
from pydantic import BaseModel, ConfigDict

from ecredit.accounts.actors import Actor
from ecredit.accounts.models import Organisation
from ecredit.accounts.roles import Action, OrgKind
from ecredit.api.base import Pagination, allows, check_declarations, needs
from ecredit.api.schemas import ErrorOut
from ecredit.errors import DomainError, ErrorCode
from ecredit.registry import importer, services
from ecredit.registry.models import (
    Badge,
    Entity,
    EntityKind,
    EntityRole,
    Filing,
    FilingStatus,
    FilingVersion,
    Permit,
    Storefront,
    Website,
)

router = Router(tags=["registry"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


# --- looking things up as the caller may see them -------------------------------------------------


def _actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "auth", None)
    if not isinstance(actor, Actor):
        raise DomainError(ErrorCode.UNAUTHENTICATED)
    return actor


def _entity_not_found() -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, "未找到该经营主体。")


def _filing_not_found() -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, "未找到该备案。")


def _entities() -> QuerySet[Entity]:
    return Entity.objects.select_related("filing")


def _visible_entity(actor: Actor, entity_id: int) -> Entity:
    entity = _entities().filter(pk=entity_id).first()
    if entity is None or not services.may_view(actor, entity):
        raise _entity_not_found()
    return entity


def _own_entity(actor: Actor, entity_id: int) -> Entity:
    """An entity linked to the caller's organisation; anyone else's answers 404 like a missing one."""
    entity = _entities().filter(pk=entity_id).first()
    if entity is None or not services.owns(actor, entity):
        raise _entity_not_found()
    return entity


def _filings() -> QuerySet[Filing]:
    return Filing.objects.select_related("entity", "current_version", "approved_version")


def _own_filing(actor: Actor, filing_id: int) -> Filing:
    filing = _filings().filter(pk=filing_id).first()
    if filing is None or not services.owns(actor, filing.entity):
        raise _filing_not_found()
    return filing


def _any_filing(filing_id: int) -> Filing:
    filing = _filings().filter(pk=filing_id).first()
    if filing is None:
        raise _filing_not_found()
    return filing


def _hidden(exc: DomainError, not_found: DomainError) -> DomainError:
    """A service's refusal about an object the caller may not see reads as "not found"."""
    return not_found if exc.code is ErrorCode.FORBIDDEN else exc


def _filing_of(entity: Entity) -> Filing | None:
    filing: Filing | None = getattr(entity, "filing", None)  # the reverse one-to-one raises when absent
    return filing


def _choice(field: str, value: str, allowed: list[str], what: str) -> str:
    if value not in allowed:
        reason = f"{what}“{value}”无效，应为：{'、'.join(allowed)}。"
        raise DomainError(ErrorCode.VALIDATION, reason, {field: reason})
    return value


# --- schemas --------------------------------------------------------------------------------------


class EntityOut(Schema):
    id: int
    name: str = Field(description="名称")
    kind: str = Field(description="主体类型：natural_person、individual_business、legal_person、other_org")
    kind_label: str = Field(description="主体类型（中文）")
    roles: list[str] = Field(description="角色：seller、platform、infrastructure")
    code: str = Field(description="统一社会信用代码；自然人为脱敏的居民身份证号码（从不返回完整号码）")
    in_jurisdiction: bool = Field(description="是否在本辖区登记")
    division_code: str = Field(description="登记管理机关行政区划码")
    filing_number: str = Field(description="备案编号；未备案为空")
    filing_status: str = Field(description="备案状态；未备案为空")
    industry: str = Field(description="行业")
    township: str = Field(description="乡镇（街道）")

    @staticmethod
    def resolve_kind_label(obj: Entity) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_filing_number(obj: Entity) -> str:
        filing = _filing_of(obj)
        return filing.number if filing else ""

    @staticmethod
    def resolve_filing_status(obj: Entity) -> str:
        filing = _filing_of(obj)
        return filing.status if filing else ""


class WebsiteOut(Schema):
    name: str
    domain: str
    ip: str
    kind: str
    icp_filing: str
    icp_licence: str
    isp: str
    server_room: str


class StorefrontOut(Schema):
    id: int
    entity_id: int
    entity_name: str = Field(description="开店的经营主体")
    entity_code: str = Field(description="其统一社会信用代码或脱敏身份证号码")
    entity_filing_number: str = Field(description="其备案编号；未备案为空")
    entity_filing_status: str = Field(description="其备案状态；未备案为空")
    platform_id: int
    platform_name: str
    shop_name: str
    shop_url: str
    shop_id: str = Field(description="店铺在平台上的编号")
    created_at: dt.datetime

    @staticmethod
    def resolve_entity_name(obj: Storefront) -> str:
        return obj.entity.name

    @staticmethod
    def resolve_entity_code(obj: Storefront) -> str:
        return obj.entity.code

    @staticmethod
    def resolve_entity_filing_number(obj: Storefront) -> str:
        filing = _filing_of(obj.entity)
        return filing.number if filing else ""

    @staticmethod
    def resolve_entity_filing_status(obj: Storefront) -> str:
        filing = _filing_of(obj.entity)
        return filing.status if filing else ""

    @staticmethod
    def resolve_platform_name(obj: Storefront) -> str:
        return obj.platform.name


class PermitOut(Schema):
    id: int
    kind: str
    kind_label: str
    number: str
    issuer: str
    valid_from: dt.date
    valid_until: dt.date

    @staticmethod
    def resolve_kind_label(obj: Permit) -> str:
        return str(obj.get_kind_display())


class BadgeRefOut(Schema):
    token: str = Field(description="标识令牌；公开核验页为 /verify/<token>/")
    issued_at: dt.datetime
    revoked_at: dt.datetime | None

    @staticmethod
    def resolve_token(obj: Badge) -> str:
        return services.badge_token(obj)


class FilingSummaryOut(Schema):
    id: int
    number: str = Field(description="备案编号")
    status: str
    status_label: str
    status_reason: str
    version: int | None = Field(description="最新版本号")
    approved_version: int | None = Field(description="生效版本号")
    first_approved_on: dt.date | None = Field(description="备案日期")
    contact_name: str
    contact_phone_masked: str = Field(description="联系电话（脱敏）")
    contact_email: str

    @staticmethod
    def resolve_status_label(obj: Filing) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_version(obj: Filing) -> int | None:
        return obj.current_version.number if obj.current_version else None

    @staticmethod
    def resolve_approved_version(obj: Filing) -> int | None:
        return obj.approved_version.number if obj.approved_version else None

    @staticmethod
    def resolve_contact_name(obj: Filing) -> str:
        return obj.current_version.contact_name if obj.current_version else ""

    @staticmethod
    def resolve_contact_phone_masked(obj: Filing) -> str:
        return obj.current_version.contact_phone_masked if obj.current_version else ""

    @staticmethod
    def resolve_contact_email(obj: Filing) -> str:
        return obj.current_version.contact_email if obj.current_version else ""


class EntityDetailOut(EntityOut):
    address: str
    sells_permit_goods: bool = Field(description="经营范围涉及前置许可")
    trades_in_enterprise_name: bool = Field(description="以企业或个体工商户名义经营")
    must_register: bool = Field(description="自然人依第九条应当登记")
    uscc_override_reason: str = Field(description="校验位例外理由")
    organisation_id: int | None
    websites: list[WebsiteOut]
    storefronts: list[StorefrontOut] = Field(description="本主体在各平台开设的店铺")
    hosted_storefront_count: int = Field(description="声称开设在本平台上的店铺数")
    permits: list[PermitOut]
    filing: FilingSummaryOut | None
    badges: list[BadgeRefOut] = Field(description="电子链接标识")

    @staticmethod
    def resolve_websites(obj: Entity) -> list[Website]:
        return list(obj.websites.all())

    @staticmethod
    def resolve_storefronts(obj: Entity) -> list[Storefront]:
        return list(obj.storefronts.select_related("entity__filing", "platform"))

    @staticmethod
    def resolve_hosted_storefront_count(obj: Entity) -> int:
        return obj.hosted_storefronts.count()

    @staticmethod
    def resolve_permits(obj: Entity) -> list[Permit]:
        return list(obj.permits.all())

    @staticmethod
    def resolve_filing(obj: Entity) -> Filing | None:
        filing = _filing_of(obj)
        return _filings().get(pk=filing.pk) if filing else None

    @staticmethod
    def resolve_badges(obj: Entity) -> list[Badge]:
        return list(obj.badges.all())


class EntityIn(Schema):
    name: str = Field(description="名称")
    kind: str = Field(description="主体类型：natural_person、individual_business、legal_person、other_org")
    roles: list[str] = Field(description="角色：seller、platform、infrastructure，至少一种")
    uscc: str = Field("", description="统一社会信用代码（自然人不填）")
    resident_id: str = Field("", description="居民身份证号码（仅自然人）")
    address: str = ""
    industry: str = ""
    township: str = ""
    sells_permit_goods: bool = False
    trades_in_enterprise_name: bool = False
    uscc_override_reason: str = Field("", description="代码校验位不符但确为登记机关核发时，信用管理员填写的例外理由")
    organisation_id: int | None = Field(None, description="可代其操作的经营者或平台机构")


class WebsiteIn(BaseModel):
    """One website of the filing. A plain pydantic model so that unknown keys reach the service, which
    names them in its message (ninja's ``Schema`` drops them)."""

    model_config = ConfigDict(extra="allow")

    name: str = Field("", description="网站名称")
    domain: str = Field("", description="网站域名")
    ip: str = Field("", description="IP 地址")
    kind: str = Field("", description="网站类型：own_shop、platform、information、corporate、other")
    icp_filing: str = Field("", description="ICP 备案号")
    icp_licence: str = Field("", description="ICP 许可证号")
    isp: str = Field("", description="ISP 提供商")
    server_room: str = Field("", description="服务器机房地址")


class FilingIn(Schema):
    """The Art. 8 items an operator declares."""

    subject_name: str = Field(description="主体名称")
    subject_kind: str = Field(description="主体类型")
    contact_name: str = ""
    contact_phone: str = Field("", description="联系电话（电话与电子邮箱至少一种）")
    contact_email: str = ""
    address: str = Field("", description="住所（经营场所）")
    websites: list[WebsiteIn] = []
    other_items: dict[str, str] = Field({}, description="其它登记事项")

    def to_data(self) -> services.FilingData:
        return services.FilingData(
            subject_name=self.subject_name,
            subject_kind=self.subject_kind,
            contact_name=self.contact_name,
            contact_phone=self.contact_phone,
            contact_email=self.contact_email,
            address=self.address,
            websites=[site.model_dump(exclude_unset=True) for site in self.websites],
            other_items=dict(self.other_items),
        )


class FilingVersionOut(Schema):
    number: int
    subject_name: str
    subject_kind: str
    contact_name: str
    contact_phone_masked: str = Field(description="联系电话（脱敏）")
    contact_email: str
    address: str
    websites: list[dict[str, str]]
    other_items: dict[str, str]
    declared_by: str = Field(description="声明人")
    declared_at: dt.datetime | None = Field(description="声明（提交）时间")
    review_decision: str = Field(description="审核结果：approved、returned 或空")
    review_reasons: str = Field(description="审核意见")
    reviewed_by: str
    reviewed_at: dt.datetime | None
    created_by: str
    created_at: dt.datetime


class ComparisonRowOut(Schema):
    field: str
    previous: Any
    current: Any
    changed: bool


class FilingOut(Schema):
    id: int
    number: str = Field(description="备案编号")
    entity_id: int
    entity_name: str
    status: str
    status_label: str
    status_reason: str
    version: int | None = Field(description="最新版本号")
    approved_version: int | None = Field(description="生效版本号")
    first_approved_on: dt.date | None = Field(description="备案日期")
    versions: list[FilingVersionOut] = Field(description="全部版本，按版本号")
    comparison: list[ComparisonRowOut] = Field(description="最新版本与上一版本逐项对照；只有一个版本时为空")

    @staticmethod
    def resolve_entity_name(obj: Filing) -> str:
        return obj.entity.name

    @staticmethod
    def resolve_status_label(obj: Filing) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_version(obj: Filing) -> int | None:
        return obj.current_version.number if obj.current_version else None

    @staticmethod
    def resolve_approved_version(obj: Filing) -> int | None:
        return obj.approved_version.number if obj.approved_version else None

    @staticmethod
    def resolve_versions(obj: Filing) -> list[FilingVersion]:
        return list(obj.versions.order_by("number"))

    @staticmethod
    def resolve_comparison(obj: Filing) -> list[dict[str, Any]]:
        current = obj.current_version.number if obj.current_version else 1
        if current < 2:
            return []
        rows = services.compare_versions(obj, current - 1, current)
        return [{"field": f, "previous": a, "current": b, "changed": a != b} for f, a, b in rows]


class QueueItemOut(Schema):
    id: int
    number: str
    entity_id: int
    entity_name: str
    entity_code: str
    version: int
    amendment: bool = Field(description="是否为已备案主体的变更")
    submitted_by: str
    submitted_at: dt.datetime | None

    @staticmethod
    def resolve_entity_name(obj: Filing) -> str:
        return obj.entity.name

    @staticmethod
    def resolve_entity_code(obj: Filing) -> str:
        return obj.entity.code

    @staticmethod
    def resolve_version(obj: Filing) -> int:
        return obj.current_version.number if obj.current_version else 0

    @staticmethod
    def resolve_amendment(obj: Filing) -> bool:
        return obj.approved_version_id is not None

    @staticmethod
    def resolve_submitted_by(obj: Filing) -> str:
        return obj.current_version.declared_by if obj.current_version else ""

    @staticmethod
    def resolve_submitted_at(obj: Filing) -> dt.datetime | None:
        return obj.current_version.declared_at if obj.current_version else None


class ReviewIn(Schema):
    decision: str = Field(description="approve（通过）或 return（退回）")
    reasons: str = Field("", description="审核意见；退回时必填（至少 4 个字）")


class StatusIn(Schema):
    action: str = Field(description="suspend（暂停）、reinstate（恢复）、revoke（撤销）、deregister（注销）")
    reason: str = Field(description="理由（至少 4 个字）")


class SubmitIn(Schema):
    declaration: bool = Field(description="经营者声明备案信息真实、准确、完整（第八条）")


class StorefrontIn(Schema):
    platform_id: int = Field(description="平台服务经营者的主体编号")
    shop_name: str
    shop_url: str = Field(description="店铺网址，以 http:// 或 https:// 开头")
    shop_id: str = Field(description="店铺在平台上的编号")


class BadgeOut(Schema):
    state: str = Field(description="valid（有效）、suspended（暂停或待审核）、revoked（已撤销）")
    label: str
    entity_name: str
    code: str = Field(description="统一社会信用代码；自然人为脱敏号码")
    kind: str
    filing_number: str
    filing_date: dt.date | None
    filing_status: str
    in_jurisdiction: bool
    checked_at: dt.datetime


class ProblemOut(Schema):
    line: int = Field(description="文件中的行号（表头为第 1 行）")
    column: str = Field(description="列名")
    reason: str = Field(description="原因")


class ImportReportOut(Schema):
    rows: int
    created: int
    unchanged: int
    dry_run: bool
    summary: str
    problems: list[ProblemOut]


class EntityFilter(Schema):
    q: str = Field("", description="名称、代码、域名、ICP 号或店铺网址")
    role: str = Field("", description="seller、platform 或 infrastructure")
    kind: str = Field("", description="主体类型")
    in_jurisdiction: bool | None = None


# --- entities -------------------------------------------------------------------------------------


@router.get(
    "/entities",
    response={200: list[EntityOut], **ERRORS},
    auth=needs(Action.REGISTRY_VIEW),
    summary="查询经营主体",
)
@allows(Action.REGISTRY_VIEW)
@paginate(Pagination)
def list_entities(request: HttpRequest, filters: Query[EntityFilter]) -> QuerySet[Entity]:
    entities = services.search_entities(filters.q, base=_entities())
    if filters.role:
        role = _choice("role", filters.role, list(EntityRole.values), "角色")
        entities = entities.filter(**{f"is_{role}": True})
    if filters.kind:
        entities = entities.filter(kind=_choice("kind", filters.kind, list(EntityKind.values), "主体类型"))
    if filters.in_jurisdiction is not None:
        entities = entities.filter(in_jurisdiction=filters.in_jurisdiction)
    return entities.order_by("name", "pk")


@router.get(
    "/entities/{entity_id}",
    response={200: EntityDetailOut, **ERRORS},
    auth=needs(Action.REGISTRY_VIEW),
    summary="经营主体详情",
)
@allows(Action.REGISTRY_VIEW)
def entity_detail(request: HttpRequest, entity_id: int) -> Entity:
    return _visible_entity(_actor(request), entity_id)


@router.post(
    "/entities",
    response={201: EntityOut, **ERRORS},
    auth=needs(Action.REGISTRY_MANAGE),
    summary="登记经营主体",
)
@allows(Action.REGISTRY_MANAGE)
def register_entity(request: HttpRequest, payload: EntityIn) -> Status[Entity]:
    organisation = None
    if payload.organisation_id is not None:
        organisation = Organisation.objects.filter(
            pk=payload.organisation_id, kind__in=[OrgKind.OPERATOR, OrgKind.PLATFORM]
        ).first()
        if organisation is None:
            reason = f"没有编号为 {payload.organisation_id} 的经营者或平台机构。"
            raise DomainError(ErrorCode.VALIDATION, reason, {"organisation_id": reason})
    data = services.EntityData(**payload.model_dump(exclude={"organisation_id"}))
    entity = services.register_entity(_actor(request), data, organisation=organisation)
    return Status(201, _entities().get(pk=entity.pk))


@router.get("/mine", response={200: list[EntityOut], **ERRORS}, auth=needs(Action.FILING_OWN), summary="本单位的主体")
@allows(Action.FILING_OWN)
def my_entities(request: HttpRequest) -> list[Entity]:
    actor = _actor(request)
    if actor.organisation_id is None:
        return []
    return list(_entities().filter(organisation_id=actor.organisation_id).order_by("name", "pk"))


@router.get(
    "/mine/{entity_id}",
    response={200: EntityDetailOut, **ERRORS},
    auth=needs(Action.FILING_OWN),
    summary="本单位主体详情",
)
@allows(Action.FILING_OWN)
def my_entity_detail(request: HttpRequest, entity_id: int) -> Entity:
    return _own_entity(_actor(request), entity_id)


# --- filings: the operator's side -----------------------------------------------------------------


def _filing_answer(filing: Filing) -> Filing:
    return _filings().get(pk=filing.pk)


@router.post(
    "/entities/{entity_id}/filing",
    response={201: FilingOut, **ERRORS},
    auth=needs(Action.FILING_OWN),
    summary="创建备案（草稿）",
)
@allows(Action.FILING_OWN)
def create_filing(request: HttpRequest, entity_id: int, payload: FilingIn) -> Status[Filing]:
    actor = _actor(request)
    entity = _own_entity(actor, entity_id)
    try:
        filing = services.create_filing(actor, entity, payload.to_data())
    except DomainError as exc:
        raise _hidden(exc, _entity_not_found()) from None
    return Status(201, _filing_answer(filing))


@router.get(
    "/filings/{filing_id}", response={200: FilingOut, **ERRORS}, auth=needs(Action.FILING_OWN), summary="本单位的备案"
)
@allows(Action.FILING_OWN)
def my_filing(request: HttpRequest, filing_id: int) -> Filing:
    return _own_filing(_actor(request), filing_id)


@router.put(
    "/filings/{filing_id}/draft",
    response={200: FilingOut, **ERRORS},
    auth=needs(Action.FILING_OWN),
    summary="修改未提交的版本",
)
@allows(Action.FILING_OWN)
def update_draft(request: HttpRequest, filing_id: int, payload: FilingIn) -> Filing:
    actor = _actor(request)
    filing = _own_filing(actor, filing_id)
    try:
        return _filing_answer(services.update_draft(actor, filing, payload.to_data()))
    except DomainError as exc:
        raise _hidden(exc, _filing_not_found()) from None


@router.post(
    "/filings/{filing_id}/amendments",
    response={201: FilingOut, **ERRORS},
    auth=needs(Action.FILING_OWN),
    summary="提交变更（新版本）",
)
@allows(Action.FILING_OWN)
def amend_filing(request: HttpRequest, filing_id: int, payload: FilingIn) -> Status[Filing]:
    actor = _actor(request)
    filing = _own_filing(actor, filing_id)
    try:
        return Status(201, _filing_answer(services.amend_filing(actor, filing, payload.to_data())))
    except DomainError as exc:
        raise _hidden(exc, _filing_not_found()) from None


@router.post(
    "/filings/{filing_id}/submit",
    response={200: FilingOut, **ERRORS},
    auth=needs(Action.FILING_OWN),
    summary="声明并提交审核",
)
@allows(Action.FILING_OWN)
def submit_filing(request: HttpRequest, filing_id: int, payload: SubmitIn) -> Filing:
    actor = _actor(request)
    filing = _own_filing(actor, filing_id)
    try:
        return _filing_answer(services.submit_filing(actor, filing, declaration=payload.declaration))
    except DomainError as exc:
        raise _hidden(exc, _filing_not_found()) from None


# --- filings: the officers' side ------------------------------------------------------------------


@router.get(
    "/review/queue",
    response={200: list[QueueItemOut], **ERRORS},
    auth=needs(Action.FILING_REVIEW),
    summary="待审核的备案（先交先审）",
)
@allows(Action.FILING_REVIEW)
@paginate(Pagination)
def review_queue(request: HttpRequest) -> QuerySet[Filing]:
    return (
        _filings()
        .filter(status=FilingStatus.SUBMITTED)
        .order_by(F("current_version__declared_at").asc(nulls_last=True), "pk")
    )


@router.get(
    "/review/filings/{filing_id}",
    response={200: FilingOut, **ERRORS},
    auth=needs(Action.REGISTRY_VIEW),
    summary="备案详情（工作人员）",
)
@allows(Action.REGISTRY_VIEW)
def filing_detail(request: HttpRequest, filing_id: int) -> Filing:
    return _any_filing(filing_id)


@router.post(
    "/filings/{filing_id}/review",
    response={200: FilingOut, **ERRORS},
    auth=needs(Action.FILING_REVIEW),
    summary="审核：通过或退回",
)
@allows(Action.FILING_REVIEW)
def review_filing(request: HttpRequest, filing_id: int, payload: ReviewIn) -> Filing:
    actor = _actor(request)
    filing = _any_filing(filing_id)
    decision = _choice("decision", payload.decision, ["approve", "return"], "审核结果")
    if decision == "approve":
        filing = services.approve_filing(actor, filing, note=payload.reasons)
    else:
        filing = services.return_filing(actor, filing, reasons=payload.reasons)
    return _filing_answer(filing)


STATUS_ACTIONS: dict[str, Callable[..., Filing]] = {
    "suspend": services.suspend_filing,
    "reinstate": services.reinstate_filing,
    "revoke": services.revoke_filing,
    "deregister": services.deregister_filing,
}


@router.post(
    "/filings/{filing_id}/status",
    response={200: FilingOut, **ERRORS},
    auth=needs(Action.FILING_REVIEW),
    summary="暂停、恢复、撤销或注销备案",
)
@allows(Action.FILING_REVIEW)
def change_status(request: HttpRequest, filing_id: int, payload: StatusIn) -> Filing:
    actor = _actor(request)
    filing = _any_filing(filing_id)
    action = _choice("action", payload.action, list(STATUS_ACTIONS), "操作")
    return _filing_answer(STATUS_ACTIONS[action](actor, filing, reason=payload.reason))


# --- storefronts ----------------------------------------------------------------------------------


def _storefront_answer(storefronts: QuerySet[Storefront]) -> QuerySet[Storefront]:
    return storefronts.select_related("entity__filing", "platform")


@router.post(
    "/entities/{entity_id}/storefronts",
    response={201: StorefrontOut, **ERRORS},
    auth=needs(Action.FILING_OWN),
    summary="登记平台店铺",
)
@allows(Action.FILING_OWN)
def add_storefront(request: HttpRequest, entity_id: int, payload: StorefrontIn) -> Status[Storefront]:
    actor = _actor(request)
    entity = _own_entity(actor, entity_id)
    platform = Entity.objects.filter(pk=payload.platform_id).first()
    if platform is None:
        reason = f"没有编号为 {payload.platform_id} 的平台服务经营者。"
        raise DomainError(ErrorCode.VALIDATION, reason, {"platform_id": reason})
    try:
        storefront = services.add_storefront(
            actor,
            entity,
            platform=platform,
            shop_name=payload.shop_name,
            shop_url=payload.shop_url,
            shop_id=payload.shop_id,
        )
    except DomainError as exc:
        if isinstance(exc.details, dict) and "platform" in exc.details:
            exc.details["platform_id"] = exc.details.pop("platform")
        raise _hidden(exc, _entity_not_found()) from None
    return Status(201, _storefront_answer(Storefront.objects.filter(pk=storefront.pk)).get())


@router.get(
    "/platform/storefronts",
    response={200: list[StorefrontOut], **ERRORS},
    auth=needs(Action.FILING_OWN),
    summary="声称开设在本平台上的店铺",
)
@allows(Action.FILING_OWN)
@paginate(Pagination)
def platform_storefronts(request: HttpRequest) -> QuerySet[Storefront]:
    actor = _actor(request)
    if actor.organisation_id is None:
        return Storefront.objects.none()
    platforms = Entity.objects.filter(organisation_id=actor.organisation_id, is_platform=True)
    found = [services.storefronts_on(actor, platform) for platform in platforms]
    storefronts = reduce(or_, found, Storefront.objects.none())
    return _storefront_answer(storefronts).order_by("platform__name", "shop_name", "pk")


# --- badges ---------------------------------------------------------------------------------------


@router.get(
    "/badges/{token}",
    response={200: BadgeOut, **ERRORS},
    auth=needs(Action.REGISTRY_VIEW),
    summary="电子链接标识状态",
    description="供系统核验标识状态。公众无需账户，可打开公开核验页 /verify/<token>/。",
)
@allows(Action.REGISTRY_VIEW)
def badge_status(request: HttpRequest, token: str) -> services.BadgeStatus:
    badge = services.resolve_badge(token)
    if badge is None:
        raise DomainError(ErrorCode.NOT_FOUND, "不是有效的 ecredit 电子链接标识")
    return services.badge_status(badge)


# --- bulk import ----------------------------------------------------------------------------------


def _report(report: importer.ImportReport) -> dict[str, Any]:
    return {
        "rows": report.rows,
        "created": report.created,
        "unchanged": report.unchanged,
        "dry_run": report.dry_run,
        "summary": report.summary(),
        "problems": [
            {"line": problem.line_number, "column": problem.column, "reason": problem.reason}
            for problem in report.problems
        ],
    }


@router.post(
    "/imports",
    response={200: ImportReportOut, **ERRORS},
    auth=needs(Action.REGISTRY_IMPORT),
    summary="批量导入主体与备案（CSV 或 XLSX）",
    description=(
        "与命令行 `ecredit registry import` 相同的校验，全部成功才导入。"
        "有任何问题时返回 422，details 为同样的报告，列出每个问题的行号、列名和原因，且不导入任何数据。"
    ),
)
@allows(Action.REGISTRY_IMPORT)
def import_registry(request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = False) -> dict[str, Any]:
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        reason = f"文件过大（{file.size / 1024 / 1024:.1f} MB），不能超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB；请分成几个文件导入。"
        raise DomainError(ErrorCode.VALIDATION, reason, {"file": reason})
    report = importer.import_file(_actor(request), file.name or "", file.read(), dry_run=dry_run)
    answer = _report(report)
    if report.problems:
        raise DomainError(ErrorCode.VALIDATION, report.summary(), answer)
    return answer


check_declarations(router)
