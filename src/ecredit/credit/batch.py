"""Evaluating every entity at once, set-based: one pass over the ledger, never a query per entity.

1. **One aggregate query** reads the events through the ledger index alone (entity, indicator, day,
   id) and returns one row per entity: its events as short tokens joined in one string. A token is
   the indicator code and one character saying how old the event is — after which of the cutoffs the
   pack needs (``engine.months_cutoff(as_of, m)`` for every window, full-weight period and clean-record
   window, computed once in Python, so the SQL only compares days). The few indicators the engine
   looks at day by day — one ended by a later event, what ends it, the registration a clean record
   needs, and veto triggers — carry their day instead. SQLite spends one aggregate step per event
   (measured: several aggregates per row cost several times more), and the index order needs no sort.
2. **Per entity, in Python**, the tokens are counted and combined with the engine's arithmetic
   (half-weights as exact integers, caps, the bonus cap in pack order, clamping, the clean record,
   vetoes), which gives what ``engine.evaluate`` gives. Counts repeat across a million entities, so the
   result of each (indicator, count in window, count at full weight) and each reason's JSON are worked
   out once per run. An entity with a status change in its ledger (an upheld objection, a granted
   repair — rare by nature) is evaluated by the engine itself instead, from its events read for all
   such entities together in a few ``IN (…)`` queries.
3. **Writes in bulk**: ``executemany`` per chunk of entities, in the run's one transaction.

What is stored per reason is what the engine gives minus the event ids: those are reproduced exactly,
for any stored evaluation, by ``services.explain`` (the ledger is append-only and carries when each
row became known). That the batch agrees with the engine is not assumed but tested:
``tests/credit/test_batch.py`` compares both on random ledgers (hypothesis), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
import subprocess
import sys
import time
from collections import Counter, _count_elements  # type: ignore[attr-defined]
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from ecredit.accounts.actors import Actor
from ecredit.accounts.roles import Action
from ecredit.audit import services as audit
from ecredit.credit import engine, ledger, procedures
from ecredit.credit.models import CreditEvent, Evaluation, EventStatus
from ecredit.errors import DomainError, ErrorCode
from ecredit.policy.model import Indicator, Pack
from ecredit.registry.models import Entity

Number = int | Fraction  # points in half-units: exact integers for packs of whole and half points
# What the batch writes per entity besides the constants of the run:
# (score, grade, veto code, veto JSON or "", bonus capped as 0 or 1, reasons JSON, unknown indicators
# JSON). "" and 0/1 rather than None and booleans: Python's sqlite3 binds those through a slow path.
Computed = tuple[str, str, str, str, int, str, str]
Row = tuple[Any, ...]

SEP = "\x1f"  # between tokens (no indicator code holds a control character)
DAY = "\x1e"  # between an indicator code and a day
AGE = tuple(chr(1 + n) for n in range(9))  # AGE[k]: the event is later than k of the cutoffs
WRITE_CHUNK = 2000  # evaluations per executemany
FETCH_CHUNK = 2000  # entities per fetchmany
EXACT_CHUNK = 500  # entities per IN (…) on the exact path
CHILD_FROM = 50_000  # entities from which a second process reads the ledger (starting it costs ~0.3 s)


def _exact(value: float | Fraction) -> Number:
    """``value`` exactly: an int when whole (every pack so far), else a Fraction."""
    exact = Fraction(value)
    return int(exact) if exact.denominator == 1 else exact


def _half_units(value: float) -> Number:
    """``2 × value`` exactly."""
    return _exact(2 * Fraction(value))


def _over(units: Number, cap: Number | None) -> bool:
    """``|units| > |cap|``: the indicator's cap cuts it."""
    if cap is None:
        return False
    return (-units if units < 0 else units) > (-cap if cap < 0 else cap)


def _points(units: Number) -> float:
    """What the engine exposes for ``units / 2``: a float rounded to one decimal."""
    if type(units) is int:
        return units / 2  # exact: a whole or half number
    return round(float(Fraction(units) / 2), 1)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: dict keys in the hot loop
class _Rule:
    code: str
    order: int  # position in the pack: the priority of positives under the bonus cap
    points: Number  # per event (× (2·full + half) gives half-units)
    cap: Number | None  # in half-units
    negative: bool
    window_cut: str | None  # the day an event must be later than to count (None: no window)
    full_cut: str | None  # … to count at full weight
    ended_by: tuple[str, ...]
    head: str  # the reason's JSON up to its points, serialised once


@dataclass(frozen=True)
class _Veto:
    order: int
    code: str
    grade: str
    rank: int
    months: int
    cut: str
    triggers: tuple[str, ...]
    head: str  # the veto's JSON up to its last day


@dataclass(frozen=True)
class _Clean:
    code: str
    order: int
    units: Number  # what it grants, already cut to its own cap
    capped: bool
    since: str | None  # the window's cutoff (None: the whole history)
    head: str


