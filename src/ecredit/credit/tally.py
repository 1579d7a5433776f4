"""The batch's arithmetic, pure: a pack compiled for a day, the one aggregate query over the ledger,
and each entity's answer combined from that query's row. No Django and no I/O here, so that the
worker processes that read the ledger (``credit.scan``, started by ``credit.batch``) run it too.

1. **One aggregate query** reads the events through the ledger index alone (entity, indicator, day,
   id) and returns one row per entity: its events joined in one string, each as its indicator code and
   its day. Events older than every cutoff the pack needs are left out (they count for nothing),
   except those of the indicators read day by day and those of indicators the pack does not define
   (reported in ``unknown_indicators``), which come as the bare code. SQLite spends one aggregate step
   per event (several aggregates per row cost several times more, measured), and the index order
   needs no sort.
2. **Per entity, in Python**, each event is mapped to a short token — its code and one character
   saying how old it is, after which of the cutoffs (``engine.months_cutoff(as_of, m)`` for every
   window, full-weight period and clean-record window) — through a table filled once per run, one
   entry per (indicator, day). The few indicators the engine reads day by day (one ended by a later
   event, what ends it, the registration a clean record needs, veto triggers) keep their day. The
   tokens are counted and combined with the engine's arithmetic (half-weights as exact integers,
   caps, the bonus cap in pack order, clamping, the clean record, vetoes), which gives what
   ``engine.evaluate`` gives. Counts repeat across a million entities, so what each (indicator, count
   in the window, count at full weight) earns, with its reason's JSON, is worked out once per run.
3. **What the string cannot decide** — an event and one that ends it on the same day, where the
   ledger's order decides — is answered ``None`` here, and the batch asks the engine itself, as it
   does for entities with a status change (an upheld objection, a granted repair). Both are rare.

What the batch writes per reason is what the engine gives minus the event ids: ``services.explain``
reproduces those exactly for any stored evaluation. That the batch agrees with the engine is tested,
not assumed: ``tests/credit/test_batch.py`` compares both on random ledgers, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import _count_elements  # type: ignore[attr-defined]  # Counter's C loop, without Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ecredit.credit import engine, ledger
from ecredit.policy.model import Indicator, Pack

Number = int | Fraction  # points in half-units: exact integers for packs of whole and half points
# What the batch writes per entity besides the constants of the run:
# (score, grade, veto code, veto JSON or b"", bonus capped as 0 or 1, reasons JSON, unknown indicators
# JSON). "" and 0/1 rather than None and booleans: Python's sqlite3 binds those through a slow path.
# The JSON as UTF-8 bytes, encoded once per piece: a worker pickles, the batch process unpickles and
# the driver binds bytes as they are, where text with Chinese in it is encoded or decoded at each step
# (measured: 12 of the run's CPU seconds). The insert casts them back to text.
Computed = tuple[str, str, str, bytes, int, bytes, bytes]
Row = tuple[Any, ...]

SEP = "\x1f"  # between tokens (no indicator code holds a control character)
DAY = "\x1e"  # between an indicator code and a day
AGE = tuple(chr(1 + n) for n in range(9))  # AGE[k]: the event is later than k of the cutoffs


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
_Earned = tuple[Number, str, int, bool, int, bytes]
# What the tokens carrying a day give: earned, first live registration, spoiled clean records, live
# days per indicator, unknown indicators.
_Details = tuple[list[_Earned], str, int, dict[str, list[str]], set[str]]
TALLY = 20  # a rule's tally packs (events in the window) << TALLY | (events at full weight)
# A token's entry in a role's table, one int: the clean records it spoils (bit mask) << SPOILS | the
# rule's pack order << RULE | what it adds to the rule's tally. 0: the role ignores the indicator.
RULE, SPOILS = 40, 56
ADDS = (1 << RULE) - 1
RULE_BITS = ((1 << (SPOILS - RULE)) - 1) << RULE
IGNORED = 0


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
    # role → token → its entry (see ``SPOILS``); an indicator the role ignores adds nothing
    tokens: dict[str, dict[str, int]]
    valid: dict[str, frozenset[str]]  # role → indicators valid for it (scored, not clean records)
    cleans: dict[str, tuple[_Clean, ...]]
    vetoes: tuple[_Veto, ...]
    grades: tuple[tuple[int, str], ...]  # (min, code), best first
    grade_ranks: dict[str, int]
    triggers: frozenset[str]  # indicators some veto is triggered by
    empty: dict[str, Computed] = field(default_factory=dict)  # role → the answer for an empty ledger
    memo: dict[tuple[str, int, int], tuple[Number, bool]] = field(default_factory=dict)
    texts: dict[tuple[str, Number, bool, int], bytes] = field(default_factory=dict)
    by_order: dict[int, _Rule] = field(default_factory=dict)
    base2: int = 0  # the scale in half-units
    bonus2: int = 0
    floor2: int = 0
    ceiling2: int = 0
    grades2: tuple[tuple[int, str], ...] = ()
    # Worked out once per run: (rule order << RULE) + tally → what it earns (None: no points); a lone
    # token with a day → its details; total half-units → the score as stored.
    earned: dict[int, _Earned | None] = field(default_factory=dict)
    singles: dict[tuple[str, tuple[str, int]], _Details | None] = field(default_factory=dict)
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
    if len(indicators) >= 1 << (SPOILS - RULE):
        raise ValueError(f"policy pack {pack.id}: too many indicators for the batch ({len(indicators)})")
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
    tokens: dict[str, dict[str, int]] = {}
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
        table: dict[str, int] = {}
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
                table[token] = spoils << SPOILS | rules[code].order << RULE | in_window << TALLY | at_full
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
        b"" if outcome.veto is None else json.dumps(outcome.veto, ensure_ascii=False).encode(),
        int(outcome.bonus_capped),
        json.dumps(outcome.reasons, ensure_ascii=False).encode(),
        json.dumps(outcome.unknown_indicators).encode(),
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


def _text(p: Plan, head: str, code: str, units: Number, capped: bool, count: int) -> bytes:
    key = (code, units, capped, count)
    text = p.texts.get(key)
    if text is None:
        text = p.texts[key] = (
            f'{head}"points": {_points(units)!r}, "count": {count}, "cap_applied": {"true" if capped else "false"}}}'
        ).encode()
    return text


def _earned(p: Plan, rule: _Rule, in_window: int, full: int) -> _Earned:
    units, capped = _scored(p, rule, in_window, full)
    return (units, rule.code, rule.order, capped, in_window, _text(p, rule.head, rule.code, units, capped, in_window))


def _tallied(p: Plan, key: int) -> _Earned | None:
    """What a rule earns for a tally, worked out once: ``key`` is (rule order << RULE) + tally."""
    hit = p.earned.get(key, False)
    if hit is False:
        rule = p.by_order[key >> RULE]
        tally = key & ADDS
        found = _earned(p, rule, tally >> TALLY, tally & ((1 << TALLY) - 1))
        hit = p.earned[key] = found if found[0] else None  # a rule giving 0 points is no reason
    return hit  # type: ignore[return-value]


def _details(p: Plan, role: str, odd: list[tuple[str, int]]) -> _Details | None:
    """The tokens carrying a day (and those of indicators the pack does not define): what they earn,
    the earliest live registration, the clean records they spoil, the live days of each indicator
    (for vetoes), the unknown indicators. None when the days cannot decide (see ``combine``)."""
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
            if last_end in found:  # an event and one ending it on the same day: the ledger's order decides
                return None
            found = [day for day in found if day > last_end]
        live[code] = found
        if not found:
            continue
        if code == engine.REGISTRATION:
            registered = found[0]
        window = found if rule.window_cut is None else [day for day in found if day > rule.window_cut]
        if window:
            full = len(window) if rule.full_cut is None else sum(1 for day in window if day > rule.full_cut)
            hit = _tallied(p, (rule.order << RULE) + (len(window) << TALLY) + full)
            if hit is not None:
                earned.append(hit)
        if rule.negative:
            for bit, clean in enumerate(p.cleans[role]):
                if clean.since is None or found[-1] > clean.since:
                    spoiled |= 1 << bit
    return earned, registered, spoiled, live, unknown


def combine(p: Plan, role: str, text: str, tokens: Tokens) -> Computed | None:
    """One entity's answer from its string in the query. Mirrors ``engine.evaluate`` step by step (see
    its docstring for the rules). The hot path maps the events to their entries in the role's table
    and counts them (both in C), and looks up what each indicator's tally earns; a lone token with a
    day (the usual registration) is looked up whole as well. None when an event and one that ends it
    fell on the same day: which came first is the ledger's order, which the string does not carry."""
    memo = p.earned
    counts: dict[int | str, int] = {}
    _count_elements(counts, map(tokens.__getitem__, text.split(SEP)))
    tallies: dict[int, int] = {}
    spoiled = 0  # bit mask of the clean records a live negative event rules out
    odd: list[tuple[str, int]] | None = None  # tokens not in the table: days, unknown indicators
    for entry, n in counts.items():
        if entry.__class__ is str:
            if odd is None:
                odd = [(entry, n)]  # type: ignore[list-item]
            else:
                odd.append((entry, n))  # type: ignore[arg-type]
            continue
        adds = entry & ADDS  # type: ignore[operator]
        if adds:
            base = entry & RULE_BITS  # type: ignore[operator]
            tallies[base] = tallies.get(base, 0) + adds * n
        spoiled |= entry >> SPOILS  # type: ignore[operator]
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
            if key in p.singles:
                details = p.singles[key]
            else:
                details = p.singles[key] = _details(p, role, odd)
        else:
            details = _details(p, role, odd)
        if details is None:
            return None
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

    veto_code, veto_json = "", b""
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
            veto_json = f'{veto.head}"until": "{until.isoformat()}"}}'.encode()
            if veto.rank > p.grade_ranks[grade]:
                grade = veto.grade

    return (
        score,
        grade,
        veto_code,
        veto_json,
        int(bonus_capped),
        b"[" + b", ".join([item[5] for item in earned]) + b"]",
        json.dumps(sorted(unknown)).encode() if unknown else b"[]",
    )


