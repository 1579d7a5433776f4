"""Evidence pages: officers' list, capture and upload forms, the item page; the operator's
confirmation page; the public verification page and public key."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ecredit.accounts.access import actor_of, public, requires
from ecredit.accounts.roles import Action
from ecredit.errors import DomainError
from ecredit.evidence import keys, services
from ecredit.evidence.certificate import certificate_pdf
from ecredit.evidence.forms import AttachForm, AttestationForm, CaptureForm, ConfirmForm, UploadForm, VerifyForm
from ecredit.evidence.models import Attestation, AttestationKind, CustodyAction, Evidence, EvidenceStatus

MAX_BUNDLE_BYTES = 500 * 1024 * 1024


def _form_errors(form: Any, exc: DomainError) -> None:
    details = exc.details if isinstance(exc.details, dict) else {}
    for name in details:
        if name in form.fields:
            form.add_error(name, exc.message)
            return
    form.add_error(None, exc.message)


def _item(request: HttpRequest, pk: int) -> Evidence:
    found = services.access_evidence_for(actor_of(request), pk)
    if found is None:
        raise Http404
    return found


@requires(Action.EVIDENCE_VIEW)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    rows = services.evidence_for(actor_of(request))
    q = request.GET.get("q", "").strip()
    if q:
        rows = (
            rows.filter(title__icontains=q) | rows.filter(case_ref__icontains=q) | rows.filter(source_url__icontains=q)
        )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "evidence/index.html", {"page": page, "q": q})


@requires(Action.EVIDENCE_CAPTURE)
@require_http_methods(["GET", "POST"])
def capture_new(request: HttpRequest) -> HttpResponse:
    initial = {key: request.GET[key] for key in ("url", "case_ref", "inspection_ref") if key in request.GET}
    form = CaptureForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            evidence = services.request_capture(
                actor=actor_of(request),
                request=services.CaptureRequest(
                    url=data["url"],
                    entity=data["entity"],
                    case_ref=data["case_ref"],
                    inspection_ref=data["inspection_ref"],
                    note=data["note"],
                    accept_invalid_certificates=data["accept_invalid_certificates"],
                ),
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已排队固定，完成后本页显示结果。"))
            return redirect("evidence:detail", pk=evidence.pk)
    return render(request, "evidence/capture.html", {"form": form}, status=400 if form.errors else 200)


@requires(Action.EVIDENCE_CAPTURE)
@require_http_methods(["GET", "POST"])
def upload_new(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        uploads = [services.Upload(f.name, f.read(), f.content_type or "") for f in data["uploads"]]
        try:
            evidence = services.upload_evidence(
                actor=actor_of(request),
                kind=data["kind"],
                title=data["title"],
                files=uploads,
                entity=data["entity"],
                case_ref=data["case_ref"],
                note=data["note"],
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已保存并计算 SHA-256：%(number)s") % {"number": evidence.number})
            return redirect("evidence:detail", pk=evidence.pk)
    return render(request, "evidence/upload.html", {"form": form}, status=400 if form.errors else 200)


def _detail_context(evidence: Evidence) -> dict[str, Any]:
    return {
        "evidence": evidence,
        "capture": getattr(evidence, "capture", None),
        "files": evidence.files.select_related("artefact"),
        "custody": evidence.custody.order_by("seq"),
        "attestations": evidence.attestations.select_related("document"),
        "pending": evidence.status in (EvidenceStatus.QUEUED, EvidenceStatus.CAPTURING),
    }


@requires(Action.EVIDENCE_VIEW)
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    evidence = _item(request, pk)
    if evidence.status == EvidenceStatus.READY:
        services.note_custody(actor=actor, evidence=evidence, action=CustodyAction.VIEWED)
    context = _detail_context(evidence) | {
        "attach_form": AttachForm(initial={"case_ref": evidence.case_ref}),
        "attest_form": AttestationForm(),
        "can_capture": actor.can(Action.EVIDENCE_CAPTURE),
        "can_attest": actor.can(Action.EVIDENCE_ATTEST),
    }
    return render(request, "evidence/detail.html", context)


@requires(Action.EVIDENCE_VIEW)
@require_GET
def status(request: HttpRequest, pk: int) -> HttpResponse:
    """The status box, polled by the item page while the capture runs; once the capture is over the
    whole page reloads to show the files."""
    evidence = _item(request, pk)
    response = render(request, "evidence/_status.html", {"evidence": evidence})
    if request.headers.get("HX-Request") and evidence.status not in (EvidenceStatus.QUEUED, EvidenceStatus.CAPTURING):
        response["HX-Refresh"] = "true"
    return response


def _send_file(request: HttpRequest, evidence: Evidence, file_pk: int) -> HttpResponse:
    item = evidence.files.select_related("artefact").filter(pk=file_pk).first()
    if item is None:
        raise Http404
    services.note_custody(
        actor=actor_of(request),
        evidence=evidence,
        action=CustodyAction.DOWNLOADED,
        details={"file": item.name, "sha256": item.artefact.sha256},
    )
    response = HttpResponse(services.file_bytes(item), content_type=item.artefact.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(item.name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@requires(Action.EVIDENCE_VIEW)
@require_GET
def download(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    return _send_file(request, _item(request, pk), file_pk)


@requires(Action.EVIDENCE_CONFIRM_OWN)
@require_GET
def mine_download(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    """The party downloads the files it is asked to confirm."""
    actor = actor_of(request)
    evidence = services.evidence_for(actor).filter(pk=pk).first()
    if evidence is None or not services.may_confirm(actor, evidence):
        raise Http404
    return _send_file(request, evidence, file_pk)


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@requires(Action.EVIDENCE_VIEW)
@require_GET
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = _item(request, pk)
    if evidence.status != EvidenceStatus.READY:
        raise Http404
    services.note_custody(
        actor=actor_of(request), evidence=evidence, action=CustodyAction.DOWNLOADED, details={"file": "certificate.pdf"}
    )
    pdf = certificate_pdf(evidence, request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{evidence.number}.pdf"'
    return response


@requires(Action.EVIDENCE_CAPTURE)
@require_POST
def export(request: HttpRequest, pk: int) -> HttpResponseBase:
    evidence = _item(request, pk)
    try:
        data = services.export_bundle(actor=actor_of(request), evidence=evidence)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("evidence:detail", pk=pk)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{evidence.number}.zip"'
    return response


@requires(Action.EVIDENCE_CAPTURE)
@require_POST
def attach(request: HttpRequest, pk: int) -> HttpResponseBase:
    evidence = _item(request, pk)
    form = AttachForm(request.POST)
    if form.is_valid():
        try:
            services.attach_to_case(actor=actor_of(request), evidence=evidence, case_ref=form.cleaned_data["case_ref"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已关联案件。"))
    else:
        messages.error(request, _("请填写案件编号。"))
    return redirect("evidence:detail", pk=pk)


@requires(Action.EVIDENCE_ATTEST)
@require_POST
def attest(request: HttpRequest, pk: int) -> HttpResponseBase:
    actor = actor_of(request)
    evidence = _item(request, pk)
    form = AttestationForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        document = data["document"]
        try:
            services.record_attestation(
                actor=actor,
                evidence=evidence,
                kind=data["kind"],
                authority=data["authority"],
                reference=data["reference"],
                statement=data["statement"],
                document=services.Upload(document.name, document.read(), document.content_type or ""),
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已记录确认，文书已计算 SHA-256。"))
            return redirect("evidence:detail", pk=pk)
    context = _detail_context(evidence) | {
        "attach_form": AttachForm(initial={"case_ref": evidence.case_ref}),
        "attest_form": form,
        "can_capture": actor.can(Action.EVIDENCE_CAPTURE),
        "can_attest": True,
    }
    return render(request, "evidence/detail.html", context, status=400)


@requires(Action.EVIDENCE_CONFIRM_OWN)
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    confirmed = Attestation.objects.filter(evidence=OuterRef("pk"), kind=AttestationKind.PARTY)
    rows = services.evidence_for(actor_of(request)).annotate(party_confirmed=Exists(confirmed))
    return render(request, "evidence/mine.html", {"rows": rows})


@requires(Action.EVIDENCE_CONFIRM_OWN)
@require_http_methods(["GET", "POST"])
def mine_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    evidence = services.evidence_for(actor).filter(pk=pk).first()
    if evidence is None or not services.may_confirm(actor, evidence):
        raise Http404
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_as_party(actor=actor, evidence=evidence, statement=form.cleaned_data["statement"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已确认，确认记录已加入保全记录。"))
            return redirect("evidence:mine_detail", pk=pk)
    context = _detail_context(evidence) | {
        "form": form,
        "confirmed": evidence.attestations.filter(kind="party").first(),
    }
    return render(request, "evidence/mine_detail.html", context, status=400 if form.errors else 200)


@public
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Anyone checks an exported bundle, or asks whether a SHA-256 is held as evidence."""
    form = VerifyForm(request.POST or request.GET or None, request.FILES or None)
    report = None
    matches = None
    if (request.method == "POST" or "sha256" in request.GET) and form.is_valid():
        bundle = form.cleaned_data.get("bundle")
        if bundle is not None:
            if bundle.size > MAX_BUNDLE_BYTES:
                form.add_error("bundle", _("证据包过大（上限 500 MB）。"))
            else:
                try:
                    report = services.verify_bundle_bytes(bundle.read())
                except DomainError as exc:
                    form.add_error("bundle", exc.message)
        else:
            matches = services.find_by_sha256(form.cleaned_data["sha256"])
    public_pem = keys.public_key_pem().decode()
    context = {
        "form": form,
        "report": report,
        "matches": matches,
        "public_pem": public_pem,
        "fingerprint": keys.fingerprint(),
    }
    return render(request, "evidence/verify.html", context, status=400 if form.errors else 200)


@public
@require_GET
def public_key(request: HttpRequest) -> HttpResponse:
    return HttpResponse(keys.public_key_pem(), content_type="application/x-pem-file")