# What one indicator earns an entity: (half-units, code, pack order, cap applied, count, reason JSON).
# As a tuple, a list of them sorts as the engine orders reasons: by points, then code.
_Earned = tuple[Number, str, int, bool, int, str]
# What the tokens carrying a day give: earned, first live registration, spoiled clean records, live
# days per indicator, unknown indicators.
_Details = tuple[list[_Earned], str, int, dict[str, list[str]], set[str]]
TALLY = 20  # a rule's tally packs (events in the window) << TALLY | (events at full weight)
IGNORED = (0, 0, 0)


@dataclass
class Plan:
    """A pack compiled for one day: the cutoffs, the token tables, and what each rule needs."""

    pack: Pack
    as_of: dt.date
    cutoffs: tuple[str, ...]  # newest first: an event later than k of them has age AGE[k]
    detail: tuple[str, ...]  # indicators whose events carry their day
    keep_old: bool  # events older than every cutoff still matter (a rule without a window)
    known: frozenset[str]
    rules: dict[str, _Rule]  # every scored (non clean-record) indicator
    # role → token → (the rule's key: its pack order << 40, what the token adds to the rule's tally,
    # the clean records it spoils as a bit mask); an indicator the role ignores adds nothing
    tokens: dict[str, dict[str, tuple[int, int, int]]]
    valid: dict[str, frozenset[str]]  # role → indicators valid for it (scored, not clean records)
    cleans: dict[str, tuple[_Clean, ...]]
    vetoes: tuple[_Veto, ...]
    grades: tuple[tuple[int, str], ...]  # (min, code), best first
    grade_ranks: dict[str, int]
    triggers: frozenset[str]  # indicators some veto is triggered by
    empty: dict[str, Computed] = field(default_factory=dict)  # role → the answer for an empty ledger
    memo: dict[tuple[str, int, int], tuple[Number, bool]] = field(default_factory=dict)
    texts: dict[tuple[str, Number, bool, int], str] = field(default_factory=dict)
    by_order: dict[int, _Rule] = field(default_factory=dict)
    base2: int = 0  # the scale in half-units
    bonus2: int = 0
    floor2: int = 0
    ceiling2: int = 0
    grades2: tuple[tuple[int, str], ...] = ()
    # Worked out once per run: (rule order << 40) + tally → what it earns (None: no points); a lone
    # token with a day → its details; total half-units → the score as stored.
    earned: dict[int, _Earned | None] = field(default_factory=dict)
    singles: dict[tuple[str, tuple[str, int]], _Details] = field(default_factory=dict)
    scores: dict[Number, str] = field(default_factory=dict)


def _head(code: str, label: str, cites: Sequence[str], public: bool) -> str:
    return (
        f'{{"indicator": {json.dumps(code)}, "label": {json.dumps(label, ensure_ascii=False)}, '
        f'"cites": {json.dumps(list(cites))}, "public": {json.dumps(public)}, '
    )


def _full_months(indicator: Indicator) -> int | None:
    """An event counts at full weight when it is both in the window and in the full-weight period."""
    window, full = indicator.window_months, indicator.full_weight_months
    return full if window is None else window if full is None else min(window, full)


