"""Objection, repair and warning pages: the operator's forms, the officers' queues and decisions,
the warning lists, and attachments (served only here, to whoever may see the procedure).

Thin: each view finds what the caller may see (missing and not-yours both answer 404), calls one
function of ``credit.procedures`` and answers."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ecredit.accounts.access import actor_of, requires
from ecredit.accounts.roles import Action
from ecredit.credit import procedures
from ecredit.credit.models import CreditEvent, Objection, ProcedureState, RepairRequest
from ecredit.credit.procedure_forms import ObjectionDecisionForm, ObjectionForm, RepairDecisionForm, RepairForm
from ecredit.credit.views import pack_for
from ecredit.errors import DomainError

PAGE_SIZE = 50
STATES = dict(ProcedureState.choices)


def _place_error(form: Any, exc: DomainError) -> None:
    details = exc.details if isinstance(exc.details, dict) else {}
    placed = False
    for name, reason in details.items():
        if name in form.fields:
            form.add_error(name, reason)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _own_event(request: HttpRequest, pk: int) -> CreditEvent:
    event = procedures.access_own_event_for(actor_of(request), pk)
    if event is None:
        raise Http404
    return event


def _event_context(event: CreditEvent) -> dict[str, Any]:
    pack = pack_for(None)
    rule = pack.indicators.get(event.indicator)
    return {"event": event, "label": rule.label if rule else event.indicator, "pack": pack}


# --- the operator ---------------------------------------------------------------------------------


@requires(Action.CREDIT_OBJECT)
@require_http_methods(["GET", "POST"])
def object_to(request: HttpRequest, pk: int) -> HttpResponseBase:
    event = _own_event(request, pk)
    form = ObjectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            objection = procedures.file_objection(
                actor_of(request),
                event,
                reasons=form.cleaned_data["reasons"],
                attachments=form.cleaned_data["attachments"],
            )
        except DomainError as exc:
            _place_error(form, exc)
        else:
            values = {"id": objection.pk, "day": objection.deadline}
            messages.success(request, _("已提出异议 #%(id)s，商务局将于 %(day)s 前作出决定。") % values)
            return redirect("credit_procedures:mine")
    context = _event_context(event) | {"form": form, "kind": "objection"}
    return render(request, "credit/procedures/apply.html", context, status=400 if form.errors else 200)


@requires(Action.CREDIT_OBJECT)
@require_http_methods(["GET", "POST"])
def apply_repair(request: HttpRequest, pk: int) -> HttpResponseBase:
    event = _own_event(request, pk)
    form = RepairForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            repair = procedures.apply_repair(
                actor_of(request), event, proof=form.cleaned_data["proof"], attachments=form.cleaned_data["attachments"]
            )
        except DomainError as exc:
            _place_error(form, exc)
        else:
            values = {"id": repair.pk, "day": repair.deadline}
            messages.success(request, _("已提交信用修复申请 #%(id)s，商务局将于 %(day)s 前作出决定。") % values)
            return redirect("credit_procedures:mine")
    context = _event_context(event) | {"form": form, "kind": "repair"}
    return render(request, "credit/procedures/apply.html", context, status=400 if form.errors else 200)


@requires(Action.CREDIT_OBJECT)
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    own = {"event__entity__organisation_id": actor.organisation_id or -1}
    context = {
        "objections": procedures.objections().filter(**own).order_by("-filed_at", "-pk"),
        "repairs": procedures.repair_requests().filter(**own).order_by("-filed_at", "-pk"),
        "notices": procedures.notices_for(actor)[:20],
        "warnings": procedures.warnings_for(actor)[:20],
        "today": timezone.localdate(),
    }
    return render(request, "credit/procedures/mine.html", context)


# --- officers -------------------------------------------------------------------------------------


_DECIDED = {
    "objection": [ProcedureState.UPHELD, ProcedureState.DISMISSED],
    "repair": [ProcedureState.GRANTED, ProcedureState.REFUSED],
}


def _queue(request: HttpRequest, kind: str) -> HttpResponse:
    states = [ProcedureState.PENDING, *_DECIDED[kind]]
    state = request.GET.get("state", "")
    state = state if state in states else ProcedureState.PENDING
    rows = procedures.objections() if kind == "objection" else procedures.repair_requests()
    page = Paginator(procedures.queue(rows, state), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "kind": kind,
        "page": page,
        "state": state,
        "states": [(s.value, STATES[s]) for s in states],
        "today": timezone.localdate(),
    }
    return render(request, "credit/procedures/queue.html", context)


@requires(Action.CREDIT_VIEW)
@require_GET
def objection_queue(request: HttpRequest) -> HttpResponse:
    return _queue(request, "objection")


@requires(Action.CREDIT_VIEW)
@require_GET
def repair_queue(request: HttpRequest) -> HttpResponse:
    return _queue(request, "repair")


def _detail(request: HttpRequest, found: Objection | RepairRequest, form: Any, status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    kind = "objection" if isinstance(found, Objection) else "repair"
    may_decide = actor.can(Action.CREDIT_CORRECT) and found.state == ProcedureState.PENDING
    context = _event_context(found.event) | {
        "kind": kind,
        "item": found,
        "overdue": procedures.is_overdue(found),
        "form": form if may_decide else None,
        "earliest": procedures.earliest_repair(pack_for(found.pack_id), found.event) if kind == "repair" else None,
    }
    return render(request, "credit/procedures/detail.html", context, status=status)


def _objection(request: HttpRequest, pk: int) -> Objection:
    found = procedures.access_objection_for(actor_of(request), pk)
    if found is None:
        raise Http404
    return found


def _repair(request: HttpRequest, pk: int) -> RepairRequest:
    found = procedures.access_repair_for(actor_of(request), pk)
    if found is None:
        raise Http404
    return found


@requires(Action.DASHBOARD_VIEW)
@require_GET
def objection(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _objection(request, pk), ObjectionDecisionForm())


@requires(Action.DASHBOARD_VIEW)
@require_GET
def repair(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _repair(request, pk), RepairDecisionForm())


def _decided(request: HttpRequest, done: procedures.Decided, text: str) -> None:
    messages.success(request, text)
    if done.evaluation is not None:
        values = {"day": done.evaluation.as_of, "score": f"{done.evaluation.score:g}", "grade": done.evaluation.grade}
        messages.info(request, _("已重新评价（%(day)s）：%(score)s 分，等级 %(grade)s。") % values)
    elif done.not_evaluated:
        messages.warning(request, _("决定已生效，但未能重新评价：%(why)s") % {"why": done.not_evaluated})


@requires(Action.CREDIT_CORRECT)
@require_POST
def decide_objection(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = _objection(request, pk)
    form = ObjectionDecisionForm(request.POST)
    if form.is_valid():
        upheld = form.cleaned_data["decision"] == "upheld"
        try:
            done = procedures.decide_objection(
                actor_of(request), found, upheld=upheld, reasons=form.cleaned_data["reasons"]
            )
        except DomainError as exc:
            _place_error(form, exc)
        else:
            _decided(
                request, done, _("异议 #%(id)s：%(state)s。") % {"id": found.pk, "state": STATES[done.procedure.state]}
            )
            return redirect(reverse("credit:entity", args=[found.event.entity_id]) + f"#event-{found.event_id}")
    return _detail(request, found, form, status=400)


@requires(Action.CREDIT_CORRECT)
@require_POST
def decide_repair(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = _repair(request, pk)
    form = RepairDecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            done = procedures.decide_repair(
                actor_of(request),
                found,
                granted=data["decision"] == "granted",
                reasons=data["reasons"],
                from_date=data["from_date"],
            )
        except DomainError as exc:
            _place_error(form, exc)
        else:
            values = {"id": found.pk, "state": STATES[done.procedure.state]}
            _decided(request, done, _("信用修复申请 #%(id)s：%(state)s。") % values)
            return redirect(reverse("credit:entity", args=[found.event.entity_id]) + f"#event-{found.event_id}")
    return _detail(request, found, form, status=400)


# --- warnings and attachments ---------------------------------------------------------------------


@requires(Action.DASHBOARD_VIEW)
@require_GET
def warnings(request: HttpRequest) -> HttpResponse:
    """Officers see every warning; an operator its own entities'."""
    actor = actor_of(request)
    if not (actor.can(Action.CREDIT_VIEW) or actor.can(Action.CREDIT_OBJECT)):
        raise Http404
    page = Paginator(procedures.warnings_for(actor), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "credit/procedures/warnings.html", {"page": page, "officer": actor.can(Action.CREDIT_VIEW)})


@requires(Action.DASHBOARD_VIEW)
@require_GET
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    found = procedures.access_attachment_for(actor_of(request), pk)
    if found is None:
        raise Http404
    response = FileResponse(
        found.file.open("rb"), as_attachment=True, filename=found.name, content_type=found.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