def _head_of(p: Plan, code: str) -> str:
    rule = p.rules.get(code)
    if rule is not None:
        return rule.head
    return next(clean.head for cleans in p.cleans.values() for clean in cleans if clean.code == code)


# --- the one pass over the ledger ----------------------------------------------------------------

EVENTS = "credit_creditevent"  # the tables the pass reads (credit.models, registry.models)
ENTITIES = "registry_entity"
LEDGER_INDEX = "credit_event_ledger"


def ledger_sql(p: Plan, vendor: str, first: int, last: int) -> tuple[str, list[Any]]:
    """The one pass over the events of entities ``first`` … ``last``: a string per entity, in entity
    order. Only our own names and placeholders (``%s``) are pasted in; every value is a parameter."""
    postgres = vendor == "postgresql"
    day = "occurred_on::text" if postgres else "occurred_on"
    # ``+occurred_on``: no column affinity, so SQLite compares the ISO days as plain text.
    column, cast = ("occurred_on", "::date") if postgres else ("+occurred_on", "")
    params: list[Any] = []
    oldest = p.cutoffs[-1] if p.cutoffs else None
    if p.keep_old or oldest is None:
        expression = f"indicator || {day}"
    else:
        details = ", ".join(["%s"] * len(p.detail))
        known = ", ".join(["%s"] * len(p.known))
        expression = (
            f"CASE WHEN {column} > %s{cast} OR indicator IN ({details}) THEN indicator || {day} "
            f"WHEN indicator NOT IN ({known}) THEN %s || indicator END"
        )
        params += [oldest, *p.detail, *sorted(p.known), DAY]
    if postgres:
        sql = (
            f"SELECT entity_id, string_agg({expression}, %s) FROM {EVENTS} "  # noqa: S608
            "WHERE entity_id BETWEEN %s AND %s AND occurred_on <= %s::date GROUP BY entity_id ORDER BY entity_id"
        )
    else:
        # Read through the ledger index alone, in its order: grouping by entity needs no sort.
        sql = (
            f"SELECT entity_id, GROUP_CONCAT({expression}, %s) FROM {EVENTS} INDEXED BY {LEDGER_INDEX} "  # noqa: S608
            "WHERE entity_id BETWEEN %s AND %s AND +occurred_on <= %s GROUP BY entity_id ORDER BY entity_id"
        )
    return sql, [*params, SEP, first, last, p.as_of.isoformat()]