def plan(pack: Pack, as_of: dt.date) -> Plan:
    """Compile ``pack`` for ``as_of``: everything that does not depend on the entity, once."""

    def cut(months: int | None) -> str | None:
        return None if months is None else engine.months_cutoff(as_of, months).isoformat()

    indicators = pack.indicators
    detail = {code for code, indicator in indicators.items() if indicator.ended_by}
    detail.update(ender for indicator in indicators.values() for ender in indicator.ended_by)
    detail.add(engine.REGISTRATION)
    detail.update(trigger for veto in pack.vetoes for trigger in veto.triggers)
    scored = {code for code, indicator in indicators.items() if indicator.kind != "clean_record"}
    clean_items = [(code, i) for code, i in indicators.items() if i.kind == "clean_record"]
    months: set[int] = {i.window_months for _, i in clean_items if i.window_months is not None}
    keep_old = any(i.window_months is None for _, i in clean_items)
    for code in scored - detail:
        indicator = indicators[code]
        months.update(m for m in (indicator.window_months, _full_months(indicator)) if m is not None)
        keep_old = keep_old or indicator.window_months is None
    ordered = sorted(months)  # fewest months first: the latest cutoff first
    if len(ordered) >= len(AGE):
        raise ValueError(f"policy pack {pack.id}: too many distinct windows for the batch ({ordered})")
    cutoffs = tuple(engine.months_cutoff(as_of, m).isoformat() for m in ordered)

    def age_of(months: int) -> int:
        """The least age (number of cutoffs an event is later than) of an event within ``months``."""
        return len(ordered) - ordered.index(months)

    ranks = {grade.code: rank for rank, grade in enumerate(pack.scale.grades)}
    vetoes = tuple(
        _Veto(
            order=order,
            code=veto.code,
            grade=veto.grade,
            rank=ranks[veto.grade],
            months=veto.window_months,
            cut=engine.months_cutoff(as_of, veto.window_months).isoformat(),
            triggers=veto.triggers,
            head=(
                f'{{"code": {json.dumps(veto.code)}, "label": {json.dumps(veto.label, ensure_ascii=False)}, '
                f'"cites": {json.dumps(list(veto.cites))}, "grade": {json.dumps(veto.grade)}, '
            ),
        )
        for order, veto in enumerate(pack.vetoes)
    )
    rules: dict[str, _Rule] = {}
    for order, (code, indicator) in enumerate(indicators.items()):
        if code in scored:
            rules[code] = _Rule(
                code=code,
                order=order,
                points=_exact(indicator.points),
                cap=None if indicator.cap is None else _half_units(indicator.cap),
                negative=indicator.points < 0,
                window_cut=cut(indicator.window_months),
                full_cut=cut(indicator.full_weight_months),
                ended_by=indicator.ended_by,
                head=_head(code, indicator.label, indicator.cites, indicator.public),
            )
    tokens: dict[str, dict[str, tuple[int, int, int]]] = {}
    valid: dict[str, frozenset[str]] = {}
    cleans: dict[str, tuple[_Clean, ...]] = {}
    for role in ledger.ROLE_PRIORITY:
        mine_clean = []
        for code, indicator in clean_items:
            if role in indicator.roles:
                points = _half_units(indicator.points)
                cap = None if indicator.cap is None else _half_units(indicator.cap)
                capped = _over(points, cap)
                granted = cap if capped and cap is not None else points
                head = _head(code, indicator.label, indicator.cites, indicator.public)
                order = list(indicators).index(code)
                mine_clean.append(_Clean(code, order, granted, capped, cut(indicator.window_months), head))
        cleans[role] = tuple(mine_clean)
        valid[role] = frozenset(code for code in scored if role in indicators[code].roles)
        table: dict[str, tuple[int, int, int]] = {}
        for code, indicator in indicators.items():
            if code in detail:
                continue
            for age in range(len(ordered) + 1):
                token = code + AGE[age]
                if code not in valid[role]:
                    table[token] = IGNORED
                    continue
                window, full = indicator.window_months, _full_months(indicator)
                in_window = int(window is None or age >= age_of(window))
                at_full = int(in_window and (full is None or age >= age_of(full)))
                spoils = 0
                if indicator.points < 0:
                    for bit, clean in enumerate(mine_clean):
                        months_ = indicators[clean.code].window_months
                        if months_ is None or age >= age_of(months_):
                            spoils |= 1 << bit
                table[token] = (rules[code].order << 40, in_window << TALLY | at_full, spoils)
        tokens[role] = table
    compiled = Plan(
        pack=pack,
        as_of=as_of,
        cutoffs=cutoffs,
        detail=tuple(sorted(detail)),
        keep_old=keep_old,
        known=frozenset(indicators),
        rules=rules,
        tokens=tokens,
        valid=valid,
        cleans=cleans,
        vetoes=vetoes,
        grades=tuple((grade.min, grade.code) for grade in pack.scale.grades),
        grade_ranks=ranks,
        triggers=frozenset(trigger for veto in pack.vetoes for trigger in veto.triggers),
        by_order={rule.order: rule for rule in rules.values()},
        base2=2 * pack.scale.base,
        bonus2=2 * pack.scale.bonus_cap,
        floor2=2 * pack.scale.floor,
        ceiling2=2 * pack.scale.ceiling,
        grades2=tuple((2 * grade.min, grade.code) for grade in pack.scale.grades),
    )
    for role in ledger.ROLE_PRIORITY:
        compiled.empty[role] = computed_of(ledger.outcome(engine.evaluate(pack, [], role, as_of)))
    return compiled


def computed_of(outcome: ledger.Outcome) -> Computed:
    """An engine result as the batch writes it (the exact path and the empty ledger)."""
    return (
        str(outcome.score),
        outcome.grade,
        outcome.veto_code,
        "" if outcome.veto is None else json.dumps(outcome.veto, ensure_ascii=False),
        int(outcome.bonus_capped),
        json.dumps(outcome.reasons, ensure_ascii=False),
        json.dumps(outcome.unknown_indicators),
    )


def _scored(p: Plan, rule: _Rule, in_window: int, full: int) -> tuple[Number, bool]:
    """An indicator's half-units and whether its cap cut them, for its counts (worked out once)."""
    key = (rule.code, in_window, full)
    hit = p.memo.get(key)
    if hit is None:
        units = rule.points * (in_window + full)  # points × (2·full + half) / 2, in half-units
        capped = _over(units, rule.cap)
        hit = p.memo[key] = (rule.cap if capped and rule.cap is not None else units, capped)
    return hit


