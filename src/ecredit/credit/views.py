"""Credit archive pages: the officers' archive and grade distribution, the operator's own grade with
what would raise it, and the readings of a stored evaluation that the public pages share.

Thin: every change is one call of ``credit.services`` (or ``credit.batch`` for every entity); what a
page shows of an evaluation is worked out by the small readers in the first half of this module, so
the officer's archive, the operator's page, the public page and the badge check explain a grade alike.
Every reading that rests on an extension of the pack (Art. 25) carries its note.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ecredit.accounts.access import actor_of, requires
from ecredit.accounts.actors import Actor
from ecredit.accounts.roles import Action
from ecredit.credit import batch, charts, engine, queries, services
from ecredit.credit.forms import GRADE_UNRATED, EvaluateForm, EventForm, SearchForm
from ecredit.credit.models import CreditEvent, Evaluation, EventStatusKind, SourceKind
from ecredit.errors import DomainError
from ecredit.policy.model import Pack
from ecredit.policy.packs import PackError, UnknownPack, active_pack, load_pack
from ecredit.registry import services as registry
from ecredit.registry.models import Entity

PAGE_SIZE = 50
SOURCE_LABELS = dict(SourceKind.choices)
STATUS_LABELS = dict(EventStatusKind.choices)


# --- reading a stored evaluation ------------------------------------------------------------------


def pack_for(pack_id: str | None) -> Pack:
    """The pack an evaluation was made under, or this installation's pack when that one is gone."""
    if pack_id:
        try:
            return load_pack(pack_id)
        except (UnknownPack, PackError):
            pass
    return active_pack()


def grade_label(pack: Pack, code: str) -> str:
    return next((grade.label for grade in pack.scale.grades if grade.code == code), "")


@dataclass(frozen=True)
class Cite:
    ref: str  # "10.2"
    title: str  # 第十条第（二）项
    text: str  # the article's words, shown on hover


def cites_of(pack: Pack, refs: list[str] | tuple[str, ...]) -> list[Cite]:
    found = []
    for ref in refs:
        article = pack.articles.get(ref)
        found.append(Cite(ref, article.title, article.text) if article else Cite(ref, ref, ""))
    return found


def points_text(points: float) -> str:
    return f"{abs(points):g}"


def reason_sentence(label: str, cites: list[Cite], points: float, count: int, cap_applied: bool) -> str:
    """因‘网销商品抽查不合格’（第十条第（二）项）扣 15 分，共 1 次"""
    values = {"label": label, "cites": "、".join(c.title for c in cites), "points": points_text(points)}
    if points < 0:
        text = _("因‘%(label)s’（%(cites)s）扣 %(points)s 分") % values
    else:
        text = _("因‘%(label)s’（%(cites)s）加 %(points)s 分") % values
    if count:
        text += _("，共 %(count)s 次") % {"count": count}
    if cap_applied:
        text += _("（已达上限）")
    return text


@dataclass(frozen=True)
class ReasonView:
    indicator: str
    label: str
    points: float
    count: int
    cap_applied: bool
    public: bool
    cites: list[Cite]
    sentence: str
    event_ids: tuple[int, ...] = ()

    @property
    def signed(self) -> str:
        return f"{self.points:+g}"


def reasons_of(
    evaluation: Evaluation, pack: Pack, behind: dict[str, tuple[int, ...]] | None = None
) -> list[ReasonView]:
    views = []
    for r in evaluation.reasons:  # as ``ledger.reason_record`` stores them
        cites = cites_of(pack, r["cites"])
        points = float(r["points"])
        sentence = reason_sentence(r["label"], cites, points, r["count"], r["cap_applied"])
        ids = (behind or {}).get(r["indicator"], ())
        views.append(
            ReasonView(
                r["indicator"], r["label"], points, r["count"], r["cap_applied"], r["public"], cites, sentence, ids
            )
        )
    return views


