from datetime import date

from django.http import HttpRequest
from ninja import NinjaAPI, Query, Schema
from ninja.pagination import paginate
from ninja.renderers import JSONRenderer

from ecredit.accounts.actors import Actor
from ecredit.accounts.models import Organisation
from ecredit.accounts.roles import Action
from ecredit.api.base import BrowserSessionAuth, Pagination, TokenAuth, allows, install_error_handlers
from ecredit.api.credit import router as credit_router
from ecredit.api.credit_procedures import router as credit_procedures_router
from ecredit.api.enforcement import notices_router
from ecredit.api.enforcement import router as enforcement_router
from ecredit.api.evidence import router as evidence_router
from ecredit.api.inspections import router as inspections_router
from ecredit.api.monitoring import returns_router
from ecredit.api.monitoring import router as monitoring_router
from ecredit.api.registry import router as registry_router
from ecredit.api.schemas import AuditEntryOut, ErrorOut, MeOut, OrganisationOut
from ecredit.audit.models import AuditEntry
from ecredit.audit.queries import filter_entries
from ecredit.errors import DomainError, ErrorCode


class ChineseJSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=ChineseJSONRenderer(),
    title="ecredit API",
    version="1",
    description="南安市网销商品质量安全信用评价系统 HTTP API。错误统一为 {code, message, details}。",
    urls_namespace="api",
    auth=[TokenAuth(), BrowserSessionAuth()],
)
install_error_handlers(api)
api.add_router("/registry", registry_router)
api.add_router("/credit/procedures", credit_procedures_router)
api.add_router("/credit", credit_router)
api.add_router("/inspections", inspections_router)
api.add_router("/evidence", evidence_router)
api.add_router("/enforcement", enforcement_router)
api.add_router("/notices", notices_router)
api.add_router("/monitoring", monitoring_router)
api.add_router("/returns", returns_router)

ERRORS = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}


@api.get("/me", response={200: MeOut, **ERRORS}, summary="当前调用者", tags=["accounts"])
@allows(Action.API_ME)
def me(request: HttpRequest) -> MeOut:
    actor = getattr(request, "auth", None)
    if not isinstance(actor, Actor):
        raise DomainError(ErrorCode.UNAUTHENTICATED)
    org = Organisation.objects.filter(pk=actor.organisation_id or 0).first()
    return MeOut(
        principal=actor.label,
        via=actor.via,
        user_id=actor.user_id,
        organisation=OrganisationOut(id=org.pk, name=org.name, kind=org.kind) if org else None,
        roles=sorted(actor.roles),
        scopes=sorted(actor.scopes) if actor.scopes is not None else [],
    )


class AuditFilter(Schema):
    actor: str = ""
    action: str = ""
    target_type: str = ""
    target_id: str = ""
    date_from: date | None = None
    date_to: date | None = None


@api.get("/audit/entries", response={200: list[AuditEntryOut], **ERRORS}, summary="审计日志", tags=["audit"])
@allows(Action.AUDIT_VIEW)
@paginate(Pagination)
def audit_entries(request: HttpRequest, filters: Query[AuditFilter]) -> list[AuditEntry]:
    return filter_entries(**filters.dict())  # type: ignore[return-value]