def _text(p: Plan, head: str, code: str, units: Number, capped: bool, count: int) -> str:
    key = (code, units, capped, count)
    text = p.texts.get(key)
    if text is None:
        text = p.texts[key] = (
            f'{head}"points": {_points(units)!r}, "count": {count}, "cap_applied": {"true" if capped else "false"}}}'
        )
    return text


def _earned(p: Plan, rule: _Rule, in_window: int, full: int) -> _Earned:
    units, capped = _scored(p, rule, in_window, full)
    return (units, rule.code, rule.order, capped, in_window, _text(p, rule.head, rule.code, units, capped, in_window))


def _tallied(p: Plan, key: int) -> _Earned | None:
    """What a rule earns for a tally, worked out once: ``key`` is (rule order << 40) + tally."""
    hit = p.earned.get(key, False)
    if hit is False:
        rule = p.by_order[key >> 40]
        tally = key & ((1 << 40) - 1)
        found = _earned(p, rule, tally >> TALLY, tally & ((1 << TALLY) - 1))
        hit = p.earned[key] = found if found[0] else None  # a rule giving 0 points is no reason
    return hit  # type: ignore[return-value]


def _details(p: Plan, role: str, odd: list[tuple[str, int]]) -> _Details:
    """The tokens carrying a day (and those of indicators the pack does not define): what they earn,
    the earliest live registration, the clean records they spoil, the live days of each indicator
    (for vetoes), the unknown indicators."""
    valid = p.valid[role]
    earned: list[_Earned] = []
    unknown: set[str] = set()
    days: dict[str, list[str]] = {}
    for token, n in odd:
        if DAY in token:
            code, day = token.split(DAY)
            if code in valid:
                days.setdefault(code, []).extend([day] * n)
        elif token[:-1] not in p.known:
            unknown.add(token[:-1])
    mine = {code: sorted(found) for code, found in days.items()}
    registered, spoiled = "", 0
    live: dict[str, list[str]] = {}
    for code, found in mine.items():
        rule = p.rules[code]
        ends = [mine[ender][-1] for ender in rule.ended_by if ender in mine]
        if ends:
            last_end = max(ends)
            found = [day for day in found if day >= last_end]
        live[code] = found
        if not found:
            continue
        if code == engine.REGISTRATION:
            registered = found[0]
        window = found if rule.window_cut is None else [day for day in found if day > rule.window_cut]
        if window:
            full = len(window) if rule.full_cut is None else sum(1 for day in window if day > rule.full_cut)
            hit = _tallied(p, (rule.order << 40) + (len(window) << TALLY) + full)
            if hit is not None:
                earned.append(hit)
        if rule.negative:
            for bit, clean in enumerate(p.cleans[role]):
                if clean.since is None or found[-1] > clean.since:
                    spoiled |= 1 << bit
    return earned, registered, spoiled, live, unknown


