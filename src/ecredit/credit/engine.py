"""The credit engine: ``evaluate(pack, events, role, as_of)`` → score, grade and reasons.

Pure and deterministic: plain dataclasses in, plain dataclasses out, no Django, no I/O. The same pack,
ledger, role and date always give the same :class:`Result`, whatever the order of the events, so a past
evaluation can be reproduced from the ledger at any time (an objection upheld or a repair granted later
does not change what the engine answers for a date before it).

The rules, exactly (the pack's YAML cases next to the pack pin each of them):

* **Months.** ``add_months`` moves by calendar months and clamps the day to the end of the month:
  2024-01-31 + 1 month = 2024-02-29. "*N* months after ``d``" means the day ``add_months(d, N)``.
* **Which events are looked at.** Only events of indicators whose ``roles`` contain ``role``; events
  of other indicators, of indicators the pack does not define (reported in ``unknown_indicators``,
  e.g. when a newer pack re-scores an older ledger) and of ``clean_record`` indicators (the engine
  grants those itself) are ignored. An event is *valid* on ``as_of`` when ``occurred_on <= as_of``,
  it is not withdrawn (``withdrawn_on`` is None or after ``as_of``: an upheld objection removes the
  event from that day on, never before) and not repaired (likewise ``repaired_from``).
* **Ended events.** An event of indicator X is *ended* on ``as_of`` by a valid event of one of
  ``X.ended_by`` that came after it: on a later day, or on the same day and recorded after it (a
  higher ``id``; a lapse ends the filing approved before it, even that same day; a filing approved
  after the lapse counts again). The ending event's own window does not matter: a
  lapse ends the earlier filing for good, unless the lapse itself is withdrawn. A valid event that is
  not ended is *live*.
* **Window and weight.** A live event counts while ``as_of < add_months(occurred_on, window_months)``
  (None: no end), so the day the window ends it no longer counts. It counts at full weight while
  ``as_of < add_months(occurred_on, full_weight_months)`` (None: always), then at half weight.
* **Per indicator.** points = Σ points × weight, computed exactly (fractions); if ``|points| > |cap|``
  the indicator gives ``cap`` and ``cap_applied`` is set.
* **Clean record.** A ``clean_record`` indicator is granted (count 0, no events) when no live event of
  a negative indicator occurred within its ``window_months`` before ``as_of`` (even one whose own
  window has already ended: 连续24个月无失信记录) and the entity has a live ``filing.current`` event
  that occurred at least ``window_months`` before ``as_of`` (a registration history that long).
* **Bonus cap.** Positive indicators are granted in the pack's order, each taking what is left of
  ``scale.bonus_cap``; the one that reaches it is cut (``cap_applied``) and later ones give nothing.
  ``bonus_capped`` says the cap was reached and something was cut. The pack's order is therefore the
  priority of the positives; with this pack the clean record, listed last, is the first to be cut.
* **Score.** base + Σ reasons' points (asserted exactly), then clamped to ``[floor, ceiling]``; the
  grade is the scale's grade for the clamped score.
* **Vetoes.** A veto applies while a live event of one of its triggers occurred less than the veto's
  ``window_months`` before ``as_of``; ``until`` is the last day it applies (the latest of its events).
  The grade becomes the worse of the computed grade and the veto's; the score stays as computed. If
  several apply, ``veto`` reports the one forcing the worst grade, then the one lasting longest, then
  the first in the pack.
* **Reasons.** One per indicator with nonzero points (a zero-point indicator such as
  ``filing.lapsed``, or a positive one the bonus cap left with nothing, is not a reason), sorted by
  points ascending (most lost first, positives last), ties by indicator code; ``event_ids`` ascending;
  ``article_texts`` from ``pack.articles`` ("" where the pack has no text for a cite).
* **Exposed numbers.** Points and score are floats rounded to one decimal. With whole-number points,
  as in every pack so far, they are multiples of 0.5 and exact, so the floats add up too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from ecredit.policy.model import ROLES, Indicator, Pack, Veto

# The indicator whose live event shows the entity is registered; a clean record needs that history.
REGISTRATION = "filing.current"


@dataclass(frozen=True)
class EventFact:
    """What the engine needs to know of one ledger event."""

    id: int
    indicator: str  # an indicator code of the pack
    occurred_on: dt.date
    withdrawn_on: dt.date | None = None  # an upheld objection: the event never counts from this day on
    repaired_from: dt.date | None = None  # a granted repair: the event stops counting from this day


@dataclass(frozen=True)
class Reason:
    """One contributing indicator."""

    indicator: str
    label: str
    points: float  # what this indicator adds to the base (negative for a loss), after cap and weights
    count: int  # events behind it (for clean_record: 0)
    cap_applied: bool  # cut by its own cap, or (a positive indicator) by the bonus cap
    cites: tuple[str, ...]
    article_texts: tuple[str, ...]  # the cited articles' text, in the order of ``cites``
    event_ids: tuple[int, ...]
    public: bool


@dataclass(frozen=True)
class VetoApplied:
    code: str
    label: str
    cites: tuple[str, ...]
    grade: str
    event_ids: tuple[int, ...]
    until: dt.date  # the veto lapses after this day


@dataclass(frozen=True)
class Result:
    pack_id: str
    pack_sha256: str
    role: str
    as_of: dt.date
    base: int
    score: float  # base + sum of reasons' points, clamped to floor and ceiling
    grade: str
    grade_label: str
    reasons: tuple[Reason, ...]  # ordered by points lost (most negative first), then positives
    veto: VetoApplied | None
    bonus_capped: bool
    unknown_indicators: tuple[str, ...] = ()  # codes in the ledger this pack does not define (ignored)


_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _DAYS[month - 1]


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` calendar months (negative: back), the day clamped to the month's end."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    month = month0 + 1
    return dt.date(year, month, min(day.day, days_in_month(year, month)))


def months_cutoff(as_of: dt.date, months: int) -> dt.date:
    """The last day ``d`` with ``add_months(d, months) <= as_of``.

    ``add_months`` never decreases as its day grows, so ``add_months(d, months) <= as_of`` exactly when
    ``d <= months_cutoff(as_of, months)``: one date comparison per event instead of a month addition.
    """
    back = add_months(as_of, -months)
    if as_of.day == days_in_month(as_of.year, as_of.month):
        # The end of a month is reached from every later day of the earlier month (clamping).
        return back.replace(day=days_in_month(back.year, back.month))
    return back


@dataclass(frozen=True)
class _Rule:
    """An indicator with what the engine reads of it precomputed once per pack."""

    indicator: Indicator
    order: int  # position in the pack: the priority of positives under the bonus cap
    points: Fraction
    cap: Fraction | None
    article_texts: tuple[str, ...]


@dataclass(frozen=True)
class _Compiled:
    rules: dict[str, _Rule]
    clean_records: tuple[_Rule, ...]
    vetoes: tuple[Veto, ...]
    grade_rank: dict[str, int]  # 0 = best
    grade_label: dict[str, str]


_CACHE: dict[int, tuple[Pack, _Compiled]] = {}
_CACHE_SIZE = 32


def _compile(pack: Pack) -> _Compiled:
    # Keyed by identity; the pack is kept in the entry so its id cannot be reused while cached.
    hit = _CACHE.get(id(pack))
    if hit is not None and hit[0] is pack:
        return hit[1]
    rules: dict[str, _Rule] = {}
    for order, (code, indicator) in enumerate(pack.indicators.items()):
        rules[code] = _Rule(
            indicator=indicator,
            order=order,
            points=Fraction(indicator.points),
            cap=None if indicator.cap is None else Fraction(indicator.cap),
            article_texts=tuple(pack.articles[ref].text if ref in pack.articles else "" for ref in indicator.cites),
        )
    compiled = _Compiled(
        rules=rules,
        clean_records=tuple(rule for rule in rules.values() if rule.indicator.kind == "clean_record"),
        vetoes=pack.vetoes,
        grade_rank={grade.code: rank for rank, grade in enumerate(pack.scale.grades)},
        grade_label={grade.code: grade.label for grade in pack.scale.grades},
    )
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.clear()
    _CACHE[id(pack)] = (pack, compiled)
    return compiled


def _as_float(value: Fraction) -> float:
    return round(float(value), 1)


class _Cutoffs:
    """``months_cutoff(as_of, months)`` for the few window lengths of a pack, each computed once."""

    def __init__(self, as_of: dt.date) -> None:
        self.as_of = as_of
        self._days: dict[int, dt.date] = {}

    def __call__(self, months: int) -> dt.date:
        day = self._days.get(months)
        if day is None:
            day = self._days[months] = months_cutoff(self.as_of, months)
        return day


# An indicator's contribution while it is being worked out: points, cap applied, the events behind it.
_Earned = dict[str, tuple[Fraction, bool, list[int]]]


def evaluate(pack: Pack, events: list[EventFact] | tuple[EventFact, ...], role: str, as_of: dt.date) -> Result:
    """Score, grade and reasons of one entity acting as ``role``, from its ledger, on ``as_of``."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    compiled = _compile(pack)
    cutoff = _Cutoffs(as_of)
    valid, unknown = _valid(compiled.rules, events, role, as_of)
    live, earned = _earn(compiled.rules, valid, cutoff)
    for rule in compiled.clean_records:
        if role in rule.indicator.roles and _clean(rule.indicator, compiled.rules, live, cutoff):
            points = rule.points if rule.cap is None or abs(rule.points) <= abs(rule.cap) else rule.cap
            earned[rule.indicator.code] = (points, points != rule.points, [])
    scale = pack.scale
    positives, bonus_capped = _cap_bonus(compiled.rules, earned, Fraction(scale.bonus_cap))
    negatives = sum((points for points, _, _ in earned.values() if points < 0), Fraction(0))
    reasons = _reasons(compiled.rules, earned)

    total = scale.base + negatives + positives
    if total != scale.base + sum((points for points, _ in reasons), Fraction(0)):
        raise AssertionError(f"credit engine: total {total} is not base {scale.base} plus the reasons")
    score = min(max(total, Fraction(scale.floor)), Fraction(scale.ceiling))
    grade = scale.grade_for(float(score)).code
    veto = _veto(compiled, live, cutoff)
    if veto is not None and compiled.grade_rank[veto.grade] > compiled.grade_rank[grade]:
        grade = veto.grade

    return Result(
        pack_id=pack.id,
        pack_sha256=pack.sha256,
        role=role,
        as_of=as_of,
        base=scale.base,
        score=_as_float(score),
        grade=grade,
        grade_label=compiled.grade_label[grade],
        reasons=tuple(reason for _, reason in reasons),
        veto=veto,
        bonus_capped=bonus_capped,
        unknown_indicators=tuple(sorted(unknown)),
    )


