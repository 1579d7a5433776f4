"""Complaints and quality-safety incidents: the public complaint form, officers' queue, operators' portal."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ecredit.accounts.access import actor_of, public, requires
from ecredit.accounts.roles import Action
from ecredit.credit import queries
from ecredit.errors import DomainError
from ecredit.monitoring import services
from ecredit.monitoring.forms import (
    AnswerForm,
    ComplaintOutcomeForm,
    FoundIncidentForm,
    IncidentForm,
    OfficerComplaintForm,
    PublicComplaintForm,
)
from ecredit.monitoring.models import Complaint, ComplaintSource, ComplaintStatus, Incident
from ecredit.registry.models import Entity

PAGE_SIZE = 50


def _client(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


# --- the public form ---------------------------------------------------------------------------------


@public
def complain(request: HttpRequest) -> HttpResponse:
    form = PublicComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["website"]:
            # The honeypot was filled in: answer as if it worked, keep nothing.
            return render(request, "monitoring/complaint_filed.html", {"reference": ""})
        data = services.ComplaintData(
            seller_name=form.cleaned_data["seller_name"],
            subject=form.cleaned_data["subject"],
            description=form.cleaned_data["description"],
            received_on=form.cleaned_data["received_on"],
            complainant=form.cleaned_data["complainant"],
            complainant_phone=form.cleaned_data["complainant_phone"],
        )
        try:
            complaint = services.file_complaint(
                actor=services.PUBLIC_ACTOR, data=data, source=ComplaintSource.PUBLIC, client=_client(request)
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = 429 if exc.code == "throttled" else 400
            return render(request, "monitoring/complain.html", {"form": form}, status=status)
        return render(request, "monitoring/complaint_filed.html", {"reference": complaint.reference})
    return render(request, "monitoring/complain.html", {"form": form}, status=400 if form.errors else 200)


# --- officers ----------------------------------------------------------------------------------------


@requires(Action.MONITORING_VIEW)
@require_GET
def complaints(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    rows = Complaint.objects.select_related("entity")
    if status in ComplaintStatus.values:
        rows = rows.filter(status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "statuses": ComplaintStatus.choices, "today": timezone.localdate()}
    return render(request, "monitoring/complaints.html", context)


@requires(Action.FINDINGS_REVIEW)
def complaint_new(request: HttpRequest) -> HttpResponse:
    form = OfficerComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = services.ComplaintData(**form.cleaned_data)
        try:
            complaint = services.file_complaint(actor=actor_of(request), data=data, source=ComplaintSource.OFFICER)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已登记投诉 %(ref)s。") % {"ref": complaint.reference})
            return redirect("monitoring:complaint", pk=complaint.pk)
    return render(request, "monitoring/complaint_new.html", {"form": form}, status=400 if form.errors else 200)


def _complaint(pk: int) -> Complaint:
    found = Complaint.objects.select_related("entity").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@requires(Action.MONITORING_VIEW)
@require_GET
def complaint(request: HttpRequest, pk: int) -> HttpResponse:
    found = _complaint(pk)
    can_review = actor_of(request).can(Action.FINDINGS_REVIEW)
    context = {"complaint": found, "can_review": can_review, "outcome_form": ComplaintOutcomeForm()}
    return render(request, "monitoring/complaint.html", context)


@requires(Action.FINDINGS_REVIEW)
@require_POST
def complaint_accept(request: HttpRequest, pk: int) -> HttpResponse:
    found = _complaint(pk)
    accept = request.POST.get("decision") != "reject"
    try:
        services.accept_complaint(actor=actor_of(request), complaint=found, accept=accept)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已受理。") if accept else _("已决定不予受理。"))
    return redirect("monitoring:complaint", pk=pk)


@requires(Action.FINDINGS_REVIEW)
@require_POST
def complaint_close(request: HttpRequest, pk: int) -> HttpResponse:
    found = _complaint(pk)
    form = ComplaintOutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择处理结果。"))
        return redirect("monitoring:complaint", pk=pk)
    try:
        done = services.close_complaint(actor=actor_of(request), complaint=found, outcome=form.cleaned_data["outcome"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if done.credit_event_id:
            messages.success(request, _("已办结，并记录信用事件 #%(id)s。") % {"id": done.credit_event_id})
        else:
            messages.success(request, _("已办结。"))
    return redirect("monitoring:complaint", pk=pk)


@requires(Action.MONITORING_VIEW)
@require_GET
def incidents(request: HttpRequest) -> HttpResponse:
    page = Paginator(Incident.objects.select_related("entity"), PAGE_SIZE).get_page(request.GET.get("page"))
    can_review = actor_of(request).can(Action.FINDINGS_REVIEW)
    context = {"page": page, "can_review": can_review, "form": FoundIncidentForm()}
    return render(request, "monitoring/incidents.html", context)


@requires(Action.FINDINGS_REVIEW)
@require_POST
def incident_found(request: HttpRequest) -> HttpResponse:
    """An officer records an incident found unreported (Art. 10 (2))."""
    form = FoundIncidentForm(request.POST)
    entity = queries.entity_by_code(request.POST.get("entity_code", "")) if form.is_valid() else None
    if not form.is_valid() or entity is None:
        messages.error(request, _("请填写完整；统一社会信用代码须为已登记的经营主体。"))
        return redirect("monitoring:incidents")
    try:
        services.report_incident(
            actor=actor_of(request),
            entity=entity,
            what=form.cleaned_data["what"],
            goods=form.cleaned_data["goods"],
            occurred_on=form.cleaned_data["occurred_on"],
            measures="",
            found_by_officer=True,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已登记未报告的质量安全事故。"))
    return redirect("monitoring:incidents")


@requires(Action.FINDINGS_REVIEW)
@require_POST
def incident_late(request: HttpRequest, pk: int) -> HttpResponse:
    found = Incident.objects.select_related("entity").filter(pk=pk).first()
    if found is None:
        raise Http404
    try:
        done = services.record_incident_late(actor=actor_of(request), incident=found)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已记录信用事件 #%(id)s。") % {"id": done.credit_event_id})
    return redirect("monitoring:incidents")


# --- operators ---------------------------------------------------------------------------------------


def _own_entities(request: HttpRequest) -> list[Entity]:
    actor = actor_of(request)
    return list(Entity.objects.filter(organisation_id=actor.organisation_id or -1).order_by("name"))


@requires(Action.INCIDENT_REPORT)
def mine(request: HttpRequest) -> HttpResponse:
    """An operator's complaints (to answer) and incidents (to report)."""
    entities = _own_entities(request)
    choices = [(e.pk, e.name) for e in entities]
    form = IncidentForm(request.POST or None, entities=choices)
    if request.method == "POST" and form.is_valid():
        entity = next(e for e in entities if e.pk == form.cleaned_data["entity"])
        try:
            services.report_incident(
                actor=actor_of(request),
                entity=entity,
                what=form.cleaned_data["what"],
                goods=form.cleaned_data["goods"],
                occurred_on=form.cleaned_data["occurred_on"],
                measures=form.cleaned_data["measures"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已向南安市商务局报告质量安全事故。"))
            return redirect("monitoring:mine")
    ids = [e.pk for e in entities]
    context = {
        "form": form,
        "has_entities": bool(entities),
        "complaints": Complaint.objects.filter(entity_id__in=ids).order_by("-received_on")[:100],
        "incidents": Incident.objects.filter(entity_id__in=ids)[:100],
        "answer_form": AnswerForm(),
    }
    return render(request, "monitoring/mine.html", context, status=400 if form.errors else 200)


@requires(Action.INCIDENT_REPORT)
@require_POST
def mine_answer(request: HttpRequest, pk: int) -> HttpResponse:
    found = _complaint(pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写答复。"))
        return redirect("monitoring:mine")
    try:
        services.answer_complaint(actor=actor_of(request), complaint=found, answer=form.cleaned_data["answer"])
    except DomainError as exc:
        if exc.code == "not_found":
            raise Http404 from None
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已提交答复。"))
    return redirect("monitoring:mine")