def combine(p: Plan, role: str, text: str) -> Computed:
    """One entity's answer from its token string. Mirrors ``engine.evaluate`` step by step (see its
    docstring for the rules). The hot path counts the tokens and looks up what each indicator's tally
    earns; a lone token with a day (the usual registration) is looked up whole as well."""
    table = p.tokens[role]
    memo = p.earned
    counts: dict[str, int] = {}
    _count_elements(counts, text.split(SEP))
    tallies: dict[int, int] = {}
    spoiled = 0  # bit mask of the clean records a live negative event rules out
    odd: list[tuple[str, int]] | None = None  # tokens not in the table: days, unknown indicators
    for token, n in counts.items():
        entry = table.get(token)
        if entry is None:
            if odd is None:
                odd = [(token, n)]
            else:
                odd.append((token, n))
            continue
        base, adds, spoils = entry
        if adds:
            tallies[base] = tallies.get(base, 0) + adds * n
        spoiled |= spoils
    earned: list[_Earned] = []
    for base, tally in tallies.items():
        hit = memo.get(base + tally, False)
        if hit is False:
            hit = _tallied(p, base + tally)
        if hit is not None:
            earned.append(hit)  # type: ignore[arg-type]

    registered = ""
    live: dict[str, list[str]] = {}
    unknown: set[str] = set()
    if odd is not None:
        if len(odd) == 1:
            key = (role, odd[0])
            details = p.singles.get(key)
            if details is None:
                details = p.singles[key] = _details(p, role, odd)
        else:
            details = _details(p, role, odd)
        found, registered, spoils, live, unknown = details
        earned.extend(found)
        spoiled |= spoils
    if registered:
        for bit, clean in enumerate(p.cleans[role]):
            if not spoiled >> bit & 1 and (clean.since is None or registered <= clean.since):
                earned.append(
                    (
                        clean.units,
                        clean.code,
                        clean.order,
                        clean.capped,
                        0,
                        _text(p, clean.head, clean.code, clean.units, clean.capped, 0),
                    )
                )

    # The bonus cap, positives in the pack's order.
    total: Number = p.base2
    gained: Number = 0
    for item in earned:
        if item[0] < 0:
            total += item[0]
        else:
            gained += item[0]
    bonus_capped = False
    if gained > p.bonus2:
        kept: list[_Earned] = [item for item in earned if item[0] < 0]
        left: Number = p.bonus2
        for item in sorted((item for item in earned if item[0] > 0), key=lambda item: item[2]):
            units = item[0]
            if units > left:
                units, bonus_capped = left, True
                item = (
                    units,
                    item[1],
                    item[2],
                    True,
                    item[4],
                    _text(p, _head_of(p, item[1]), item[1], units, True, item[4]),
                )
            left -= units
            if units:
                kept.append(item)
        earned, gained = kept, p.bonus2
    total += gained
    earned.sort()
    if total < p.floor2:
        total = p.floor2
    elif total > p.ceiling2:
        total = p.ceiling2
    grade = p.grades[-1][1]
    for minimum, code in p.grades2:
        if total >= minimum:
            grade = code
            break
    score = p.scores.get(total)
    if score is None:
        score = p.scores[total] = f"{round(float(total / 2), 1):.1f}"

    veto_code, veto_json = "", ""
    if live and not p.triggers.isdisjoint(live):
        candidates = []
        for veto in p.vetoes:
            recent = [day for trigger in veto.triggers for day in live.get(trigger, ()) if day > veto.cut]
            if recent:
                until = engine.add_months(dt.date.fromisoformat(max(recent)), veto.months) - dt.timedelta(days=1)
                candidates.append(((-veto.rank, -until.toordinal(), veto.order), veto, until))
        if candidates:
            _, veto, until = min(candidates, key=lambda item: item[0])
            veto_code = veto.code
            veto_json = f'{veto.head}"until": "{until.isoformat()}"}}'
            if veto.rank > p.grade_ranks[grade]:
                grade = veto.grade

    return (
        score,
        grade,
        veto_code,
        veto_json,
        int(bonus_capped),
        "[" + ", ".join([item[5] for item in earned]) + "]",
        json.dumps(sorted(unknown)) if unknown else "[]",
    )


def _head_of(p: Plan, code: str) -> str:
    rule = p.rules.get(code)
    if rule is not None:
        return rule.head
    return next(clean.head for cleans in p.cleans.values() for clean in cleans if clean.code == code)


# --- reading the ledger ---------------------------------------------------------------------------


def _aggregate_sql(p: Plan) -> tuple[str, list[Any]]:
    """The one pass over the events: a token string per entity, in entity order.

    Only our own table name and placeholders are pasted in; every value is a parameter."""
    table = CreditEvent._meta.db_table
    postgres = connection.vendor == "postgresql"
    day = "occurred_on::text" if postgres else "occurred_on"
    # ``+occurred_on``: no column affinity, so SQLite compares the ISO days as plain text.
    column, cast = ("occurred_on", "::date") if postgres else ("+occurred_on", "")
    marks = ", ".join(["%s"] * len(p.detail))
    params: list[Any] = [*p.detail, DAY]
    age = "%s"  # the age character of an event later than no cutoff
    ages: list[Any] = [AGE[0]]
    for k, cutoff in enumerate(reversed(p.cutoffs), start=1):  # oldest cutoff first
        age = f"CASE WHEN {column} > %s{cast} THEN %s ELSE {age} END"
        ages = [cutoff, AGE[k], *ages]
    oldest = p.cutoffs[-1] if p.cutoffs else None
    if p.keep_old or oldest is None:
        token = f"WHEN TRUE THEN indicator || {age}"
        params += ages
    else:
        # Events older than every cutoff count for nothing, except to report an unknown indicator.
        known = ", ".join(["%s"] * len(p.known))
        token = f"WHEN {column} > %s{cast} THEN indicator || {age} WHEN indicator NOT IN ({known}) THEN indicator || %s"
        params += [oldest, *ages, *sorted(p.known), AGE[0]]
    expression = f"CASE WHEN indicator IN ({marks}) THEN indicator || %s || {day} {token} END"
    if postgres:
        sql = (
            f"SELECT entity_id, string_agg({expression}, %s) FROM {table} "  # noqa: S608
            f"WHERE occurred_on <= %s::date GROUP BY entity_id ORDER BY entity_id"
        )
    else:
        # Read through the ledger index alone, in its order: grouping by entity needs no sort.
        sql = (
            f"SELECT entity_id, GROUP_CONCAT({expression}, %s) FROM {table} "  # noqa: S608
            f"INDEXED BY credit_event_ledger WHERE +occurred_on <= %s GROUP BY entity_id ORDER BY entity_id"
        )
    return sql, [*params, SEP, p.as_of.isoformat()]


