"""Registry pages: officers' lists and review queue, operators' own filing, the public badge check."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import segno
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ecredit.accounts.access import actor_of, public, requires
from ecredit.accounts.actors import Actor
from ecredit.accounts.roles import Action
from ecredit.errors import DomainError
from ecredit.registry import importer, services
from ecredit.registry.forms import (
    DeclarationForm,
    EntityForm,
    FilingForm,
    ImportForm,
    PermitForm,
    RevealForm,
    ReviewForm,
    SearchForm,
    StatusForm,
    StorefrontForm,
    WebsiteFormSet,
    filing_data,
    filing_initial,
)
from ecredit.registry.models import Badge, Entity, Filing, FilingStatus, FilingVersion

IMPORT_MAX_BYTES = 50 * 1024 * 1024


def _form_errors(form: Any, exc: DomainError, websites: Any = None) -> None:
    """Put a service's ``{field: reason}`` details on the form fields the person filled in."""
    details = exc.details if isinstance(exc.details, dict) else {}
    placed = False
    for name, reason in details.items():
        if name.startswith("websites.") and websites is not None:
            _prefix, index, field = name.split(".", 2)
            forms = websites.forms
            position = int(index) - 1
            if 0 <= position < len(forms) and field in forms[position].fields:
                forms[position].add_error(field, reason)
                placed = True
                continue
        if name in form.fields:
            form.add_error(name, reason)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


# --- officers -------------------------------------------------------------------------------------


def filtered_entities(form: SearchForm) -> QuerySet[Entity]:
    data = form.cleaned_data if form.is_valid() else {}
    entities = services.search_entities(data.get("q", ""))
    role = data.get("role")
    if role:
        entities = entities.filter(**{f"is_{role}": True})
    if data.get("kind"):
        entities = entities.filter(kind=data["kind"])
    status = data.get("status")
    if status == "none":
        entities = entities.filter(filing__isnull=True)
    elif status:
        entities = entities.filter(filing__status=status)
    if data.get("jurisdiction"):
        entities = entities.filter(in_jurisdiction=data["jurisdiction"] == "in")
    return entities.select_related("filing")