def _valid(
    rules: dict[str, _Rule], events: list[EventFact] | tuple[EventFact, ...], role: str, as_of: dt.date
) -> tuple[dict[str, list[EventFact]], set[str]]:
    """The events valid on ``as_of`` for ``role``, by indicator; and the codes the pack does not know."""
    valid: dict[str, list[EventFact]] = {}
    unknown: set[str] = set()
    for event in events:
        rule = rules.get(event.indicator)
        if rule is None:
            unknown.add(event.indicator)
            continue
        if (
            role not in rule.indicator.roles
            or rule.indicator.kind == "clean_record"
            or event.occurred_on > as_of
            or (event.withdrawn_on is not None and event.withdrawn_on <= as_of)
            or (event.repaired_from is not None and event.repaired_from <= as_of)
        ):
            continue
        valid.setdefault(event.indicator, []).append(event)
    return valid, unknown


def _earn(
    rules: dict[str, _Rule], valid: dict[str, list[EventFact]], cutoff: _Cutoffs
) -> tuple[dict[str, list[EventFact]], _Earned]:
    """The live events by indicator, and each indicator's points within its window, weighted and capped."""
    live: dict[str, list[EventFact]] = {}
    earned: _Earned = {}
    for code, facts in valid.items():
        rule = rules[code]
        indicator = rule.indicator
        enders = [(fact.occurred_on, fact.id) for ender in indicator.ended_by for fact in valid.get(ender, ())]
        last_end = max(enders) if enders else None
        kept = facts if last_end is None else [fact for fact in facts if (fact.occurred_on, fact.id) > last_end]
        live[code] = kept
        expired = None if indicator.window_months is None else cutoff(indicator.window_months)
        halved = None if indicator.full_weight_months is None else cutoff(indicator.full_weight_months)
        full = half = 0
        ids: list[int] = []
        for fact in kept:
            if expired is not None and fact.occurred_on <= expired:
                continue
            if halved is not None and fact.occurred_on <= halved:
                half += 1
            else:
                full += 1
            ids.append(fact.id)
        if ids:
            points = rule.points * (2 * full + half) / 2
            if rule.cap is not None and abs(points) > abs(rule.cap):
                earned[code] = (rule.cap, True, ids)
            else:
                earned[code] = (points, False, ids)
    return live, earned