def _by_the_engine(p: Plan) -> set[int]:
    """Entities evaluated by the engine itself: those with any status change in their ledger, and those
    where an event and one that ends it (``ended_by``) fell on the same day — the tokens carry days, not
    the order the ledger learned them in, which decides that case. Both are rare."""
    found = set(EventStatus.objects.values_list("event__entity_id", flat=True).distinct())
    for code, indicator in p.pack.indicators.items():
        for ender in indicator.ended_by:
            same_day = CreditEvent.objects.filter(
                entity_id=OuterRef("entity_id"), indicator=ender, occurred_on=OuterRef("occurred_on")
            )
            found.update(
                CreditEvent.objects.filter(indicator=code, occurred_on__lte=p.as_of)
                .filter(Exists(same_day))
                .values_list("entity_id", flat=True)
                .distinct()
            )
    return found


def _engine_answers(p: Plan, roles: dict[int, str]) -> dict[int, Computed]:
    """The engine's own answer for ``roles``' entities, their events read a chunk of entities at a time."""
    answers: dict[int, Computed] = {}
    ids = sorted(roles)
    for start in range(0, len(ids), EXACT_CHUNK):
        chunk = ids[start : start + EXACT_CHUNK]
        history: dict[int, list[tuple[str, dt.date]]] = {}
        for event_id, status, effective_on in (
            EventStatus.objects.filter(event__entity_id__in=chunk)
            .order_by("created_at", "pk")
            .values_list("event_id", "status", "effective_on")
        ):
            history.setdefault(event_id, []).append((status, effective_on))
        facts: dict[int, list[engine.EventFact]] = {entity_id: [] for entity_id in chunk}
        for entity_id, event_id, indicator, occurred_on in (
            CreditEvent.objects.filter(entity_id__in=chunk, occurred_on__lte=p.as_of)
            .order_by("pk")
            .values_list("entity_id", "pk", "indicator", "occurred_on")
        ):
            withdrawn_on, repaired_from = ledger.fold_statuses(history.get(event_id, ()))
            facts[entity_id].append(engine.EventFact(event_id, indicator, occurred_on, withdrawn_on, repaired_from))
        for entity_id in chunk:
            result = engine.evaluate(p.pack, facts[entity_id], roles[entity_id], p.as_of)
            answers[entity_id] = computed_of(ledger.outcome(result))
    return answers


def _entities(only: list[int] | None = None) -> Iterator[tuple[int, str | None]]:
    """``(id, role)`` of every entity (or of ``only``), in id order."""
    if only is not None:
        rows = Entity.objects.order_by("pk").values_list("pk", "is_seller", "is_platform", "is_infrastructure")
        for start in range(0, len(only), EXACT_CHUNK):
            for entity_id, seller, platform, infrastructure in rows.filter(pk__in=only[start : start + EXACT_CHUNK]):
                yield entity_id, ledger.role_of(seller, platform, infrastructure)
        return
    # A million rows: read raw (SQLite's 0 and 1 are as good as booleans here), not through the ORM.
    with connection.chunked_cursor() as cursor:
        cursor.execute(
            f"SELECT id, is_seller, is_platform, is_infrastructure FROM {Entity._meta.db_table} ORDER BY id"  # noqa: S608
        )
        while chunk := cursor.fetchmany(FETCH_CHUNK):
            for entity_id, seller, platform, infrastructure in chunk:
                yield entity_id, ledger.role_of(seller, platform, infrastructure)


def _strings(cursor: Any) -> Iterator[tuple[int, str | None]]:
    while True:
        rows = cursor.fetchmany(FETCH_CHUNK)
        if not rows:
            return
        yield from rows


def _read_here(sql: str, params: list[Any]) -> Iterator[tuple[int, str | None]]:
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        yield from _strings(cursor)