def events_behind(entity: Entity, evaluation: Evaluation, pack: Pack) -> dict[str, tuple[int, ...]]:
    """The events behind each reason, as the engine finds them again from the ledger as it was known
    when the evaluation was stored (a stored row keeps the counts, not the event ids)."""
    if pack.id != evaluation.pack_id:
        return {}
    facts = services.facts_for(entity, evaluation.as_of, known_at=evaluation.created_at)
    result = engine.evaluate(pack, facts, evaluation.role, evaluation.as_of)
    return {reason.indicator: reason.event_ids for reason in result.reasons}


@dataclass(frozen=True)
class VetoView:
    label: str
    grade: str
    until: str
    cites: list[Cite]
    public: bool  # every trigger of the veto is a public indicator


def veto_of(evaluation: Evaluation, pack: Pack) -> VetoView | None:
    veto = evaluation.veto
    if not veto:
        return None
    rule = next((v for v in pack.vetoes if v.code == veto["code"]), None)
    public = rule is not None and all(
        (ind := pack.indicators.get(code)) is not None and ind.public for code in rule.triggers
    )
    return VetoView(veto["label"], veto["grade"], veto["until"], cites_of(pack, veto["cites"]), public)


@dataclass(frozen=True)
class GradeView:
    """A stored evaluation as every page shows it."""

    evaluation: Evaluation
    pack: Pack
    grade_label: str
    reasons: list[ReasonView]
    veto: VetoView | None

    @property
    def notice(self) -> str:
        return self.pack.scale.notice

    @property
    def pack_changed(self) -> bool:
        """The pack file differs from the one this evaluation was made with."""
        return self.pack.id == self.evaluation.pack_id and self.pack.sha256 != self.evaluation.pack_sha256


def grade_view(entity: Entity, evaluation: Evaluation | None, *, with_events: bool = False) -> GradeView | None:
    if evaluation is None:
        return None
    pack = pack_for(evaluation.pack_id)
    behind = events_behind(entity, evaluation, pack) if with_events else None
    return GradeView(
        evaluation,
        pack,
        grade_label(pack, evaluation.grade),
        reasons_of(evaluation, pack, behind),
        veto_of(evaluation, pack),
    )


# --- the public's reading -------------------------------------------------------------------------


def public_reasons(view: GradeView) -> list[ReasonView]:
    """Only reasons the pack declares public (penalty decisions, inspection results), both when the
    evaluation was stored and now; never the events, their sources or evidence."""
    shown = []
    for reason in view.reasons:
        rule = view.pack.indicators.get(reason.indicator)
        if reason.public and rule is not None and rule.public:
            shown.append(reason)
    return shown


def publicly_listed(entities: QuerySet[Entity]) -> QuerySet[Entity]:
    """What the public may look up: organisations by their 统一社会信用代码; a natural person's identity
    is never listed (their own badge page is their public face)."""
    return entities.exclude(kind="natural_person").exclude(uscc__isnull=True).exclude(uscc="")


# --- the grade history chart ----------------------------------------------------------------------


def history_chart(entity: Entity, rows: list[Evaluation], pack: Pack) -> SafeString:
    by_day: dict[dt.date, Evaluation] = {}
    for row in rows:  # oldest first; within a day the latest stored wins
        by_day[row.as_of] = row
    points = []
    for day, row in sorted(by_day.items()):
        tooltip = f"{day.isoformat()} · {row.score:g} {_('分')} · {row.grade} {grade_label(pack, row.grade)}"
        if row.extension_note:
            tooltip += " · " + _("依据政策包延期")
        points.append(charts.Point(day, float(row.score), tooltip, extended=bool(row.extension_note)))
    svg = charts.grade_history_svg(
        points,
        [charts.Band(g.code, g.label, g.min) for g in pack.scale.grades],
        floor=pack.scale.floor,
        ceiling=pack.scale.ceiling,
        title=_("信用等级历史"),
        description=_("%(name)s 各评价日的得分与等级；空心点表示依据政策包延期的评价。") % {"name": entity.name},
    )
    return mark_safe(svg)  # noqa: S308 -- charts.py escapes every piece of text it draws


# --- events and their status history --------------------------------------------------------------


@dataclass(frozen=True)
class StatusRow:
    status: str
    label: str
    effective_on: dt.date
    reason: str
    decided_by: str
    at: dt.datetime