@requires(Action.REGISTRY_VIEW)
@require_GET
def entities(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    page = Paginator(filtered_entities(form), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "registry/entities.html", {"form": form, "page": page, "query": query.urlencode()})


@requires(Action.REGISTRY_MANAGE)
@require_http_methods(["GET", "POST"])
def entity_new(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = EntityForm(request.POST or None, may_override=True)
    if request.method == "POST" and form.is_valid():
        try:
            entity = services.register_entity(actor, form.data_object())
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已登记：%(name)s") % {"name": entity.name})
            return redirect("registry:entity", pk=entity.pk)
    return render(request, "registry/entity_form.html", {"form": form}, status=400 if form.errors else 200)


def _entity_context(entity: Entity, actor: Actor) -> dict[str, Any]:
    filing = Filing.objects.filter(entity=entity).select_related("current_version", "approved_version").first()
    badge = entity.badges.filter(revoked_at__isnull=True).first()
    return {
        "entity": entity,
        "filing": filing,
        "versions": filing.versions.order_by("-number") if filing else [],
        "websites": entity.websites.all(),
        "storefronts": entity.storefronts.select_related("platform"),
        "hosted": entity.hosted_storefronts.select_related("entity") if entity.is_platform else [],
        "permits": entity.permits.all(),
        "permit_warnings": services.permit_warnings(entities=Entity.objects.filter(pk=entity.pk)),
        "badge": badge,
        "badge_url": _badge_url(badge) if badge else "",
        "can_review": actor.can(Action.FILING_REVIEW),
        "can_reveal": actor.can(Action.IDENTITY_REVEAL) and bool(entity.resident_id_masked),
    }


@requires(Action.REGISTRY_VIEW)
@require_GET
def entity(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    found = get_object_or_404(Entity, pk=pk)
    context = _entity_context(found, actor) | {"reveal_form": RevealForm(), "status_form": StatusForm()}
    return render(request, "registry/entity.html", context)


@requires(Action.IDENTITY_REVEAL)
@require_POST
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the full ID number once, in this answer only, after the reason is recorded."""
    actor = actor_of(request)
    found = get_object_or_404(Entity, pk=pk)
    form = RevealForm(request.POST)
    revealed = ""
    if form.is_valid():
        try:
            revealed = services.reveal_identity(actor, found, form.cleaned_data["reason"])
        except DomainError as exc:
            _form_errors(form, exc)
    context = _entity_context(found, actor) | {"reveal_form": form, "revealed": revealed, "status_form": StatusForm()}
    response = render(request, "registry/entity.html", context, status=200 if revealed else 400)
    response["Cache-Control"] = "no-store"
    return response


@requires(Action.FILING_REVIEW)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    waiting = (
        Filing.objects.filter(status=FilingStatus.SUBMITTED)
        .select_related("entity", "current_version")
        .order_by("updated_at", "pk")
    )
    return render(
        request,
        "registry/queue.html",
        {"waiting": waiting, "permit_warnings": services.permit_warnings()[:100]},
    )


def _compare(request: HttpRequest, filing: Filing) -> dict[str, Any]:
    numbers = list(filing.versions.order_by("number").values_list("number", flat=True))
    try:
        a = int(request.GET.get("a", numbers[-2] if len(numbers) > 1 else numbers[-1]))
        b = int(request.GET.get("b", numbers[-1]))
        rows = services.compare_versions(filing, a, b)
    except (ValueError, DomainError):
        raise Http404 from None
    labels = {name: getattr(FilingVersion._meta.get_field(name), "verbose_name", name) for name, _a, _b in rows}
    return {
        "numbers": numbers,
        "a": a,
        "b": b,
        "rows": [(labels[name], left, right, left != right) for name, left, right in rows],
    }


@requires(Action.REGISTRY_VIEW)
@require_GET
def filing(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    found = get_object_or_404(Filing.objects.select_related("entity", "current_version"), pk=pk)
    context = {
        "filing": found,
        "versions": found.versions.order_by("-number"),
        "review_form": ReviewForm(),
        "status_form": StatusForm(),
        "can_review": actor.can(Action.FILING_REVIEW),
        **_compare(request, found),
    }
    return render(request, "registry/filing.html", context)


@requires(Action.FILING_REVIEW)
@require_POST
def filing_review(request: HttpRequest, pk: int) -> HttpResponseBase:
    actor = actor_of(request)
    found = get_object_or_404(Filing, pk=pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                services.approve_filing(actor, found, note=form.cleaned_data["reasons"])
                messages.success(request, _("备案 %(n)s 已通过，电子链接标识已生效。") % {"n": found.number})
            else:
                services.return_filing(actor, found, reasons=form.cleaned_data["reasons"])
                messages.success(request, _("备案 %(n)s 已退回经营者修改。") % {"n": found.number})
            return redirect("registry:filing", pk=found.pk)
        except DomainError as exc:
            _form_errors(form, exc)
    context = {
        "filing": found,
        "versions": found.versions.order_by("-number"),
        "review_form": form,
        "status_form": StatusForm(),
        "can_review": True,
        **_compare(request, found),
    }
    return render(request, "registry/filing.html", context, status=400)


STATUS_ACTIONS: dict[str, Callable[..., Filing]] = {
    "suspend": services.suspend_filing,
    "reinstate": services.reinstate_filing,
    "revoke": services.revoke_filing,
    "deregister": services.deregister_filing,
}


@requires(Action.FILING_REVIEW)
@require_POST
def filing_status(request: HttpRequest, pk: int) -> HttpResponseBase:
    actor = actor_of(request)
    found = get_object_or_404(Filing, pk=pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            changed = STATUS_ACTIONS[form.cleaned_data["action"]](actor, found, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("备案 %(n)s 状态：%(s)s") % {"n": changed.number, "s": changed.get_status_display()}
            )
    else:
        messages.error(request, _("请选择操作并写明理由。"))
    return redirect("registry:entity", pk=found.entity_id)


@requires(Action.REGISTRY_IMPORT)
@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            form.add_error("file", _("文件过大：最多 50 MB。"))
        else:
            try:
                report = importer.import_file(actor, upload.name, upload.read(), dry_run=form.cleaned_data["dry_run"])
            except DomainError as exc:
                form.add_error("file", exc.message)
    if form.errors or (report and report.problems):
        status = 400
    return render(
        request,
        "registry/import.html",
        {"form": form, "report": report, "template_text": importer.template()},
        status=status,
    )


# --- operators ------------------------------------------------------------------------------------


def _own_entity(request: HttpRequest, pk: int) -> tuple[Actor, Entity]:
    """The entity, if the signed-in operator acts for it; 404 otherwise (nothing is revealed)."""
    actor = actor_of(request)
    found = Entity.objects.filter(pk=pk, organisation_id=actor.organisation_id or -1).first()
    if found is None:
        raise Http404
    return actor, found


@requires(Action.FILING_OWN)
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    own = Entity.objects.filter(organisation_id=actor.organisation_id or -1).select_related("filing")
    return render(
        request,
        "registry/mine.html",
        {"entities": own, "permit_warnings": services.permit_warnings(entities=own)},
    )


@requires(Action.FILING_OWN)
@require_http_methods(["GET", "POST"])
def mine_new(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = EntityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from ecredit.accounts.models import Organisation

        organisation = Organisation.objects.filter(pk=actor.organisation_id or -1).first()
        try:
            created = services.register_entity(actor, form.data_object(), organisation=organisation)
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("主体已登记，请填写备案登记信息。"))
            return redirect("registry:mine_filing", pk=created.pk)
    return render(request, "registry/entity_form.html", {"form": form}, status=400 if form.errors else 200)


@requires(Action.FILING_OWN)
@require_GET
def mine_entity(request: HttpRequest, pk: int) -> HttpResponse:
    actor, found = _own_entity(request, pk)
    context = _entity_context(found, actor)
    platforms = [(p.pk, p.name) for p in Entity.objects.filter(is_platform=True).only("pk", "name")]
    context |= {
        "declaration_form": DeclarationForm(),
        "storefront_form": StorefrontForm(platforms=platforms),
        "permit_form": PermitForm(),
    }
    filing_obj = context["filing"]
    if filing_obj is not None and len(filing_obj.versions.all()) > 1:
        context |= _compare(request, filing_obj)
    return render(request, "registry/mine_entity.html", context)


@requires(Action.FILING_OWN)
@require_http_methods(["GET", "POST"])
def mine_filing(request: HttpRequest, pk: int) -> HttpResponse:
    """Fill in the filing: the first draft, a change to the draft, or an amendment (a new version)."""
    actor, found = _own_entity(request, pk)
    current = Filing.objects.filter(entity=found).select_related("current_version").first()
    if current is not None and current.status not in (
        FilingStatus.DRAFT,
        FilingStatus.RETURNED,
        FilingStatus.APPROVED,
        FilingStatus.AMENDED,
    ):
        messages.error(request, _("备案当前状态为“%(s)s”，不能修改。") % {"s": current.get_status_display()})
        return redirect("registry:mine_entity", pk=found.pk)
    if request.method == "POST":
        form = FilingForm(request.POST)
        websites = WebsiteFormSet(request.POST, prefix="websites")
        if form.is_valid() and websites.is_valid():
            data = filing_data(form, websites)
            try:
                if current is None:
                    services.create_filing(actor, found, data)
                elif current.current_version is not None and not current.current_version.frozen:
                    services.update_draft(actor, current, data)
                else:
                    services.amend_filing(actor, current, data)
            except DomainError as exc:
                _form_errors(form, exc, websites)
            else:
                messages.success(request, _("备案信息已保存。确认无误后请提交审核。"))
                return redirect("registry:mine_entity", pk=found.pk)
    else:
        if current is not None and current.current_version is not None:
            initial, sites = filing_initial(services.version_data(current.current_version))
        else:
            initial, sites = {"subject_name": found.name, "subject_kind": found.kind, "address": found.address}, []
        form = FilingForm(initial=initial)
        websites = WebsiteFormSet(initial=sites, prefix="websites")
    status = 400 if form.errors or any(f.errors for f in websites.forms) else 200
    return render(
        request,
        "registry/filing_form.html",
        {"entity": found, "form": form, "websites": websites, "filing": current},
        status=status,
    )


@requires(Action.FILING_OWN)
@require_POST
def mine_submit(request: HttpRequest, pk: int) -> HttpResponseBase:
    actor, found = _own_entity(request, pk)
    current = Filing.objects.filter(entity=found).first()
    form = DeclarationForm(request.POST)
    if current is None:
        messages.error(request, _("请先填写备案登记信息。"))
    else:
        try:
            services.submit_filing(actor, current, declaration=form.is_valid())
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已提交审核，审核结果将在此页显示。"))
    return redirect("registry:mine_entity", pk=found.pk)


@requires(Action.FILING_OWN)
@require_POST
def mine_storefront(request: HttpRequest, pk: int) -> HttpResponseBase:
    actor, found = _own_entity(request, pk)
    platforms = [(p.pk, p.name) for p in Entity.objects.filter(is_platform=True).only("pk", "name")]
    form = StorefrontForm(request.POST, platforms=platforms)
    if form.is_valid():
        try:
            services.add_storefront(
                actor,
                found,
                platform=Entity.objects.get(pk=form.cleaned_data["platform"]),
                shop_name=form.cleaned_data["shop_name"],
                shop_url=form.cleaned_data["shop_url"],
                shop_id=form.cleaned_data["shop_id"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("店铺已登记。"))
    else:
        messages.error(request, _("请完整填写店铺信息。"))
    return redirect("registry:mine_entity", pk=found.pk)


@requires(Action.FILING_OWN)
@require_POST
def mine_permit(request: HttpRequest, pk: int) -> HttpResponseBase:
    actor, found = _own_entity(request, pk)
    form = PermitForm(request.POST)
    if form.is_valid():
        try:
            services.add_permit(actor, found, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("前置许可已登记。"))
    else:
        messages.error(request, _("请完整填写许可信息（日期格式：年-月-日）。"))
    return redirect("registry:mine_entity", pk=found.pk)


# --- the public badge check -----------------------------------------------------------------------


def _badge_url(badge: Badge) -> str:
    return reverse("verify", kwargs={"token": services.badge_token(badge)})


def _badge_or_none(token: str) -> Badge | None:
    return services.resolve_badge(token)


@public
@require_GET
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """The page a shopper reaches from the badge: the entity's public facts and live status."""
    badge = _badge_or_none(token)
    if badge is None:
        return render(request, "registry/verify_invalid.html", status=404)
    status = services.badge_status(badge)
    page_url = request.build_absolute_uri(_badge_url(badge))
    svg_url = request.build_absolute_uri(reverse("verify_svg", kwargs={"token": token}))
    snippet = (
        f'<a href="{page_url}" target="_blank" rel="noopener">'
        f'<img src="{svg_url}" alt="{_("电子营业执照亮照标识")}：{status.entity_name}" width="220" height="64"></a>'
    )
    response = render(
        request,
        "registry/verify.html",
        {"status": status, "token": token, "snippet": snippet, "page_url": page_url},
    )
    response["Cache-Control"] = "no-cache"
    return response


@public
@require_GET
def verify_svg(request: HttpRequest, token: str) -> HttpResponse:
    """The badge image a shop embeds; its colour and words follow the filing's live status."""
    badge = _badge_or_none(token)
    status = services.badge_status(badge) if badge is not None else None
    response = render(
        request, "registry/badge.svg", {"status": status}, content_type="image/svg+xml", status=200 if status else 404
    )
    response["Cache-Control"] = "no-cache"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@public
@require_GET
def verify_qr(request: HttpRequest, token: str) -> HttpResponse:
    """A QR code (SVG) of the verification page's address, for print and packaging."""
    badge = _badge_or_none(token)
    if badge is None:
        raise Http404
    out = io.BytesIO()
    segno.make(request.build_absolute_uri(_badge_url(badge)), error="m").save(
        out, kind="svg", scale=4, border=2, xmldecl=False
    )
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