def entities_sql(first: int, last: int) -> tuple[str, list[Any]]:
    """Entities ``first`` … ``last`` holding a role, with their role (``ledger.role_of``), in id order."""
    sql = (
        "SELECT id, CASE WHEN is_seller THEN %s WHEN is_platform THEN %s WHEN is_infrastructure THEN %s END "  # noqa: S608
        f"FROM {ENTITIES} WHERE id BETWEEN %s AND %s AND (is_seller OR is_platform OR is_infrastructure) ORDER BY id"
    )
    return sql, [*ledger.ROLE_PRIORITY, first, last]


class Tokens(dict[str, int | str]):
    """What the query gives per event → what ``combine`` counts, for one role. The query gives the code
    followed by the day (ISO, ten characters), or ``DAY`` followed by the bare code of an old event of
    an indicator the pack does not define. The token is the code and its age character, or, for an
    indicator read day by day, ``code DAY day``; what is counted is the token's entry in the role's
    table, or the token itself when it has none (a day, an unknown indicator). Filled as events are
    met: one entry per (indicator, day) for the whole run."""

    def __init__(self, p: Plan, role: str) -> None:
        super().__init__()
        self.cutoffs = p.cutoffs
        self.detail = frozenset(p.detail)
        self.table = p.tokens[role]

    def __missing__(self, event: str) -> int | str:
        if event.startswith(DAY):
            token = event[1:] + AGE[0]  # older than every cutoff: only to be reported as unknown
        else:
            code, day = event[:-10], event[-10:]
            if code in self.detail:
                token = code + DAY + day
            else:
                token = code + AGE[sum(1 for cutoff in self.cutoffs if day > cutoff)]
        entry = self.table.get(token)
        value = token if entry is None else entry
        self[event] = value
        return value


Answer = tuple[int, str, str, str, str, bytes, int, bytes, bytes]  # (entity id, role, *Computed)


def answers(
    p: Plan,
    entities: Iterable[tuple[int, str]],
    strings: Iterable[tuple[int, str | None]],
    skip: frozenset[int] | set[int],
    exact: list[tuple[int, str]],
) -> Iterator[Answer]:
    """Every entity of ``entities`` (id, role) with its answer, merged with the query's strings (both
    in id order). Entities in ``skip`` are left out, and those the strings cannot decide are appended
    to ``exact`` with their role: the batch asks the engine itself for both."""
    pending = iter(strings)
    current = next(pending, None)
    empty = p.empty
    tokens = {role: Tokens(p, role) for role in ledger.ROLE_PRIORITY}
    for entity_id, role in entities:
        text: str | None = None
        while current is not None and current[0] <= entity_id:
            if current[0] == entity_id:
                text = current[1]
            current = next(pending, None)
        if entity_id in skip:
            continue
        if not text:
            yield (entity_id, role, *empty[role])
            continue
        answer = combine(p, role, text, tokens[role])
        if answer is None:
            exact.append((entity_id, role))
        else:
            yield (entity_id, role, *answer)