@dataclass(frozen=True)
class EventRow:
    event: CreditEvent
    label: str
    cites: list[Cite]
    source: str
    history: list[StatusRow]

    @property
    def status(self) -> str:
        return self.history[-1].status

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))


def event_rows(entity: Entity, pack: Pack, only: set[int] | None = None) -> list[EventRow]:
    """The entity's ledger, oldest first, each event with its status history (read in one query)."""
    rows = []
    for event in queries.events_of(entity):
        if only is not None and event.pk not in only:
            continue
        rule = pack.indicators.get(event.indicator)
        history = [
            StatusRow(
                EventStatusKind.ACTIVE, _("记录"), event.occurred_on, event.reason, event.recorded_by, event.recorded_at
            )
        ]
        for entry in sorted(event.statuses.all(), key=lambda s: (s.created_at, s.pk)):
            label = str(STATUS_LABELS.get(entry.status, entry.status))
            history.append(
                StatusRow(entry.status, label, entry.effective_on, entry.reason, entry.decided_by, entry.created_at)
            )
        source = str(SOURCE_LABELS.get(event.source_kind, event.source_kind))
        rows.append(
            EventRow(
                event=event,
                label=rule.label if rule else event.indicator,
                cites=cites_of(pack, event.cites or (rule.cites if rule else ())),
                source=f"{source} {event.source_ref}".strip(),
                history=history,
            )
        )
    return rows


# --- what would raise an operator's grade ---------------------------------------------------------


@dataclass(frozen=True)
class Gain:
    """A positive indicator not yet (fully) earned."""

    label: str
    cites: list[Cite]
    advice: str
    room: float  # points it may still add, within its own cap and the bonus cap

    @property
    def room_text(self) -> str:
        return points_text(self.room)


@dataclass(frozen=True)
class EventHint:
    event_id: int
    occurred_on: dt.date
    repair_from: dt.date | None  # earliest day to apply for repair
    half_from: dt.date | None  # counts at half weight from this day
    ends_on: dt.date | None  # no longer counts from this day


@dataclass(frozen=True)
class Remedy:
    """A reason that costs points, with what to do and when each event behind it stops weighing."""

    label: str
    cites: list[Cite]
    points: float
    advice: str
    repairable: bool
    events: list[EventHint]

    @property
    def lost(self) -> str:
        return points_text(self.points)


@dataclass
class Outlook:
    gains: list[Gain] = field(default_factory=list)
    bonus_left: float = 0.0
    remedies: list[Remedy] = field(default_factory=list)


def _after(day: dt.date, months: int | None) -> dt.date | None:
    return engine.add_months(day, months) if months is not None else None


def outlook(pack: Pack, role: str | None, reasons: list[ReasonView], events: dict[int, CreditEvent]) -> Outlook:
    """From the pack and the current reasons: the positives the entity can still earn, and for each
    negative reason the advice, the repair possibility and the days its events weigh less or stop."""
    result = Outlook()
    if role is None:
        return result
    earned = {r.indicator: r.points for r in reasons}
    result.bonus_left = max(0.0, pack.scale.bonus_cap - sum(p for p in earned.values() if p > 0))
    for code, rule in pack.indicators.items():
        if not rule.positive or role not in rule.roles:
            continue
        own_room = rule.cap - earned.get(code, 0.0) if rule.cap is not None else result.bonus_left
        room = min(own_room, result.bonus_left)
        if room > 0:
            result.gains.append(Gain(rule.label, cites_of(pack, rule.cites), rule.advice, room))
    for reason in reasons:
        negative = pack.indicators.get(reason.indicator)
        if reason.points >= 0 or negative is None:
            continue
        hints = []
        for event_id in reason.event_ids:
            event = events.get(event_id)
            if event is None:
                continue
            day = event.occurred_on
            halves = negative.full_weight_months != negative.window_months
            hints.append(
                EventHint(
                    event_id=event_id,
                    occurred_on=day,
                    repair_from=_after(day, negative.repair_months),
                    half_from=_after(day, negative.full_weight_months) if halves else None,
                    ends_on=_after(day, negative.window_months),
                )
            )
        result.remedies.append(
            Remedy(
                reason.label, reason.cites, reason.points, negative.advice, negative.repair_months is not None, hints
            )
        )
    return result


