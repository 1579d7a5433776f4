"""Monitoring pages: batches (upload, progress, the report of bad rows), the findings queue, and the
public 7-day return check."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ecredit.accounts.access import actor_of, public, requires
from ecredit.accounts.roles import Action
from ecredit.errors import DomainError
from ecredit.monitoring import intake, returns, services
from ecredit.monitoring.forms import BatchUploadForm, ConfirmForm, DismissForm, ReturnsCheckForm
from ecredit.monitoring.models import Batch, BatchStatus, Finding, FindingStatus
from ecredit.policy.packs import active_pack

PAGE_SIZE = 50


@public
@require_GET
def returns_check(request: HttpRequest) -> HttpResponse:
    form = ReturnsCheckForm(request.GET or None)
    decision = None
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            decision = returns.check(active_pack(), returns.Goods(intact=not data.pop("not_intact"), **data))
        except returns.ReturnsInputError as exc:
            form.add_error(exc.field, exc.message)
    return render(request, "monitoring/returns_check.html", {"form": form, "decision": decision})


# --- batches -----------------------------------------------------------------------------------------


@requires(Action.MONITORING_VIEW)
@require_GET
def batches(request: HttpRequest) -> HttpResponse:
    page = Paginator(Batch.objects.select_related("submitter"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "monitoring/batches.html", {"page": page})


def stored_upload(upload: UploadedFile) -> tuple[Path, bool]:
    """A path to the uploaded file: Django's own temporary file for a large upload, else a copy."""
    temporary = getattr(upload, "temporary_file_path", None)
    if temporary is not None:
        return Path(temporary()), False
    with tempfile.NamedTemporaryFile(delete=False, suffix=Path(upload.name or "").suffix) as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return Path(out.name), True


@requires(Action.MONITORING_SUBMIT)
def upload(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = BatchUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        path, remove = stored_upload(file)
        # A small file is checked and applied at once; a large one goes to the task worker and the batch
        # page shows its progress (a million rows would outlast any web request).
        submit = services.queue_batch if (file.size or 0) > settings.MONITORING_INLINE_BYTES else services.submit_batch
        try:
            batch = submit(
                actor=actor,
                kind=form.cleaned_data["kind"],
                batch_id=form.cleaned_data["batch_id"],
                path=path,
                filename=file.name or "",
            )
        except DomainError as exc:
            form.add_error("file" if "file" in (exc.details or {}) else None, exc.message)
        else:
            return redirect("monitoring:batch", pk=batch.pk)
        finally:
            if remove:
                path.unlink(missing_ok=True)
    templates = {kind: intake.template(kind) for kind in intake.COLUMNS}
    return render(
        request, "monitoring/upload.html", {"form": form, "templates": templates}, status=400 if form.errors else 200
    )


@requires(Action.MONITORING_VIEW)
@require_GET
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    found = Batch.objects.filter(pk=pk).first()
    if found is None:
        raise Http404
    running = found.status in (BatchStatus.VALIDATING, BatchStatus.APPLYING)
    context = {"batch": found, "running": running, "hidden": max(0, found.problem_count - len(found.problems))}
    return render(request, "monitoring/batch.html", context)


# --- findings ----------------------------------------------------------------------------------------


@requires(Action.MONITORING_VIEW)
@require_GET
def findings(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", FindingStatus.PENDING)
    if status not in FindingStatus.values:
        status = FindingStatus.PENDING
    rows = Finding.objects.filter(status=status).select_related("entity", "listing")
    if request.GET.get("batch", "").isdigit():
        rows = rows.filter(batch_id=int(request.GET["batch"]))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "monitoring/findings.html", {"page": page, "status": status, "statuses": FindingStatus.choices}
    )


def _finding(pk: int) -> Finding:
    found = Finding.objects.select_related("entity", "listing", "batch").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@requires(Action.MONITORING_VIEW)
@require_GET
def finding(request: HttpRequest, pk: int) -> HttpResponse:
    found = _finding(pk)
    actor = actor_of(request)
    can_review = actor.can(Action.FINDINGS_REVIEW) and found.status == FindingStatus.PENDING
    confirm_form = ConfirmForm()
    # Only a department that handles cases may turn a finding into a lead; only officers who may fix
    # evidence may have the page captured.
    if not actor.can(Action.CASE_MANAGE):
        del confirm_form.fields["refer_to_enforcement"]
    if not actor.can(Action.EVIDENCE_CAPTURE):
        del confirm_form.fields["capture_requested"]
    context = {"finding": found, "can_review": can_review, "confirm_form": confirm_form, "dismiss_form": DismissForm()}
    if found.listing is not None and found.field and found.span_start is not None and found.span_end is not None:
        text = str(found.listing.fields.get(found.field, ""))
        context["before"] = text[: found.span_start]
        context["hit"] = text[found.span_start : found.span_end]
        context["after"] = text[found.span_end :]
    return render(request, "monitoring/finding.html", context)


@requires(Action.FINDINGS_REVIEW)
@require_POST
def finding_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    found = _finding(pk)
    form = ConfirmForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    try:
        confirmed = services.confirm_finding(
            actor=actor_of(request),
            finding=found,
            note=data.get("note", ""),
            refer_to_enforcement=data.get("refer_to_enforcement", False),
            capture_requested=data.get("capture_requested", False),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        done = confirmed.finding
        if done.credit_event_id:
            messages.success(request, _("已确认，并记录信用事件 #%(id)s。") % {"id": done.credit_event_id})
        else:
            messages.success(request, _("已确认。"))
        if done.lead_id:
            messages.success(request, _("已移交执法线索 #%(id)s。") % {"id": done.lead_id})
        if confirmed.capture_refused:
            messages.warning(request, _("商品页面未能排队固定：%(reason)s") % {"reason": confirmed.capture_refused})
        elif confirmed.evidence is not None:
            messages.success(request, _("已排队固定商品页面（电子证据 #%(id)s）。") % {"id": confirmed.evidence.pk})
    return redirect("monitoring:finding", pk=pk)


@requires(Action.FINDINGS_REVIEW)
@require_POST
def finding_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    found = _finding(pk)
    form = DismissForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请写明排除的理由。"))
        return redirect("monitoring:finding", pk=pk)
    try:
        services.dismiss_finding(actor=actor_of(request), finding=found, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已排除；相同的文字不会再次提示。"))
    return redirect("monitoring:finding", pk=pk)