def _cap_bonus(rules: dict[str, _Rule], earned: _Earned, bonus_cap: Fraction) -> tuple[Fraction, bool]:
    """Grant the positives in the pack's order up to ``bonus_cap`` (in place); their total, and whether cut."""
    left = bonus_cap
    cut = False
    for code in sorted((code for code, item in earned.items() if item[0] > 0), key=lambda code: rules[code].order):
        points, _, ids = earned[code]
        if points > left:
            earned[code] = (left, True, ids)
            cut = True
        left -= earned[code][0]
    return bonus_cap - left, cut


def _reasons(rules: dict[str, _Rule], earned: _Earned) -> list[tuple[Fraction, Reason]]:
    """One reason per indicator with nonzero points, most lost first, ties by code; with exact points."""
    reasons: list[tuple[Fraction, Reason]] = []
    for code, (points, capped, ids) in earned.items():
        if points == 0:
            continue
        rule = rules[code]
        reason = Reason(
            indicator=code,
            label=rule.indicator.label,
            points=_as_float(points),
            count=len(ids),
            cap_applied=capped,
            cites=rule.indicator.cites,
            article_texts=rule.article_texts,
            event_ids=tuple(sorted(ids)),
            public=rule.indicator.public,
        )
        reasons.append((points, reason))
    reasons.sort(key=lambda pair: (pair[0], pair[1].indicator))
    return reasons


