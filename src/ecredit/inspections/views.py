"""Sampling inspection pages: officers' plans and samples, the laboratory's reports, the operator's
samples (re-test, rectification), the proposals queue, the statistics, and the public results.

Thin: each view finds what the caller may see (missing and not-yours both answer 404), calls one
service and answers."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ecredit.accounts.access import actor_of, public, requires
from ecredit.accounts.models import Organisation
from ecredit.accounts.roles import Action, OrgKind
from ecredit.credit import charts
from ecredit.errors import DomainError, ErrorCode
from ecredit.evidence import services as evidence_services
from ecredit.inspections import queries, services
from ecredit.inspections.forms import (
    CustodyForm,
    DecisionForm,
    FixedInclusionForm,
    PlanForm,
    RectificationForm,
    ReportForm,
    RetestForm,
    SampleForm,
)
from ecredit.inspections.models import (
    CaseProposal,
    PlanStatus,
    Publication,
    Rectification,
    Sample,
    SampleNotice,
    SamplingPlan,
    Target,
)
from ecredit.pdf import qr_data_uri, render_template_pdf
from ecredit.registry.models import Entity


def _place_error(form: Any, exc: DomainError) -> None:
    details = exc.details if isinstance(exc.details, dict) else {}
    placed = False
    for name, reason in details.items():
        field = {"lab_id": "lab", "storefront_id": "storefront", "evidence": "listing_evidence"}.get(name, name)
        if field in form.fields:
            form.add_error(field, reason)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _plan(request: HttpRequest, pk: int) -> SamplingPlan:
    try:
        return queries.plan_for(actor_of(request), pk)
    except DomainError:
        raise Http404 from None


def _sample(request: HttpRequest, pk: int) -> Sample:
    try:
        return queries.sample_for(actor_of(request), pk)
    except DomainError:
        raise Http404 from None


def _fail(request: HttpRequest, exc: DomainError) -> None:
    if exc.code == ErrorCode.NOT_FOUND:
        raise Http404
    messages.error(request, exc.message)


# --- officers: plans ------------------------------------------------------------------------------


@requires(Action.INSPECTIONS_VIEW)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    context = {
        "plans": queries.plans().order_by("-period_start", "-pk"),
        "overdue": queries.overdue_publications()[:20],
        "proposals": queries.open_proposals()[:20],
        "rectifications": queries.pending_rectifications()[:20],
        "can_manage": actor_of(request).can(Action.INSPECTIONS_MANAGE),
    }
    return render(request, "inspections/index.html", context)


@requires(Action.INSPECTIONS_MANAGE)
@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest) -> HttpResponseBase:
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.create_plan(actor=actor_of(request), data=form.data_for_service())
        except DomainError as exc:
            _place_error(form, exc)
        else:
            messages.success(request, _("已起草抽查计划“%(name)s”。") % {"name": plan.name})
            return redirect("inspections:plan", plan.pk)
    return render(request, "inspections/plan_form.html", {"form": form}, status=400 if form.errors else 200)


@requires(Action.INSPECTIONS_VIEW)
@require_GET
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    found = _plan(request, pk)
    actor = actor_of(request)
    targets = (
        Target.objects.filter(plan=found)
        .select_related("entity")
        .prefetch_related("inspectors", "samples")
        .order_by("kind", "entity__name")
    )
    record = getattr(found, "draw", None)
    context = {
        "plan": found,
        "targets": targets,
        "draw": record,
        "fixed": found.fixed_inclusions.select_related("entity"),
        "fixed_form": FixedInclusionForm(),
        "can_manage": actor.can(Action.INSPECTIONS_MANAGE),
        "can_approve": actor.can(Action.INSPECTIONS_APPROVE),
    }
    return render(request, "inspections/plan.html", context)


@requires(Action.INSPECTIONS_APPROVE)
@require_POST
def plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    found = _plan(request, pk)
    try:
        services.approve_plan(actor=actor_of(request), plan=found)
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("计划已批准。"))
    return redirect("inspections:plan", found.pk)


STEPS: dict[str, tuple[Callable[..., Any], Promise]] = {
    "commit": (services.commit_draw, gettext_lazy("已固定名单并公布种子承诺值。")),
    "reveal": (services.reveal_draw, gettext_lazy("已揭示种子并完成随机抽取。")),
    "start": (services.start_plan, gettext_lazy("计划已开始实施。")),
    "close": (services.close_plan, gettext_lazy("计划已结束。")),
}


@requires(Action.INSPECTIONS_MANAGE)
@require_POST
def plan_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    found = _plan(request, pk)
    if step not in STEPS:
        raise Http404
    service, done = STEPS[step]
    try:
        service(actor=actor_of(request), plan=found)
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, str(done))
    return redirect("inspections:plan", found.pk)


@requires(Action.INSPECTIONS_MANAGE)
@require_POST
def fixed_add(request: HttpRequest, pk: int) -> HttpResponse:
    found = _plan(request, pk)
    form = FixedInclusionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写统一社会信用代码和理由。"))
        return redirect("inspections:plan", found.pk)
    entity = Entity.objects.filter(uscc=form.cleaned_data["code"].strip().upper()).first()
    if entity is None:
        messages.error(request, _("没有该统一社会信用代码的经营主体。"))
        return redirect("inspections:plan", found.pk)
    try:
        services.add_fixed_inclusion(
            actor=actor_of(request), plan=found, entity=entity, reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("已加入定向抽查名单：%(name)s") % {"name": entity.name})
    return redirect("inspections:plan", found.pk)


# --- officers: samples ----------------------------------------------------------------------------


@requires(Action.INSPECTIONS_MANAGE)
@require_http_methods(["GET", "POST"])
def sample_new(request: HttpRequest, pk: int) -> HttpResponseBase:
    target = Target.objects.select_related("plan", "entity").filter(pk=pk).first()
    if target is None:
        raise Http404
    form = SampleForm(request.POST or None, request.FILES or None)
    form.fields["storefront"].choices = [("", "—")] + [  # type: ignore[attr-defined]
        (s.pk, f"{s.shop_name}（{s.platform.name}）") for s in target.entity.storefronts.select_related("platform")
    ]
    form.fields["lab"].choices = [(lab.pk, lab.name) for lab in target.plan.labs.order_by("name")]  # type: ignore[attr-defined]
    if not request.POST and target.plan.standards:
        first = target.plan.standards[0]
        form.initial.update({"category": first.get("category"), "standard": first.get("standard")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sample = services.record_sample(
                actor=actor_of(request),
                target=target,
                data=services.SampleData(
                    code=data["code"],
                    backup_code=data["backup_code"],
                    product=data["product"],
                    category=data["category"],
                    standard=data["standard"],
                    listing_url=data["listing_url"],
                    order_no=data["order_no"],
                    price=str(data["price"]),
                    purchased_on=data["purchased_on"],
                    received_on=data["received_on"],
                    seals=data["seals"],
                    lab_id=data["lab"],
                    storefront_id=data["storefront"],
                    evidence_ref=data["evidence_ref"],
                ),
                evidence=data["listing_evidence"],
            )
        except DomainError as exc:
            _place_error(form, exc)
        else:
            messages.success(request, _("已登记样品 %(code)s，并通知经营者及其平台。") % {"code": sample.code})
            return redirect("inspections:sample", sample.pk)
    context = {"form": form, "target": target}
    return render(request, "inspections/sample_form.html", context, status=400 if form.errors else 200)


def _sample_context(sample: Sample) -> dict[str, Any]:
    reports = list(sample.reports.prefetch_related("items").select_related("lab"))
    return {
        "sample": sample,
        "reports": reports,
        "custody": sample.custody.all(),
        "retest": getattr(sample, "retest", None),
        "rectification": getattr(sample, "rectification", None),
        "publication": getattr(sample, "publication", None),
        "proposals": sample.proposals.all(),
        "retest_deadline": services.retest_deadline(sample),
        "today": timezone.localdate(),
    }


@requires(Action.INSPECTIONS_VIEW)
@require_GET
def sample(request: HttpRequest, pk: int) -> HttpResponse:
    found = _sample(request, pk)
    actor = actor_of(request)
    context = _sample_context(found) | {
        "can_manage": actor.can(Action.INSPECTIONS_MANAGE),
        # Electronic evidence fixed for this sample (the listing page before the seller edits it).
        "evidence": (
            evidence_services.evidence_for(actor).filter(inspection_ref=found.code).order_by("-created_at")
            if actor.can(Action.EVIDENCE_VIEW)
            else []
        ),
        "can_capture": actor.can(Action.EVIDENCE_CAPTURE),
        "capture_query": urlencode({"url": found.listing_url, "inspection_ref": found.code}),
        "custody_form": CustodyForm(initial={"handed_on": timezone.localdate(), "to_party": found.lab.name}),
        "decision_form": DecisionForm(),
        "labs": Organisation.objects.filter(kind=OrgKind.LABORATORY).exclude(pk=found.lab_id).order_by("name"),
    }
    return render(request, "inspections/sample.html", context)


@requires(Action.INSPECTIONS_MANAGE)
@require_POST
def sample_action(request: HttpRequest, pk: int, op: str) -> HttpResponse:
    found = _sample(request, pk)
    actor = actor_of(request)
    try:
        if op == "custody":
            form = CustodyForm(request.POST)
            if not form.is_valid():
                raise DomainError(ErrorCode.VALIDATION, _("请完整填写交接信息。"))
            services.hand_over(actor=actor, sample=found, **form.cleaned_data)
            done = _("已记录样品交接。")
        elif op == "deliver":
            services.deliver_result(actor=actor, sample=found)
            done = _("检验结果已送达经营者。")
        elif op == "finalise":
            services.finalise(actor=actor, sample=found)
            done = _("已确认最终结论。")
        elif op == "retest-lab":
            lab = Organisation.objects.filter(pk=request.POST.get("lab") or 0, kind=OrgKind.LABORATORY).first()
            if lab is None:
                raise DomainError(ErrorCode.VALIDATION, _("请选择复检机构。"))
            services.assign_retest_lab(actor=actor, sample=found, lab=lab)
            done = _("已指定复检机构。")
        elif op == "publish":
            publication = Publication.objects.filter(sample=found).first()
            if publication is None:
                raise DomainError(ErrorCode.CONFLICT, _("该样品尚无最终结论，不能公示。"))
            services.publish(actor=actor, publication=publication)
            done = _("已在公示页面公布结果。")
        elif op == "rectification":
            rectification = Rectification.objects.filter(sample=found).first()
            decision = DecisionForm(request.POST)
            if rectification is None or not decision.is_valid():
                raise DomainError(ErrorCode.VALIDATION, _("请选择审核结果。"))
            services.decide_rectification(
                actor=actor,
                rectification=rectification,
                accept=decision.cleaned_data["accept"],
                reason=decision.cleaned_data["reason"],
            )
            done = _("已审核整改。")
        else:
            raise Http404
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, done)
    return redirect("inspections:sample", found.pk)


@requires(Action.INSPECTIONS_VIEW)
@require_GET
def sample_file(request: HttpRequest, pk: int, which: str) -> FileResponse:
    found = _sample(request, pk)
    rectification = getattr(found, "rectification", None)
    if which == "evidence":
        field = found.listing_evidence
    elif which == "rectification" and rectification is not None and rectification.file:
        field = rectification.file
    else:
        raise Http404
    return FileResponse(field.open("rb"), as_attachment=True, filename=field.name.rsplit("/", 1)[-1])


@requires(Action.INSPECTIONS_VIEW)
@require_GET
def report_file(request: HttpRequest, pk: int, report: int) -> FileResponse:
    found = _sample(request, pk)
    signed = found.reports.filter(pk=report).first()
    if signed is None:
        raise Http404
    field = signed.signed_file
    return FileResponse(field.open("rb"), as_attachment=True, filename=field.name.rsplit("/", 1)[-1])


# --- proposals ------------------------------------------------------------------------------------


@requires(Action.INSPECTIONS_VIEW)
@require_GET
def proposals(request: HttpRequest) -> HttpResponse:
    context = {
        "open": queries.open_proposals(),
        "decided": CaseProposal.objects.exclude(status="open").select_related("entity", "sample")[:50],
        "can_decide": actor_of(request).can(Action.INSPECTIONS_APPROVE),
        "form": DecisionForm(),
    }
    return render(request, "inspections/proposals.html", context)


@requires(Action.INSPECTIONS_APPROVE)
@require_POST
def proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = CaseProposal.objects.filter(pk=pk).first()
    if proposal is None:
        raise Http404
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择是否采纳。"))
        return redirect("inspections:proposals")
    try:
        services.decide_proposal(
            actor=actor_of(request),
            proposal=proposal,
            accept=form.cleaned_data["accept"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("已处理建议。"))
    return redirect("inspections:proposals")


# --- statistics -----------------------------------------------------------------------------------


@requires(Action.INSPECTIONS_VIEW)
@require_GET
def stats(request: HttpRequest) -> HttpResponse:
    groups = [
        ("category", _("按产品类别")),
        ("township", _("按乡镇（街道）")),
        ("platform", _("按平台")),
        ("grade", _("按信用等级")),
    ]
    months = queries.monthly_pass_rates()
    # The pass rate over time, drawn like the grade history (server-side SVG, no script).
    chart = charts.grade_history_svg(
        [
            charts.Point(
                day=dt.date.fromisoformat(f"{m['month']}-01"),
                score=float(m["rate"]),
                tooltip=_("%(month)s · %(passed)s/%(total)s 合格 · %(rate)s%%")
                % {"month": m["month"], "passed": m["passed"], "total": m["total"], "rate": m["rate"]},
            )
            for m in months
        ],
        (),
        floor=0,
        ceiling=100,
        title=_("抽查合格率（按月）"),
        description=_("每月得出最终结论的样品中合格样品所占的百分比。"),
        element_id="pass-rate-history",
    )
    context = {
        "groups": [(label, queries.pass_rates(key)) for key, label in groups],
        "months": months,
        "chart": mark_safe(chart),  # noqa: S308 -- built by credit.charts, which escapes every text
        "plans": queries.plans().order_by("-period_start", "-pk")[:20],
    }
    return render(request, "inspections/stats.html", context)


# --- the laboratory -------------------------------------------------------------------------------


@requires(Action.TEST_REPORT_RECORD)
@require_GET
def lab(request: HttpRequest) -> HttpResponse:
    rows = queries.lab_samples(actor_of(request)).order_by("-received_on", "-pk")
    return render(request, "inspections/lab.html", {"samples": rows})


@requires(Action.TEST_REPORT_RECORD)
@require_http_methods(["GET", "POST"])
def lab_sample(request: HttpRequest, pk: int) -> HttpResponseBase:
    actor = actor_of(request)
    found = queries.lab_samples(actor).filter(pk=pk).first()
    if found is None:
        raise Http404
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            items = form.items()
            report = services.enter_report(
                actor=actor,
                sample=found,
                number=form.cleaned_data["number"],
                tested_on=form.cleaned_data["tested_on"],
                items=items,
                signed_file=form.cleaned_data["signed_file"],
            )
        except DomainError as exc:
            _place_error(form, exc)
        except ValidationError as exc:  # an incomplete item row
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("已录入检验报告 %(number)s，结论：%(conclusion)s。")
                % {"number": report.number, "conclusion": report.get_conclusion_display()},
            )
            return redirect("inspections:lab")
    context = _sample_context(found) | {"form": form}
    return render(request, "inspections/lab_sample.html", context, status=400 if form.errors else 200)


# --- the operator ---------------------------------------------------------------------------------


@requires(Action.INSPECTIONS_OWN)
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    notices = SampleNotice.objects.filter(entity__organisation_id=actor.organisation_id or -1).select_related(
        "sample", "entity"
    )
    context = {"samples": queries.own_samples(actor).order_by("-purchased_on", "-pk"), "notices": notices[:30]}
    return render(request, "inspections/mine.html", context)


@requires(Action.INSPECTIONS_OWN)
@require_http_methods(["GET", "POST"])
def mine_sample(request: HttpRequest, pk: int) -> HttpResponseBase:
    actor = actor_of(request)
    found = queries.own_samples(actor).filter(pk=pk).first()
    if found is None:
        raise Http404
    retest_form = RetestForm(request.POST if request.POST.get("op") == "retest" else None)
    rectify_form = RectificationForm(
        request.POST if request.POST.get("op") == "rectify" else None,
        request.FILES if request.POST.get("op") == "rectify" else None,
    )
    if request.method == "POST":
        try:
            if request.POST.get("op") == "retest" and retest_form.is_valid():
                services.request_retest(actor=actor, sample=found, reason=retest_form.cleaned_data["reason"])
                messages.success(request, _("已申请复检，市场监管部门将另行指定检验机构检验备用样品。"))
                return redirect("inspections:mine_sample", found.pk)
            if request.POST.get("op") == "rectify" and rectify_form.is_valid():
                rectification = Rectification.objects.filter(sample=found).first()
                if rectification is None:
                    raise Http404
                services.submit_rectification(
                    actor=actor,
                    rectification=rectification,
                    report=rectify_form.cleaned_data["report"],
                    file=rectify_form.cleaned_data["file"],
                )
                messages.success(request, _("已提交整改材料，等待审核。"))
                return redirect("inspections:mine_sample", found.pk)
        except DomainError as exc:
            _place_error(retest_form if request.POST.get("op") == "retest" else rectify_form, exc)
    for notice in SampleNotice.objects.filter(
        sample=found, entity__organisation_id=actor.organisation_id or -1, read_at=None
    ):
        services.mark_notice_read(actor=actor, notice=notice)
    context = _sample_context(found) | {"retest_form": retest_form, "rectify_form": rectify_form}
    errors = retest_form.errors or rectify_form.errors
    return render(request, "inspections/mine_sample.html", context, status=400 if errors else 200)


def _notice_pdf(request: HttpRequest, sample: Sample, kind: str, recipient: Entity, issued_on: Any) -> HttpResponse:
    report = services.latest_report(sample) if kind == "result" else None
    title = "抽样检验通知书" if kind == "sampled" else "检验结果通知书"
    context = {
        "title": title,
        "kind": kind,
        "sample": sample,
        "plan": sample.target.plan,
        "department": sample.target.plan.department.name,
        "recipient": recipient.name,
        "report": report,
        "failing": [item for item in report.items.all() if not item.passed] if report else [],
        "retest_days": services.sampling_rules().retest.value,
        "issued_on": issued_on,
        "qr": qr_data_uri(request.build_absolute_uri(reverse("inspections:public_plan", args=[sample.target.plan_id]))),
    }
    response = HttpResponse(render_template_pdf("inspections/notice.html", context), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{sample.code}-{kind}.pdf"'
    return response


@requires(Action.INSPECTIONS_OWN)
@require_GET
def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The notice document an operator or its platform received (in-app notices list it)."""
    actor = actor_of(request)
    notice = (
        SampleNotice.objects.select_related("sample__target__plan__department", "sample__lab", "entity")
        .filter(pk=pk, entity__organisation_id=actor.organisation_id or -1)
        .first()
    )
    if notice is None:
        raise Http404
    return _notice_pdf(request, notice.sample, notice.kind, notice.entity, notice.issued_on)