@dataclass(frozen=True)
class OperatorView:
    entity: Entity
    grade: GradeView | None
    pack: Pack
    outlook: Outlook
    events: list[EventRow]


def operator_view(entity: Entity) -> OperatorView:
    latest = queries.latest_evaluation(entity)
    grade = grade_view(entity, latest, with_events=True)
    pack = grade.pack if grade else active_pack()
    reasons = grade.reasons if grade else []
    behind = {event_id for reason in reasons for event_id in reason.event_ids}
    rows = event_rows(entity, pack, only=behind)
    role = latest.role if latest else services.primary_role(entity)
    return OperatorView(
        entity, grade, pack, outlook(pack, role, reasons, {row.event.pk: row.event for row in rows}), rows
    )


# --- lists and the grade distribution -------------------------------------------------------------


def _latest(column: str) -> Subquery:
    rows = Evaluation.objects.filter(entity=OuterRef("pk")).order_by("-as_of", "-created_at", "-pk")
    return Subquery(rows.values(column)[:1])


def with_latest(entities: QuerySet[Entity]) -> QuerySet[Entity]:
    """Each entity with its latest stored evaluation's grade, score, day and extension note."""
    return entities.annotate(
        latest_grade=_latest("grade"),
        latest_score=_latest("score"),
        latest_as_of=_latest("as_of"),
        latest_note=_latest("extension_note"),
    )


@dataclass(frozen=True)
class Distribution:
    rows: list[tuple[str, str, int]]  # grade code, label, entities whose latest grade it is
    unrated: int
    total: int
    pack: Pack


def grade_distribution() -> Distribution:
    pack = active_pack()
    counted = Entity.objects.annotate(grade=_latest("grade")).values("grade").annotate(n=Count("pk")).order_by()
    counts: dict[str | None, int] = {row["grade"]: row["n"] for row in counted}
    rows = [(g.code, g.label, counts.pop(g.code, 0)) for g in pack.scale.grades]
    unrated = counts.pop(None, 0)
    rows += [(code, "", n) for code, n in sorted(counts.items()) if code]  # grades of another pack
    return Distribution(rows, unrated, sum(n for _c, _l, n in rows) + unrated, pack)


# --- officers -------------------------------------------------------------------------------------


def _form_errors(form: Any, exc: DomainError) -> None:
    details = exc.details if isinstance(exc.details, dict) else {}
    placed = False
    for name, reason in details.items():
        if name in form.fields:
            form.add_error(name, reason)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