def _clean(
    clean: Indicator,
    rules: dict[str, _Rule],
    live: dict[str, list[EventFact]],
    cutoff: _Cutoffs,
) -> bool:
    """No live negative event within the clean indicator's window, and a registration that long."""
    since = None if clean.window_months is None else cutoff(clean.window_months)
    for code, facts in live.items():
        if rules[code].points < 0 and any(since is None or fact.occurred_on > since for fact in facts):
            return False
    registered = live.get(REGISTRATION, ())
    return any(since is None or fact.occurred_on <= since for fact in registered)


def _veto(
    compiled: _Compiled,
    live: dict[str, list[EventFact]],
    cutoff: _Cutoffs,
) -> VetoApplied | None:
    """The veto in force: the worst grade, then the longest lasting, then the first in the pack."""
    found: list[tuple[int, int, int, VetoApplied]] = []
    for order, veto in enumerate(compiled.vetoes):
        since = cutoff(veto.window_months)
        facts = [fact for trigger in veto.triggers for fact in live.get(trigger, ()) if fact.occurred_on > since]
        if not facts:
            continue
        until = max(add_months(fact.occurred_on, veto.window_months) for fact in facts) - dt.timedelta(days=1)
        applied = VetoApplied(
            code=veto.code,
            label=veto.label,
            cites=veto.cites,
            grade=veto.grade,
            event_ids=tuple(sorted(fact.id for fact in facts)),
            until=until,
        )
        found.append((-compiled.grade_rank[veto.grade], -until.toordinal(), order, applied))
    return min(found, key=lambda item: item[:3])[3] if found else None