@requires(Action.INSPECTIONS_VIEW)
@require_GET
def sample_notice_pdf(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    found = _sample(request, pk)
    notice = found.notices.filter(kind=kind, entity=found.target.entity).order_by("-pk").first()
    if notice is None:
        raise Http404
    return _notice_pdf(request, found, kind, notice.entity, notice.issued_on)


# --- the public -----------------------------------------------------------------------------------


@public
@require_GET
def public_index(request: HttpRequest) -> HttpResponse:
    rows = queries.published_plans().order_by("-period_start", "-pk")
    return render(request, "inspections/public_index.html", {"plans": rows})


def _public_plan(pk: int) -> SamplingPlan:
    found = SamplingPlan.objects.select_related("department").filter(pk=pk).first()
    if found is None or not hasattr(found, "draw"):
        raise Http404
    return found


@public
@require_GET
def public_plan(request: HttpRequest, pk: int) -> HttpResponse:
    found = _public_plan(pk)
    results = [(sample, _failing(sample)) for sample in queries.published_results(found)]
    context = {
        "plan": found,
        "draw": found.draw,
        "results": results,
        "status_closed": found.status == PlanStatus.CLOSED,
    }
    return render(request, "inspections/public_plan.html", context)


def _failing(sample: Sample) -> list[Any]:
    report = services.latest_report(sample)
    return [item for item in report.items.all() if not item.passed] if report else []


@public
@require_GET
def public_draw(request: HttpRequest, pk: int) -> HttpResponse:
    found = _public_plan(pk)
    body = json.dumps(services.published_record(found.draw), ensure_ascii=False, indent=1) + "\n"
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="draw-{found.draw.pk}.json"'
    return response