@requires(Action.CREDIT_VIEW)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    pack = active_pack()
    form = SearchForm(request.GET or None, grades=[(g.code, f"{g.code} {g.label}") for g in pack.scale.grades])
    entities = with_latest(Entity.objects.all())
    if form.is_valid():
        entities = registry.search_entities(form.cleaned_data["q"], base=entities)
        grade = form.cleaned_data["grade"]
        if grade == GRADE_UNRATED:
            entities = entities.filter(Q(latest_grade__isnull=True))  # Q: an annotation, unknown to the stubs
        elif grade:
            entities = entities.filter(Q(latest_grade=grade))
    page = Paginator(entities.order_by("name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "distribution": grade_distribution(),
        "evaluate_form": EvaluateForm(pack=pack) if actor.can(Action.CREDIT_EVALUATE) else None,
    }
    return render(request, "credit/index.html", context)


@requires(Action.CREDIT_EVALUATE)
@require_POST
def evaluate_all(request: HttpRequest) -> HttpResponseBase:
    """Evaluate and store every entity on a day (set-based: ``credit.batch``)."""
    actor = actor_of(request)
    form = EvaluateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写有效的评价日期（年-月-日）。"))
        return redirect("credit:index")
    try:
        report = batch.evaluate_all(actor, form.cleaned_data["as_of"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        grades = "，".join(f"{code} {n}" for code, n in sorted(report.grades.items())) or _("无")
        values = {"n": report.evaluated, "day": report.as_of, "pack": report.pack_id, "grades": grades}
        messages.success(request, _("已评价 %(n)s 个主体（%(day)s，政策包 %(pack)s），等级分布：%(grades)s。") % values)
        if report.extension_note:
            messages.warning(request, report.extension_note)
    return redirect("credit:index")


def archive_context(entity: Entity, actor: Actor) -> dict[str, Any]:
    latest = queries.latest_evaluation(entity)
    grade = grade_view(entity, latest, with_events=True)
    pack = grade.pack if grade else active_pack()
    history = list(queries.grade_history(entity))
    role = services.primary_role(entity)
    can_record = actor.can(Action.CREDIT_RECORD)
    return {
        "entity": entity,
        "grade": grade,
        "evaluation": latest,
        "pack": pack,
        "role": role,
        "role_label": services.ROLE_LABELS.get(role, role) if role else "",
        "history": list(reversed(history)),
        "chart": history_chart(entity, history, pack) if history else "",
        "events": event_rows(entity, pack),
        "can_record": can_record,
        "event_form": EventForm(pack=active_pack(), roles=entity.roles) if can_record else None,
        "evaluate_form": EvaluateForm(pack=active_pack()) if actor.can(Action.CREDIT_EVALUATE) else None,
    }


def _entity(pk: int) -> Entity:
    return get_object_or_404(Entity.objects.select_related("filing"), pk=pk)


@requires(Action.CREDIT_VIEW)
@require_GET
def entity(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "credit/entity.html", archive_context(_entity(pk), actor_of(request)))


@requires(Action.CREDIT_EVALUATE)
@require_POST
def evaluate(request: HttpRequest, pk: int) -> HttpResponseBase:
    actor = actor_of(request)
    found = _entity(pk)
    form = EvaluateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写有效的评价日期（年-月-日）。"))
        return redirect("credit:entity", pk=found.pk)
    try:
        done = services.evaluate_entity(actor, found, form.cleaned_data["as_of"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        values = {"day": done.as_of, "score": f"{done.score:g}", "grade": done.grade}
        messages.success(request, _("%(day)s 的评价：%(score)s 分，等级 %(grade)s。") % values)
        if done.extension_note:
            messages.warning(request, done.extension_note)
    return redirect("credit:entity", pk=found.pk)


@requires(Action.CREDIT_RECORD)
@require_POST
def record(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    found = _entity(pk)
    pack = active_pack()
    form = EventForm(request.POST, pack=pack, roles=found.roles)
    if form.is_valid():
        data = form.cleaned_data
        try:
            event = services.record_event(
                actor,
                found,
                data["indicator"],
                data["occurred_on"],
                source_kind=data["source_kind"],
                source_ref=data["source_ref"],
                evidence=data["evidence"],
                reason=data["reason"],
                pack=pack,
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已记录信用事件 #%(id)s；重新评价后计入等级。") % {"id": event.pk})
            return redirect(reverse("credit:entity", args=[found.pk]) + f"#event-{event.pk}")
    context = archive_context(found, actor) | {"event_form": form}
    return render(request, "credit/entity.html", context, status=400)


# --- operators ------------------------------------------------------------------------------------


def _own(actor: Actor) -> QuerySet[Entity]:
    return Entity.objects.filter(organisation_id=actor.organisation_id or -1).select_related("filing")


@requires(Action.FILING_OWN)
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    items = [operator_view(found) for found in _own(actor_of(request))]
    return render(request, "credit/mine.html", {"items": items, "today": timezone.localdate(), "pack": active_pack()})


@requires(Action.FILING_OWN)
@require_GET
def mine_entity(request: HttpRequest, pk: int) -> HttpResponse:
    """One own entity; another operator's (or a missing) one answers 404 alike."""
    found = _own(actor_of(request)).filter(pk=pk).first()
    if found is None:
        raise Http404
    context = {"item": operator_view(found), "today": timezone.localdate(), "pack": active_pack()}
    return render(request, "credit/mine_entity.html", context)
