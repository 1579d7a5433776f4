"""执法办案 pages: the department's cases and leads, the case page with its timeline, the forms that
move a case and issue its documents, a platform's notices, a party's own documents, and the public
pages (a document's authenticity check, published penalties).

Thin: each change is one call of ``enforcement.services``; a refusal comes back as its Chinese message.
Cases are fetched only through ``services.access_case_for`` (Art. 18: missing and forbidden look alike).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ecredit.accounts.access import actor_of, public, requires
from ecredit.accounts.models import User
from ecredit.accounts.roles import Action
from ecredit.credit import queries as credit_queries
from ecredit.enforcement import documents, forms, issuing, queries, services, transitions
from ecredit.enforcement import notices as notice_services
from ecredit.enforcement.models import Case, Document, DocumentKind, EvidenceLink, Lead, LeadStatus, Notice
from ecredit.enforcement.services import PartyIn
from ecredit.enforcement.transitions import RUNNING
from ecredit.errors import DomainError
from ecredit.evidence import services as evidence_services
from ecredit.policy.packs import active_pack

PAGE_SIZE = 50
# The table's button words (``transitions.TABLE``), for translation; the table itself imports no Django.
STEP_LABELS = {
    "file": gettext_lazy("批准立案"),
    "investigate": gettext_lazy("开始调查"),
    "submit": gettext_lazy("调查终结，提请决定"),
    "decide": gettext_lazy("批准处理决定"),
    "execute": gettext_lazy("进入执行"),
    "close": gettext_lazy("结案"),
    "withdraw": gettext_lazy("撤销案件"),
}


def _case(request: HttpRequest, pk: int) -> Case:
    try:
        return services.access_case_for(actor_of(request), pk)
    except DomainError:
        raise Http404 from None


def _done(request: HttpRequest, case: Case, call: Any, success: str) -> HttpResponse:
    """Run one service call; say what happened; back to the case page."""
    try:
        call()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("enforcement:case", pk=case.pk)


# --- cases ----------------------------------------------------------------------------------------


@requires(Action.CASE_VIEW)
def cases(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = forms.CaseFilterForm(request.GET or None)
    rows = queries.cases_for(actor).prefetch_related("parties__entity").order_by("-proposed_on", "-pk")
    if form.is_valid():
        q, state, due = form.cleaned_data["q"], form.cleaned_data["state"], form.cleaned_data["due"]
        if q:
            rows = rows.filter(Q(number__icontains=q) | Q(title__icontains=q) | Q(parties__entity__name__icontains=q))
        if state:
            rows = rows.filter(state=state)
        if due:
            today = timezone.localdate()
            running = rows.filter(state__in=[s.value for s in RUNNING], deadline__isnull=False)
            if due == "overdue":
                rows = running.filter(deadline__lt=today)
            else:
                horizon = today + dt.timedelta(days=queries.NEAR_DUE_DAYS)
                rows = running.filter(deadline__gte=today, deadline__lte=horizon)
    page = Paginator(rows.distinct(), PAGE_SIZE).get_page(request.GET.get("page"))
    for case in page:
        case.due = queries.deadline_state(case)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "enforcement/cases.html",
        {"form": form, "page": page, "query": query.urlencode(), "may_manage": actor.can(Action.CASE_MANAGE)},
    )


@requires(Action.CASE_VIEW)
def case(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    found = _case(request, pk)
    granted = services._granted(actor)
    steps = [
        {"name": t.name, "label": STEP_LABELS.get(t.name, t.label), "needs_reason": t.needs_reason}
        for t in transitions.available(found.state)
        if t.action in granted
    ]
    context = {
        "case": found,
        "due": queries.deadline_state(found),
        "parties": found.parties.select_related("entity", "provider"),
        "officers": found.officers.all(),
        "events": found.events.all(),
        "records": found.records.all(),
        "evidence": found.evidence.all(),
        # Items of the evidence store (web captures, uploads with their custody log) filed under this case.
        "stored": (
            evidence_services.evidence_for(actor).filter(case_ref=found.number).order_by("created_at")
            if found.number and actor.can(Action.EVIDENCE_VIEW)
            else []
        ),
        "may_capture": actor.can(Action.EVIDENCE_CAPTURE) and bool(found.number),
        "capture_query": urlencode({"case_ref": found.number}),
        "documents": found.documents.select_related("corrects").order_by("issued_on", "pk"),
        "notices": Notice.objects.filter(document__case=found).select_related("document"),
        "extensions": found.extensions.order_by("approved_at"),
        "conduct": [(ref, active_pack().conduct.get(ref, "")) for ref in found.conduct],
        "steps": steps,
        "may_manage": actor.can(Action.CASE_MANAGE),
        "may_approve": actor.can(Action.CASE_APPROVE),
        "working": found.state not in (transitions.State.LEAD, *transitions.FINAL),
        "record_form": forms.RecordForm(prefix="record"),
        "evidence_form": forms.EvidenceForm(prefix="evidence"),
        "noncooperation_form": forms.NoncooperationForm(case=found, prefix="nc"),
        "extend_form": forms.ExtendForm(prefix="extend", initial={"days": services.rules().extension.applied}),
        "kinds": [(kind, label) for kind, label in DocumentKind.choices if found.state in issuing.ISSUE_STATES[kind]],
        "today": timezone.localdate(),
    }
    return render(request, "enforcement/case.html", context)


@requires(Action.CASE_VIEW)  # the table decides who may fire which transition (services.fire)
@require_POST
def transition(request: HttpRequest, pk: int) -> HttpResponse:
    found = _case(request, pk)
    form = forms.TransitionForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    name = data.get("transition", "")
    step = transitions.BY_NAME.get(name)
    label = STEP_LABELS.get(name, step.label if step else name)
    return _done(
        request,
        found,
        lambda: services.fire(
            actor=actor_of(request),
            case=found,
            transition=name,
            reason=data.get("reason", ""),
            decision=data.get("decision", ""),
        ),
        _("已执行：%(step)s。") % {"step": label},
    )


@requires(Action.CASE_APPROVE)
@require_POST
def extend(request: HttpRequest, pk: int) -> HttpResponse:
    found = _case(request, pk)
    form = forms.ExtendForm(request.POST, prefix="extend")
    if not form.is_valid():
        messages.error(request, _("请填写延长天数和延期理由。"))
        return redirect("enforcement:case", pk=found.pk)
    return _done(
        request,
        found,
        lambda: services.extend_deadline(
            actor=actor_of(request), case=found, days=form.cleaned_data["days"], reason=form.cleaned_data["reason"]
        ),
        _("已批准延长办案期限。"),
    )


@requires(Action.CASE_MANAGE)
@require_POST
def add_record(request: HttpRequest, pk: int) -> HttpResponse:
    found = _case(request, pk)
    form = forms.RecordForm(request.POST, prefix="record")
    if not form.is_valid():
        messages.error(request, _("笔录信息不完整：") + "；".join(f"{form.fields[k].label}" for k in form.errors))
        return redirect("enforcement:case", pk=found.pk)
    return _done(
        request,
        found,
        lambda: services.add_record(actor=actor_of(request), case=found, **form.cleaned_data),
        _("已保存笔录。"),
    )


@requires(Action.CASE_MANAGE)
@require_POST
def add_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    found = _case(request, pk)
    form = forms.EvidenceForm(request.POST, request.FILES, prefix="evidence")
    if not form.is_valid():
        messages.error(request, _("请填写证据名称。"))
        return redirect("enforcement:case", pk=found.pk)
    upload = form.cleaned_data["file"]
    return _done(
        request,
        found,
        lambda: services.add_evidence(
            actor=actor_of(request),
            case=found,
            title=form.cleaned_data["title"],
            filename=upload.name if upload else "",
            data=upload.read() if upload else None,
            evidence_ref=form.cleaned_data["evidence_ref"],
            note=form.cleaned_data["note"],
        ),
        _("已添加证据。"),
    )


@requires(Action.CASE_MANAGE)
@require_POST
def noncooperation(request: HttpRequest, pk: int) -> HttpResponse:
    found = _case(request, pk)
    form = forms.NoncooperationForm(request.POST, case=found, prefix="nc")
    if not form.is_valid():
        messages.error(request, _("请选择当事人和证据，并写明具体情况。"))
        return redirect("enforcement:case", pk=found.pk)
    data = form.cleaned_data
    return _done(
        request,
        found,
        lambda: services.record_noncooperation(
            actor=actor_of(request),
            case=found,
            entity=data["party"],
            kind=data["kind"],
            description=data["description"],
            evidence=data["evidence"],
        ),
        _("已记录，并记入信用档案。"),
    )


def _issue(request: HttpRequest, found: Case, kind: str, data: dict[str, Any]) -> Document:
    actor = actor_of(request)
    if kind == DocumentKind.SUSPENSION:
        return issuing.issue_suspension(
            actor=actor, case=found, party=data["party"], comply_by=data["comply_by"], measures=data["measures"]
        )
    if kind == DocumentKind.PENALTY:
        return issuing.issue_penalty(
            actor=actor,
            case=found,
            party=data["party"],
            facts=data["facts"],
            legal_basis=data["legal_basis"],
            penalties=data["penalties"],
            severity=data["severity"],
            fine_amount=data["fine_amount"] or None,
            other_penalty=data["other_penalty"],
            food_drug=data["food_drug"],
            corrects=data["corrects"],
        )
    if kind == DocumentKind.CLOSURE_PROPOSAL:
        return issuing.issue_closure_proposal(
            actor=actor, case=found, party=data["party"], operator_name=data["operator_name"], website=data["website"]
        )
    return issuing.issue_judicial_transfer(
        actor=actor,
        case=found,
        receiver=data["receiver"],
        grounds=data["grounds"],
        file_list=data["file_list"].splitlines(),
    )


@requires(Action.CASE_MANAGE)
def issue(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    found = _case(request, pk)
    if kind not in DocumentKind.values:
        raise Http404
    form = forms.document_form(kind, found, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = _issue(request, found, kind, form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已签发 %(number)s。") % {"number": document.number})
            return redirect("enforcement:case", pk=found.pk)
    label = DocumentKind(kind).label
    return render(request, "enforcement/issue.html", {"case": found, "form": form, "kind": kind, "label": label})


@requires(Action.CASE_MANAGE)
@require_POST
def flag_notice(request: HttpRequest, pk: int) -> HttpResponse:
    notice = Notice.objects.filter(pk=pk).select_related("document__case").first()
    if notice is None:
        raise Http404
    found = _case(request, notice.document.case_id)
    form = forms.FlagForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _done(
        request,
        found,
        lambda: notice_services.flag_ignored(actor=actor_of(request), notice=notice, reason=reason),
        _("已认定未执行，并记入信用档案。"),
    )


@requires(Action.CASE_MANAGE)
@require_POST
def closure_executed(request: HttpRequest, pk: int) -> HttpResponse:
    notice = Notice.objects.filter(pk=pk).select_related("document__case").first()
    if notice is None:
        raise Http404
    found = _case(request, notice.document.case_id)
    form = forms.ExecutedForm(request.POST)
    day = form.cleaned_data["executed_on"] if form.is_valid() else None
    return _done(
        request,
        found,
        lambda: notice_services.record_closure_executed(actor=actor_of(request), notice=notice, executed_on=day),
        _("已登记网站关闭，并记入信用档案。"),
    )


# --- leads ----------------------------------------------------------------------------------------


@requires(Action.CASE_VIEW)
def leads(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    rows = Lead.objects.filter(department_id=actor.organisation_id or -1).select_related("entity")
    form = forms.LeadForm(initial={"received_on": timezone.localdate()})
    return render(
        request,
        "enforcement/leads.html",
        {"leads": rows, "form": form, "may_manage": actor.can(Action.CASE_MANAGE)},
    )


@requires(Action.CASE_MANAGE)
@require_POST
def new_lead(request: HttpRequest) -> HttpResponse:
    form = forms.LeadForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择线索来源并写明线索内容。"))
        return redirect("enforcement:leads")
    data = form.cleaned_data
    entity = credit_queries.entity_by_code(data["entity_code"]) if data["entity_code"] else None
    if data["entity_code"] and entity is None:
        messages.error(request, _("没有统一社会信用代码为 %(code)s 的经营主体。") % {"code": data["entity_code"]})
        return redirect("enforcement:leads")
    try:
        lead = services.record_lead(
            actor=actor_of(request),
            source_kind=data["source_kind"],
            source_ref=data["source_ref"],
            entity=entity,
            summary=data["summary"],
            received_on=data["received_on"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("enforcement:leads")
    messages.success(request, _("已登记线索 #%(pk)s。") % {"pk": lead.pk})
    return redirect("enforcement:lead", pk=lead.pk)


def _department_officers(actor: Any) -> Any:
    from ecredit.accounts.models import RoleGrant
    from ecredit.accounts.roles import PERMISSIONS

    roles = [role.value for role, granted in PERMISSIONS.items() if Action.CASE_MANAGE in granted]
    holders = RoleGrant.objects.filter(role__in=roles).values("user")
    return User.objects.filter(organisation_id=actor.organisation_id or -1, pk__in=holders).order_by("username")


@requires(Action.CASE_VIEW)
def lead(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    found = Lead.objects.filter(pk=pk, department_id=actor.organisation_id or -1).select_related("entity").first()
    if found is None:
        raise Http404
    pack = active_pack()
    officers = _department_officers(actor)
    initial: dict[str, Any] = {"party_code": found.entity.uscc if found.entity else ""}
    if actor.user_id:
        initial["officers"] = [actor.user_id]
    form = forms.ProposeForm(request.POST or None, pack=pack, officers=officers, initial=initial)
    if request.method == "POST" and actor.can(Action.CASE_MANAGE) and form.is_valid():
        data = form.cleaned_data
        party = credit_queries.entity_by_code(data["party_code"])
        provider = credit_queries.entity_by_code(data["provider_code"]) if data["provider_code"] else None
        if party is None:
            form.add_error("party_code", _("没有该统一社会信用代码的经营主体。"))
        elif data["provider_code"] and provider is None:
            form.add_error("provider_code", _("没有该统一社会信用代码的经营主体。"))
        else:
            try:
                case = services.propose_case(
                    actor=actor,
                    lead=found,
                    title=data["title"],
                    parties=[PartyIn(party, provider)],
                    conduct=data["conduct"],
                    other_duties=data["other_duties"].replace("，", ",").replace("、", ",").split(","),
                    legal_basis=data["legal_basis"],
                    officers=list(data["officers"]),
                    commercial_secrets=data["commercial_secrets"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("已提请立案，待部门负责人批准。"))
                return redirect("enforcement:case", pk=case.pk)
    return render(
        request,
        "enforcement/lead.html",
        {
            "lead": found,
            "form": form,
            "decision_form": forms.LeadDecisionForm(),
            "open": found.status == LeadStatus.OPEN,
            "may_manage": actor.can(Action.CASE_MANAGE),
        },
    )


@requires(Action.CASE_MANAGE)
@require_POST
def decide_lead(request: HttpRequest, pk: int, outcome: str) -> HttpResponse:
    actor = actor_of(request)
    found = Lead.objects.filter(pk=pk, department_id=actor.organisation_id or -1).first()
    if found is None or outcome not in ("refer", "close"):
        raise Http404
    form = forms.LeadDecisionForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        if outcome == "refer":
            services.refer_lead(actor=actor, lead=found, to=data.get("to", ""), reason=data.get("reason", ""))
        else:
            services.close_lead(actor=actor, lead=found, reason=data.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("线索已处理。"))
    return redirect("enforcement:lead", pk=found.pk)


@requires(Action.CASE_VIEW)
def evidence_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An uploaded evidence file, for the case's department only (Art. 18)."""
    link = EvidenceLink.objects.filter(pk=pk).exclude(file="").select_related("case").first()
    if link is None or not services.in_department(actor_of(request), link.case):
        raise Http404
    return FileResponse(link.file.open("rb"), as_attachment=True, filename=link.file.name.rsplit("/", 1)[-1])


