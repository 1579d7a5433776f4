"""The credit engine: every YAML case of the pack, the month arithmetic, and properties of any ledger."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ecredit.credit.engine import EventFact, Result, add_months, evaluate, months_cutoff
from ecredit.policy import model
from tests.credit.packs import event_facts, load_cases, load_pack

PACK = load_pack()
CASES = load_cases(PACK)


def test_it_has_at_least_forty_cases_with_distinct_names() -> None:
    assert len(CASES) >= 40
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_it_answers_the_case(case: model.Case) -> None:
    result = evaluate(PACK, event_facts(case), case.role, case.as_of)
    expect = case.expect
    got: dict[str, object] = {
        "score": result.score,
        "grade": result.grade,
        "reasons": [{"indicator": r.indicator, "points": r.points, "count": r.count} for r in result.reasons],
        "veto": result.veto.code if result.veto else None,
    }
    wanted: dict[str, object] = {
        "score": expect.get("score", result.score),
        "grade": expect.get("grade", result.grade),
        "reasons": expect.get("reasons", got["reasons"]),
        "veto": expect.get("veto"),
    }
    assert got == wanted


# --- Months ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2023, 1, 31), 1, dt.date(2023, 2, 28)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
        (dt.date(2024, 2, 29), 48, dt.date(2028, 2, 29)),
        (dt.date(2023, 8, 31), 12, dt.date(2024, 8, 31)),
        (dt.date(2023, 12, 15), 1, dt.date(2024, 1, 15)),
        (dt.date(2023, 11, 30), 3, dt.date(2024, 2, 29)),
        (dt.date(2024, 3, 31), -1, dt.date(2024, 2, 29)),
        (dt.date(2024, 1, 15), -13, dt.date(2022, 12, 15)),
        (dt.date(2024, 5, 10), 0, dt.date(2024, 5, 10)),
        (dt.date(1900, 1, 31), 1, dt.date(1900, 2, 28)),
        (dt.date(2000, 1, 31), 1, dt.date(2000, 2, 29)),
    ],
)
def test_it_adds_calendar_months_clamping_the_day(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


dates = st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2027, 12, 31))


@given(day=dates, months=st.integers(min_value=0, max_value=48))
def test_it_finds_the_last_day_that_is_months_old(day: dt.date, months: int) -> None:
    cutoff = months_cutoff(day, months)
    assert add_months(cutoff, months) <= day
    assert add_months(cutoff + dt.timedelta(days=1), months) > day


@given(day=dates, other=dates, months=st.integers(min_value=0, max_value=48))
def test_it_never_moves_a_later_day_to_an_earlier_one(day: dt.date, other: dt.date, months: int) -> None:
    if day <= other:
        assert add_months(day, months) <= add_months(other, months)


# --- Details the cases cannot show ----------------------------------------------------------------


def _facts(*rows: tuple[str, dt.date]) -> list[EventFact]:
    return [EventFact(id=number, indicator=code, occurred_on=day) for number, (code, day) in enumerate(rows, start=1)]


def test_it_refuses_an_unknown_role() -> None:
    with pytest.raises(ValueError, match="role"):
        evaluate(PACK, [], "consumer", dt.date(2024, 6, 30))


def test_it_ignores_and_reports_indicators_the_pack_does_not_define() -> None:
    facts = _facts(("filing.current", dt.date(2023, 4, 20)), ("listing.incomplete", dt.date(2024, 1, 5)))
    result = evaluate(PACK, facts, "seller", dt.date(2024, 6, 30))
    assert result.score == 85
    assert result.unknown_indicators == ("listing.incomplete",)


def test_it_grants_the_clean_record_itself_and_ignores_such_events_in_the_ledger() -> None:
    facts = _facts(("filing.current", dt.date(2023, 4, 20)), ("record.clean_24_months", dt.date(2024, 1, 5)))
    result = evaluate(PACK, facts, "seller", dt.date(2024, 6, 30))
    assert [reason.indicator for reason in result.reasons] == ["filing.current"]


def test_it_describes_each_reason_fully() -> None:
    facts = _facts(
        ("filing.current", dt.date(2023, 4, 20)),
        ("quality.sample_failed", dt.date(2023, 9, 1)),
        ("quality.sample_failed", dt.date(2023, 11, 15)),
        ("quality.sample_failed", dt.date(2024, 1, 20)),
        ("quality.sample_failed", dt.date(2024, 4, 2)),
    )
    result = evaluate(PACK, list(reversed(facts)), "seller", dt.date(2024, 6, 30))
    failed, filing = result.reasons
    assert failed.label == "网销商品抽查不合格"
    assert failed.cites == ("5", "10.2", "16.1")
    assert len(failed.article_texts) == 3
    assert failed.event_ids == (2, 3, 4, 5)
    assert failed.cap_applied and failed.public
    assert not filing.cap_applied
    assert (result.pack_id, result.pack_sha256, result.base) == (PACK.id, PACK.sha256, 80)
    assert result.grade_label == "失信"
    assert not result.bonus_capped


def test_it_quotes_the_cited_articles_when_the_pack_has_them() -> None:
    articles = {
        "5": model.Article(ref="5", title="第五条", text="第五条全文", nature="duty"),
        "16.1": model.Article(ref="16.1", title="第十六条第（一）项", text="第十六条第（一）项全文", nature="power"),
    }
    pack = dataclasses.replace(PACK, articles=articles)
    result = evaluate(pack, _facts(("quality.sample_failed", dt.date(2024, 1, 20))), "seller", dt.date(2024, 6, 30))
    assert result.reasons[0].article_texts == ("第五条全文", "", "第十六条第（一）项全文")


def test_it_marks_the_positive_cut_by_the_bonus_cap() -> None:
    facts = _facts(
        ("filing.current", dt.date(2022, 5, 1)),
        ("badge.displayed", dt.date(2024, 3, 1)),
        ("quality.sample_passed", dt.date(2023, 9, 1)),
        ("quality.sample_passed", dt.date(2024, 1, 15)),
        ("quality.sample_passed", dt.date(2024, 6, 1)),
        ("association.pledge", dt.date(2023, 10, 1)),
    )
    result = evaluate(PACK, facts, "seller", dt.date(2024, 8, 1))
    assert result.bonus_capped
    capped = {reason.indicator: reason.cap_applied for reason in result.reasons}
    assert capped == {
        "association.pledge": False,
        "badge.displayed": False,
        "record.clean_24_months": True,
        "filing.current": False,
        "quality.sample_passed": False,
    }


def test_it_says_until_when_the_veto_applies() -> None:
    facts = _facts(
        ("conduct.14_10_pyramid_selling", dt.date(2023, 6, 1)),
        ("enforcement.obstruction", dt.date(2024, 1, 31)),
    )
    result = evaluate(PACK, facts, "seller", dt.date(2024, 6, 30))
    assert result.veto is not None
    assert (result.veto.code, result.veto.grade, result.veto.event_ids) == ("veto.obstruction", "D", (2,))
    assert result.veto.until == dt.date(2027, 1, 30)
    assert result.veto.cites == ("17",)
    lapsed = evaluate(PACK, facts, "seller", dt.date(2027, 1, 31))
    assert lapsed.veto is None


def test_it_keeps_the_score_and_forces_only_the_grade_under_a_veto() -> None:
    facts = _facts(("filing.current", dt.date(2023, 4, 15)), ("enforcement.obstruction", dt.date(2023, 5, 1)))
    result = evaluate(PACK, facts, "seller", dt.date(2024, 6, 30))
    assert (result.score, result.grade, result.grade_label) == (70, "D", "失信")


def test_it_reads_the_rules_of_each_pack_object_it_is_given() -> None:
    facts = _facts(("filing.current", dt.date(2023, 4, 15)), ("returns.refused", dt.date(2024, 2, 1)))
    again = dataclasses.replace(PACK, scale=dataclasses.replace(PACK.scale, base=70))
    assert evaluate(PACK, facts, "seller", dt.date(2024, 6, 30)).score == 80
    assert evaluate(again, facts, "seller", dt.date(2024, 6, 30)).score == 70


# --- Properties of any ledger ---------------------------------------------------------------------

CODES = sorted(PACK.indicators)
POSITIVE = [code for code in CODES if PACK.indicators[code].points > 0]
NON_POSITIVE = [code for code in CODES if PACK.indicators[code].points <= 0]
# Mostly good conduct, with the events that end a filing, block a clean record or veto.
MOSTLY_POSITIVE = [*POSITIVE, "filing.lapsed", "receipts.missing", "enforcement.obstruction"]
GRADE_RANK = {grade.code: rank for rank, grade in enumerate(PACK.scale.grades)}


@dataclasses.dataclass(frozen=True)
class Scenario:
    events: list[EventFact]
    role: str
    as_of: dt.date
    extra: EventFact  # one more event, of an indicator giving no points, numbered after the others


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    as_of = draw(st.dates(min_value=PACK.in_force_from, max_value=PACK.in_force_until))
    spread = draw(st.sampled_from([400, 1200]))  # how far back the events go, in days

    def one(codes: list[str], number: int) -> EventFact:
        occurred = as_of - dt.timedelta(days=draw(st.integers(-30, spread)))
        later = st.dates(min_value=occurred, max_value=as_of + dt.timedelta(days=400))
        return EventFact(
            id=number,
            indicator=draw(st.sampled_from(codes)),
            occurred_on=occurred,
            withdrawn_on=draw(later) if draw(st.integers(0, 5)) == 0 else None,
            repaired_from=draw(later) if draw(st.integers(0, 5)) == 0 else None,
        )

    codes = draw(st.sampled_from([CODES, POSITIVE, MOSTLY_POSITIVE]))
    events = [one(codes, number) for number in range(1, draw(st.integers(0, 40)) + 1)]
    if draw(st.booleans()):  # registered entities are the usual case
        filed = as_of - dt.timedelta(days=draw(st.integers(0, 1500)))
        events.append(EventFact(id=len(events) + 1, indicator="filing.current", occurred_on=filed))
    return Scenario(events, draw(st.sampled_from(model.ROLES)), as_of, one(NON_POSITIVE, len(events) + 1))


def _evaluate(scenario: Scenario, events: list[EventFact] | None = None) -> Result:
    return evaluate(PACK, scenario.events if events is None else events, scenario.role, scenario.as_of)


@settings(max_examples=120)
@given(scenario=scenarios(), seed=st.integers())
def test_it_does_not_depend_on_the_order_of_the_events(scenario: Scenario, seed: int) -> None:
    shuffled = list(scenario.events)
    random.Random(seed).shuffle(shuffled)
    assert _evaluate(scenario, shuffled) == _evaluate(scenario)


@settings(max_examples=120)
@given(scenario=scenarios())
def test_it_scores_the_base_plus_the_reasons_clamped(scenario: Scenario) -> None:
    result = _evaluate(scenario)
    total = result.base + sum(reason.points for reason in result.reasons)
    assert result.score == min(max(total, PACK.scale.floor), PACK.scale.ceiling)
    assert sum(reason.points for reason in result.reasons if reason.points > 0) <= PACK.scale.bonus_cap


@settings(max_examples=120)
@given(scenario=scenarios())
def test_it_orders_reasons_by_points_lost_then_code(scenario: Scenario) -> None:
    reasons = _evaluate(scenario).reasons
    assert [(r.points, r.indicator) for r in reasons] == sorted((r.points, r.indicator) for r in reasons)
    assert all(reason.points != 0 for reason in reasons)
    assert len({reason.indicator for reason in reasons}) == len(reasons)
    assert all(scenario.role in PACK.indicators[reason.indicator].roles for reason in reasons)
    assert all(list(reason.event_ids) == sorted(reason.event_ids) for reason in reasons)


@settings(max_examples=120)
@given(scenario=scenarios())
def test_it_grades_by_the_score_unless_a_veto_makes_it_worse(scenario: Scenario) -> None:
    result = _evaluate(scenario)
    by_score = PACK.scale.grade_for(result.score).code
    if result.veto is None:
        assert result.grade == by_score
    else:
        assert GRADE_RANK[result.grade] == max(GRADE_RANK[by_score], GRADE_RANK[result.veto.grade])
        assert result.veto.until >= scenario.as_of


@settings(max_examples=120)
@given(scenario=scenarios())
def test_it_never_raises_the_score_for_an_added_event_giving_no_points(scenario: Scenario) -> None:
    before = _evaluate(scenario)
    after = _evaluate(scenario, [*scenario.events, scenario.extra])
    assert after.score <= before.score
    assert GRADE_RANK[after.grade] >= GRADE_RANK[before.grade]


@settings(max_examples=120)
@given(scenario=scenarios(), withdrawn=st.booleans())
def test_it_never_lowers_the_score_when_such_an_event_is_withdrawn_or_repaired(
    scenario: Scenario, withdrawn: bool
) -> None:
    assume(scenario.extra.occurred_on <= scenario.as_of)
    counting = dataclasses.replace(scenario.extra, withdrawn_on=None, repaired_from=None)
    if withdrawn:
        removed = dataclasses.replace(counting, withdrawn_on=scenario.as_of)
    else:
        removed = dataclasses.replace(counting, repaired_from=scenario.as_of)
    with_it = _evaluate(scenario, [*scenario.events, counting])
    without = _evaluate(scenario, [*scenario.events, removed])
    assert without.score >= with_it.score
    assert GRADE_RANK[without.grade] <= GRADE_RANK[with_it.grade]


@settings(max_examples=120)
@given(scenario=scenarios(), index=st.integers(min_value=0), days=st.integers(1, 400))
def test_it_reproduces_a_past_date_whatever_is_decided_after_it(scenario: Scenario, index: int, days: int) -> None:
    assume(scenario.events)
    target = scenario.events[index % len(scenario.events)]
    later = scenario.as_of + dt.timedelta(days=days)
    decided = dataclasses.replace(target, withdrawn_on=later, repaired_from=later)
    undecided = dataclasses.replace(target, withdrawn_on=None, repaired_from=None)
    changed = [decided if item is target else item for item in scenario.events]
    original = [undecided if item is target else item for item in scenario.events]
    assert _evaluate(scenario, changed) == _evaluate(scenario, original)