def _child_database() -> dict[str, Any]:
    """What ``scan.read`` needs to open its own connection to the same database."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return {"vendor": "sqlite", "name": str(settings["NAME"]), "timeout": settings["OPTIONS"].get("timeout", 30)}
    params = {
        "dbname": settings["NAME"],
        "user": settings["USER"],
        "password": settings["PASSWORD"],
        "host": settings["HOST"],
        "port": settings["PORT"],
    }
    django_only = {"isolation_level", "server_side_binding", "pool", "assume_role"}
    params.update({key: value for key, value in settings["OPTIONS"].items() if key not in django_only})
    return {"vendor": "postgresql", "params": {key: value for key, value in params.items() if value not in ("", None)}}


def _read_in_child(sql: str, params: list[Any]) -> Iterator[tuple[int, str | None]]:
    """The same rows, read by a process of its own (``python -m ecredit.credit.scan``) while this one
    combines them."""
    snapshot = ""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
    else:
        sql = sql.replace("%s", "?")
    job = {"database": _child_database(), "sql": sql, "params": params, "snapshot": snapshot}
    # Our own interpreter running our own module; the job travels on stdin, never the command line.
    child = subprocess.Popen(
        [sys.executable, "-m", "ecredit.credit.scan"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert child.stdin is not None and child.stdout is not None  # noqa: S101 -- both are pipes
    try:
        pickle.dump(job, child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        child.stdin.close()
        while True:
            try:
                chunk = pickle.load(child.stdout)  # noqa: S301 -- our child's own output
            except EOFError:
                raise RuntimeError(f"读取信用事件的子进程意外退出（{child.wait()}）。") from None
            if chunk is None:
                return
            if isinstance(chunk, str):
                raise RuntimeError(f"读取信用事件失败：{chunk}")
            yield from chunk
    finally:
        child.stdout.close()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _entity_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {Entity._meta.db_table}")  # noqa: S608 -- our table
        return int(cursor.fetchone()[0])


def evaluate_every(p: Plan, *, in_child: bool = False) -> Iterator[tuple[int, str, Computed]]:
    """``(entity id, role, answer)`` for every entity holding a role, in id order: one aggregate
    pass over the ledger (here, or ``in_child``), merged with the entity table."""
    statused = sorted(_by_the_engine(p))
    exact = _engine_answers(p, {e: r for e, r in _entities(statused) if r is not None}) if statused else {}
    sql, params = _aggregate_sql(p)
    empty = p.empty
    strings = _read_in_child(sql, params) if in_child else _read_here(sql, params)
    pending = next(strings, None)
    for entity_id, role in _entities():
        text: str | None = None
        while pending is not None and pending[0] <= entity_id:
            if pending[0] == entity_id:
                text = pending[1]
            pending = next(strings, None)
        if role is None:
            continue
        if entity_id in exact:
            yield entity_id, role, exact[entity_id]
        elif text:
            yield entity_id, role, combine(p, role, text)
        else:
            yield entity_id, role, empty[role]


# --- the batch run --------------------------------------------------------------------------------


@dataclass
class Report:
    as_of: dt.date
    pack_id: str
    pack_sha256: str
    extension_note: str
    evaluated: int = 0
    grades: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def summary(self) -> str:
        grades = "，".join(f"{code} {count}" for code, count in sorted(self.grades.items()))
        return (
            f"已评价 {self.evaluated} 个主体（{self.as_of}，政策包 {self.pack_id}），"
            f"等级分布：{grades or '无'}；用时 {self.seconds:.1f} 秒。"
        )


# Written per entity; the run's constants are bound once per run, not once per row.
VARYING = ("entity_id", "role", "score", "grade", "veto_code", "veto", "bonus_capped", "reasons", "unknown_indicators")
CONSTANT = ("as_of", "pack_id", "pack_sha256", "base", "extension_note", "batch", "created_at")


def _constants(covered: Any, as_of: dt.date, now: dt.datetime) -> tuple[Any, ...]:
    ops = connection.ops
    pack = covered.pack
    return (
        ops.adapt_datefield_value(as_of),
        pack.id,
        pack.sha256,
        pack.scale.base,
        covered.note,
        True,
        ops.adapt_datetimefield_value(now),
    )


class _Writer:
    """Writes a run's evaluations. SQLite: rows go first to a TEMP table of the varying columns (a row
    binds 9 values, not 16; and while a child process reads, this connection must not touch the main
    file — a spilled page would need the child's read lock gone), then one ``INSERT … SELECT`` adds
    the constants. PostgreSQL: straight into the table."""

    def __init__(self, cursor: Any, constants: tuple[Any, ...]) -> None:
        self.cursor = cursor
        self.constants = constants
        self.table = Evaluation._meta.db_table
        self.staged = connection.vendor == "sqlite"
        if self.staged:
            columns = ", ".join(
                f"{name} {'INTEGER' if name in ('entity_id', 'bonus_capped') else 'TEXT'}" for name in VARYING
            )
            cursor.execute(f"CREATE TEMP TABLE credit_evaluation_staging ({columns})")
            self.insert = f"INSERT INTO temp.credit_evaluation_staging VALUES ({', '.join(['%s'] * len(VARYING))})"  # noqa: S608
        else:
            marks = dict.fromkeys((*VARYING, *CONSTANT), "%s")
            marks.update(veto="NULLIF(%s, '')::jsonb", reasons="%s::jsonb", unknown_indicators="%s::jsonb")
            marks.update(bonus_capped="%s::int4::boolean")
            names = (*VARYING, *CONSTANT)
            values = ", ".join(marks[name] for name in names)
            self.insert = f"INSERT INTO {self.table} ({', '.join(names)}) VALUES ({values})"  # noqa: S608
        self.buffer: list[Row] = []

    def add(self, row: Row) -> None:
        self.buffer.append(row if self.staged else (*row, *self.constants))
        if len(self.buffer) >= WRITE_CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.cursor.executemany(self.insert, self.buffer)
            self.buffer.clear()

    def close(self) -> None:
        self.flush()
        if self.staged:
            varying = ", ".join("NULLIF(veto, '')" if name == "veto" else name for name in VARYING)
            self.cursor.execute(
                f"INSERT INTO {self.table} ({', '.join((*VARYING, *CONSTANT))}) "  # noqa: S608
                f"SELECT {varying}, {', '.join(['%s'] * len(CONSTANT))} FROM temp.credit_evaluation_staging",
                self.constants,
            )
            self.cursor.execute("DROP TABLE temp.credit_evaluation_staging")


def store_all(covered: Any, as_of: dt.date, *, in_child: bool) -> tuple[Report, dt.datetime]:
    """Evaluate every entity holding a role and write the evaluations with their reasons, inside the
    caller's transaction; the rows share ``created_at``, returned with the report."""
    started = time.perf_counter()
    compiled = plan(covered.pack, as_of)
    report = Report(as_of, covered.pack.id, covered.pack.sha256, covered.note)
    now = timezone.now()
    grades = report.grades
    with connection.cursor() as cursor:
        writer = _Writer(cursor, _constants(covered, as_of, now))
        for entity_id, role, answer in evaluate_every(compiled, in_child=in_child):
            writer.add((entity_id, role, *answer))
            grades[answer[1]] += 1
        writer.close()
    report.evaluated = sum(grades.values())
    report.seconds = time.perf_counter() - started
    return report, now