# --- documents, for whoever may see them ---------------------------------------------------------


@requires(Action.DASHBOARD_VIEW)  # who may see which document: services.may_see_document
def pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    try:
        document = services.access_document_for(actor_of(request), pk)
    except DomainError:
        raise Http404 from None
    path = documents.absolute_path(document)
    return FileResponse(path.open("rb"), content_type="application/pdf", filename=f"{document.number}.pdf")


@requires(Action.CASE_OWN)
def mine(request: HttpRequest) -> HttpResponse:
    rows = queries.own_documents(actor_of(request))
    return render(request, "enforcement/mine.html", {"documents": rows})


@requires(Action.NOTICE_RECEIVE)
def notices(request: HttpRequest) -> HttpResponse:
    rows = list(queries.notices_for(actor_of(request)))
    for notice in rows:
        notice.overdue = notice_services.notice_overdue(notice)  # type: ignore[attr-defined]
    return render(request, "enforcement/notices.html", {"notices": rows, "form": forms.ComplianceForm()})


def _own_notice(request: HttpRequest, pk: int) -> Notice:
    try:
        return services.access_notice_for(actor_of(request), pk)
    except DomainError:
        raise Http404 from None


@requires(Action.NOTICE_RECEIVE)
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    notice = notice_services.acknowledge_notice(actor=actor_of(request), notice=_own_notice(request, pk))
    messages.success(request, _("已签收 %(number)s。") % {"number": notice.document.number})
    return redirect("enforcement:notices")


@requires(Action.NOTICE_RECEIVE)
@require_POST
def comply(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _own_notice(request, pk)
    form = forms.ComplianceForm(request.POST)
    report = form.cleaned_data["report"] if form.is_valid() else ""
    try:
        notice_services.report_compliance(actor=actor_of(request), notice=notice, report=report)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已报告执行情况。"))
    return redirect("enforcement:notices")


# --- public ---------------------------------------------------------------------------------------


@public
def check(request: HttpRequest, token: str) -> HttpResponse:
    """The public page a document's QR code leads to: only its number, date and issuing department."""
    document = Document.objects.filter(token=token).select_related("department").first()
    return render(request, "enforcement/check.html", {"document": document}, status=200 if document else 404)


@public
def penalties(request: HttpRequest) -> HttpResponse:
    """Penalty decisions published per the pack (commercial secrets left out)."""
    rows: Any = queries.published_penalties()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "enforcement/penalties.html", {"page": page})