def evaluate_all(actor: Actor, as_of: dt.date, pack: Pack | str | None = None) -> Report:
    """Evaluate and store every entity holding a role, on ``as_of``, in one transaction."""
    from ecredit.credit.services import coverage  # services import nothing from here

    if not actor.can(Action.CREDIT_EVALUATE):
        raise DomainError(ErrorCode.FORBIDDEN)
    covered = coverage(as_of, pack)
    started = time.perf_counter()
    # A child process reads the ledger only from a transaction this run opens itself: one opened by
    # a caller may hold writes the child could not see.
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            # Every statement of the run sees the same snapshot of the ledger.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        in_child = outermost and _entity_count() >= CHILD_FROM
        report, now = store_all(covered, as_of, in_child=in_child)
        procedures.warn_after_batch(covered.pack, as_of=as_of, created_at=now)
        report.seconds = time.perf_counter() - started
        grades = report.grades
        audit.record(
            actor=actor,
            action="credit.evaluation.batch",
            target_type="credit.evaluation",
            target_id=f"batch:{as_of.isoformat()}",
            target_repr=f"全部主体 {as_of.isoformat()}",
            changes={
                "as_of": [None, as_of.isoformat()],
                "pack": [None, f"{covered.pack.id}@{covered.pack.sha256[:12]}"],
                "evaluated": [None, report.evaluated],
                "grades": [None, dict(sorted(grades.items()))],
            },
        )
    return report


# --- what-if --------------------------------------------------------------------------------------


@dataclass
class WhatIf:
    as_of: dt.date
    pack_a: Pack
    pack_b: Pack
    extension_note: str
    grades: tuple[str, ...]
    matrix: Counter[tuple[str, str]] = field(default_factory=Counter)
    # (entity id, role, score under A, grade under A, score under B, grade under B)
    changes: list[tuple[int, str, str, str, str, str]] = field(default_factory=list)


def whatif(actor: Actor, as_of: dt.date, pack_b: Pack, pack_a: Pack | str | None = None) -> WhatIf:
    """Evaluate the same ledger under the pack governing ``as_of`` (A) and under ``pack_b``, storing
    nothing: the grade transition matrix and every entity whose grade changes."""
    from ecredit.credit.services import coverage

    if not actor.can(Action.CREDIT_EVALUATE):
        raise DomainError(ErrorCode.FORBIDDEN)
    covered = coverage(as_of, pack_a)
    codes = tuple(grade.code for grade in covered.pack.scale.grades)
    codes += tuple(grade.code for grade in pack_b.scale.grades if grade.code not in codes)
    report = WhatIf(as_of, covered.pack, pack_b, covered.note, codes)
    with transaction.atomic():
        under_a = {
            entity_id: (answer[0], answer[1]) for entity_id, _, answer in evaluate_every(plan(covered.pack, as_of))
        }
        for entity_id, role, answer in evaluate_every(plan(pack_b, as_of)):
            score_a, grade_a = under_a[entity_id]
            report.matrix[grade_a, answer[1]] += 1
            if grade_a != answer[1]:
                report.changes.append((entity_id, role, score_a, grade_a, answer[0], answer[1]))
    return report
