"""The batch evaluation agrees with the engine on every entity of random ledgers, and stores it all."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import pickle
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecredit.accounts.actors import SYSTEM, Actor
from ecredit.accounts.roles import Role
from ecredit.audit.models import AuditEntry
from ecredit.credit import batch, engine, ledger, scan, tally
from ecredit.credit.engine import months_cutoff
from ecredit.credit.models import Evaluation
from ecredit.credit.services import evaluation_outcome, facts_for, primary_role
from ecredit.errors import DomainError, ErrorCode
from ecredit.policy.model import Indicator, Pack
from ecredit.policy.packs import load_pack
from tests.credit.helpers import make_entity, write_ledger

PACK = load_pack("nanan-2023-trial")
ROLES = ("seller", "platform", "infrastructure")
RETIRED = "legacy.retired_indicator"  # a code an older pack defined
CODES = (*sorted(PACK.indicators), RETIRED)
# Indicators with their own rules in the engine: the registration and what ends it, positives under
# the bonus cap, veto triggers, and the ones no role or every role has.
FOCUS = (
    "filing.current",
    "filing.lapsed",
    "quality.sample_passed",
    "badge.displayed",
    "association.pledge",
    "quality.training",
    "record.clean_24_months",
    "quality.sample_failed",
    "conduct.14_10_pyramid_selling",
    "enforcement.obstruction",
    "enforcement.website_closed",
    "platform.seller_unverified",
    "infrastructure.user_unverified",
    RETIRED,
)
# Ends of months, leap days, the pack's first and last day.
TRICKY = tuple(
    dt.date.fromisoformat(day)
    for day in ("2023-03-31", "2024-02-29", "2024-03-31", "2024-02-28", "2023-12-31", "2024-08-31", "2025-03-30")
)
WINDOWS = (1, 12, 24, 36)


def _variant(pack: Pack, name: str, change: Callable[[Indicator], Indicator]) -> Pack:
    return dataclasses.replace(
        pack,
        indicators={code: change(indicator) for code, indicator in pack.indicators.items()},
        sha256=f"{name}-{pack.sha256[:8]}",
    )


# The same ledger under other scales: half points, and uneven points without caps, windows longer
# than their full-weight period or none at all (exact fractions, not half-units).
HALVES = _variant(PACK, "halves", lambda i: dataclasses.replace(i, points=i.points * 1.5))
UNEVEN = _variant(
    PACK,
    "uneven",
    lambda i: dataclasses.replace(
        i,
        points=i.points * 0.3,
        cap=None if len(i.code) % 3 == 0 else i.cap,
        window_months=None if len(i.code) % 4 == 0 else i.window_months,
        full_weight_months=6 if i.full_weight_months == 12 else i.full_weight_months,
    ),
)


VARIANTS = {"nanan-2023-trial": PACK, "halves": HALVES, "uneven": UNEVEN}


@dataclasses.dataclass
class Ledger:
    as_of: dt.date
    pack_name: str
    entities: list[tuple[tuple[str, ...], list[tuple[str, dt.date]], list[tuple[int, str, dt.date]]]]


@st.composite
def ledgers(draw: st.DrawFn) -> Ledger:
    as_of = draw(
        st.one_of(st.sampled_from(TRICKY), st.dates(min_value=PACK.in_force_from, max_value=PACK.in_force_until))
    )
    edges = [months_cutoff(as_of, m) + dt.timedelta(days=d) for m in WINDOWS for d in (0, 1)]
    day = st.one_of(
        st.sampled_from(edges),
        st.integers(min_value=-40, max_value=1900).map(lambda back: as_of - dt.timedelta(days=back)),
    )
    code = st.one_of(st.sampled_from(FOCUS), st.sampled_from(CODES))
    entities = []
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        roles = tuple(sorted(draw(st.sets(st.sampled_from(ROLES), min_size=1, max_size=3))))
        events = draw(st.lists(st.tuples(code, day), max_size=14))
        statuses: list[tuple[int, str, dt.date]] = []
        if events and draw(st.integers(0, 3)) == 0:
            statuses = draw(
                st.lists(
                    st.tuples(
                        st.integers(0, len(events) - 1), st.sampled_from(("withdrawn", "repaired", "active")), day
                    ),
                    max_size=3,
                )
            )
        entities.append((roles, events, statuses))
    return Ledger(as_of, draw(st.sampled_from(("nanan-2023-trial", "nanan-2023-trial", "halves", "uneven"))), entities)


def _expected(pack: Pack, entity_pk: int, role: str, as_of: dt.date) -> ledger.Outcome:
    from ecredit.registry.models import Entity

    entity = Entity.objects.get(pk=entity_pk)
    return ledger.outcome(engine.evaluate(pack, facts_for(entity, as_of), role, as_of))


def _check(case: Ledger) -> None:
    """Write the ledger, run the batch, compare every stored row with the engine; leave nothing behind."""
    with transaction.atomic():
        made = []
        for roles, events, statuses in case.entities:
            entity = make_entity(*roles)
            write_ledger(entity, events, statuses)
            made.append(entity)
        pack = VARIANTS[case.pack_name]
        report = batch.evaluate_all(SYSTEM, case.as_of, pack)
        assert report.evaluated == len(made)
        for entity in made:
            stored = list(Evaluation.objects.filter(entity=entity))
            role = primary_role(entity)
            assert role is not None
            assert len(stored) == 1 and stored[0].batch
            assert evaluation_outcome(stored[0]) == _expected(pack, entity.pk, role, case.as_of)
        transaction.set_rollback(True)


@pytest.mark.django_db
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=ledgers())
def test_it_agrees_with_the_engine_on_every_entity(case: Ledger) -> None:
    _check(case)


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _edges(as_of: str) -> list[tuple[str, ...]]:
    """Each boundary the batch computes differently from the engine, on both of its sides."""
    day = _day(as_of)
    cut = {m: months_cutoff(day, m) for m in WINDOWS}
    one = dt.timedelta(days=1)
    return [
        # The registration exactly as long ago as the clean record's window, or a day less.
        ("filing.current", cut[24].isoformat()),
        ("filing.current", (cut[24] + one).isoformat()),
        # A failed inspection on the last day its window still excludes it, and the first it counts.
        ("quality.sample_failed", cut[24].isoformat()),
        ("quality.sample_failed", (cut[24] + one).isoformat()),
        # Full weight ends.
        ("returns.refused", cut[12].isoformat()),
        ("returns.refused", (cut[12] + one).isoformat()),
        # A negative event read day by day (a veto trigger) on the clean record's edges.
        ("enforcement.website_closed", cut[24].isoformat()),
        ("enforcement.website_closed", (cut[24] + one).isoformat()),
        # A veto trigger on the veto window's edges.
        ("enforcement.obstruction", cut[36].isoformat()),
        ("conduct.14_10_pyramid_selling", (cut[36] + one).isoformat()),
    ]


EDGE_DAYS = ("2024-02-29", "2024-03-31", "2024-06-30", "2023-12-31")


@pytest.mark.django_db
@pytest.mark.parametrize("as_of", EDGE_DAYS)
def test_it_agrees_with_the_engine_on_every_boundary(as_of: str) -> None:
    day = _day(as_of)
    edges = _edges(as_of)
    entities = []
    for index, event in enumerate(edges):
        code, occurred = event
        registered = [("filing.current", "2015-01-01")] if code != "filing.current" else []
        entities.append((("seller",), [(code, _day(occurred)), *[(c, _day(d)) for c, d in registered]], []))
        if index % 2 == 0:  # the pair of the same indicator together, and with a lapse on the same day
            pair = [(c, _day(d)) for c, d in edges[index : index + 2]]
            entities.append((("seller", "platform"), [*pair, ("filing.lapsed", pair[0][1])], []))
    # A filing lapsed and filed again on the same day, and filed again later.
    lapse = months_cutoff(day, 30)
    entities.append((("platform",), [("filing.current", lapse), ("filing.lapsed", lapse)], []))
    entities.append(
        (
            ("infrastructure",),
            [
                ("filing.current", _day("2016-05-31")),
                ("filing.lapsed", lapse),
                ("filing.current", lapse + dt.timedelta(days=3)),
            ],
            [],
        )
    )
    for pack_name in VARIANTS:
        _check(Ledger(day, pack_name, entities))


@pytest.mark.django_db(transaction=True)
def test_it_reads_the_ledger_in_worker_processes_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    """A large run reads the ledger in worker processes (``credit.scan``), which see only committed
    rows: here the data is committed first and the run opens its own transaction. An entity with a
    status change, and one whose filing lapsed the day it was approved, are left to the engine."""
    monkeypatch.setattr(batch, "WORKERS_FROM", 0)
    monkeypatch.setattr(batch, "WORKERS", 2)
    day = dt.date(2024, 6, 30)
    made = []
    for roles, events, statuses in (
        (("seller",), [("filing.current", dt.date(2021, 1, 4)), ("quality.sample_failed", dt.date(2024, 5, 2))], []),
        (("platform",), [("platform.seller_unverified", dt.date(2023, 2, 1)), (RETIRED, dt.date(2019, 1, 1))], []),
        (("seller", "platform"), [("enforcement.obstruction", dt.date(2023, 7, 7))], []),
        (("infrastructure",), [], []),
        (("seller",), [("returns.refused", dt.date(2024, 5, 1))], [(0, "withdrawn", dt.date(2024, 6, 1))]),
        (("seller",), [("filing.lapsed", dt.date(2022, 3, 1)), ("filing.current", dt.date(2022, 3, 1))], []),
    ):
        entity = make_entity(*roles)
        write_ledger(entity, events, statuses)
        made.append(entity)
    spawned: list[int] = []
    real = batch._in_workers
    monkeypatch.setattr(batch, "_in_workers", lambda *args: spawned.append(args[5]) or real(*args))
    report = batch.evaluate_all(SYSTEM, day)
    assert spawned == [2] and report.evaluated == len(made) and report.workers == 2
    for entity in made:
        role = primary_role(entity)
        assert role is not None
        stored = Evaluation.objects.get(entity=entity)
        assert evaluation_outcome(stored) == _expected(PACK, entity.pk, role, day)
    assert Evaluation.objects.get(entity=made[2]).veto_code == "veto.obstruction"
    assert [r["indicator"] for r in Evaluation.objects.get(entity=made[4]).reasons] == []
    # Approved after the lapse on the same day (recorded later): the filing counts.
    assert "filing.current" in [r["indicator"] for r in Evaluation.objects.get(entity=made[5]).reasons]


def test_it_says_why_a_worker_failed() -> None:
    sent: list[object] = []
    job = {
        "database": {"vendor": "sqlite", "name": "/nonexistent/x.db"},
        "plan": batch.plan(PACK, dt.date(2024, 6, 30)),
        "first": 1,
        "last": 10,
        "skip": set(),
        "snapshot": "",
    }
    assert scan.main(io.BytesIO(pickle.dumps(job)), Sink(sent)) == 1
    assert len(sent) == 1 and isinstance(sent[0], str) and sent[0].startswith("OperationalError: unable to open")


class Sink(io.BytesIO):
    """Collects what a worker sends: each message pickled after its length."""

    def __init__(self, sent: list[object]) -> None:
        super().__init__()
        self.sent = sent

    def flush(self) -> None:
        data = self.getvalue()
        while data:
            size = int.from_bytes(data[:8], "little")
            self.sent.append(pickle.loads(data[8 : 8 + size]))  # noqa: S301 -- bytes this test wrote
            data = data[8 + size :]


def _run(day: dt.date, pack: Pack | None = None) -> list[Evaluation]:
    batch.evaluate_all(SYSTEM, day, pack)
    return list(Evaluation.objects.filter(as_of=day).order_by("entity_id"))


@pytest.mark.django_db
def test_it_evaluates_the_combined_path_the_exact_path_and_the_empty_ledger_alike() -> None:
    day = dt.date(2024, 6, 30)
    plain = make_entity("seller")
    write_ledger(
        plain,
        [
            ("quality.sample_failed", dt.date(2024, 1, 5)),
            ("quality.sample_failed", dt.date(2023, 3, 1)),  # half weight
            ("filing.current", dt.date(2021, 5, 1)),
            ("conduct.14_10_pyramid_selling", dt.date(2022, 9, 1)),  # veto
            ("quality.sample_passed", dt.date(2024, 2, 1)),
        ],
    )
    corrected = make_entity("platform")
    write_ledger(
        corrected,
        [("platform.seller_unverified", dt.date(2024, 3, 1)), ("filing.current", dt.date(2020, 1, 1))],
        [(0, "withdrawn", dt.date(2024, 4, 1))],
    )
    empty = make_entity("infrastructure")
    rows = {row.entity_id: row for row in _run(day)}
    assert set(rows) == {plain.pk, corrected.pk, empty.pk}
    for entity in (plain, corrected, empty):
        role = primary_role(entity)
        assert role is not None
        assert evaluation_outcome(rows[entity.pk]) == _expected(PACK, entity.pk, role, day)
    assert rows[plain.pk].veto_code == "veto.pyramid_selling" and rows[plain.pk].grade == "D"
    assert [r["indicator"] for r in rows[corrected.pk].reasons] == ["filing.current", "record.clean_24_months"]
    assert rows[empty.pk].score == 80 and rows[empty.pk].reasons == []


@pytest.mark.django_db
def test_it_writes_several_evaluations_per_statement_and_the_rest_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Answers go in statements of ``ROWS_PER_INSERT`` rows, the chunk's remainder one row at a time:
    eight entities in statements of three are two of three and two of one, each row its own entity's."""
    monkeypatch.setattr(batch, "ROWS_PER_INSERT", 3)
    day = dt.date(2024, 6, 30)
    made = []
    for n in range(8):
        entity = make_entity(("seller", "platform", "infrastructure")[n % 3])
        events = [("filing.current", dt.date(2020 + n % 4, 1, 1 + n))]
        events += [("returns.refused", dt.date(2024, 1, 1 + k)) for k in range(n % 4)]
        if n % 2:
            events.append(("quality.training", dt.date(2024, 3, n)))
        write_ledger(entity, events)
        made.append(entity)
    rows = {row.entity_id: row for row in _run(day)}
    assert set(rows) == {entity.pk for entity in made}
    for entity in made:
        role = primary_role(entity)
        assert role is not None
        assert evaluation_outcome(rows[entity.pk]) == _expected(PACK, entity.pk, role, day)
    assert len({(row.score, row.grade, len(row.reasons)) for row in rows.values()}) >= 4


@pytest.mark.django_db
def test_it_stores_each_run_with_the_pack_and_writes_one_audit_entry() -> None:
    entity = make_entity("seller")
    write_ledger(entity, [("returns.refused", dt.date(2024, 5, 1))])
    before = AuditEntry.objects.count()
    report = batch.evaluate_all(SYSTEM, dt.date(2024, 6, 30))
    assert report.evaluated == 1 and report.grades == {"B": 1}
    assert "已评价 1 个主体" in report.summary()
    row = Evaluation.objects.get(entity=entity)
    assert (row.pack_id, row.pack_sha256, row.base, row.extension_note) == (PACK.id, PACK.sha256, 80, "")
    assert row.batch and str(row.score) == "75.0"
    entries = list(AuditEntry.objects.order_by("seq")[before:])
    assert [e.action for e in entries] == ["credit.evaluation.batch"]
    assert entries[0].changes["evaluated"] == [None, 1]


@pytest.mark.django_db
def test_it_writes_the_runs_constants_and_its_json_as_text_whatever_the_extension_says() -> None:
    """The run's constants go into the insert as literals the database quotes itself, and the JSON
    comes as bytes cast to text: an extension's reason with quotes and a backslash is stored as it
    is, and the reasons are text (SQLite) or jsonb (PostgreSQL) that SQL can read."""
    from ecredit.policy import services as policy

    policy.record_extension(SYSTEM, PACK.id, until=dt.date(2026, 12, 31), reason="O'Brien 说：'); DROP TABLE x; --\\")
    entity = make_entity("seller")
    write_ledger(entity, [("returns.refused", dt.date(2025, 10, 1)), ("filing.current", dt.date(2020, 1, 1))])
    day = dt.date(2026, 3, 31)
    note = policy.coverage_for(PACK, day).note
    report = batch.evaluate_all(SYSTEM, day)
    row = Evaluation.objects.get(entity=entity)
    assert note and row.extension_note == note == report.extension_note
    assert "O'Brien 说：'); DROP TABLE x; --\\" in row.extension_note
    assert (row.as_of, row.pack_sha256, row.batch) == (day, PACK.sha256, True)
    assert evaluation_outcome(row) == _expected(PACK, entity.pk, "seller", day)
    kind = "typeof" if connection.vendor == "sqlite" else "jsonb_typeof"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {kind}(reasons), {kind}(unknown_indicators) FROM credit_evaluation")  # noqa: S608
        assert cursor.fetchall() == [("text", "text") if kind == "typeof" else ("array", "array")]


@pytest.mark.django_db
def test_it_reads_the_ledger_through_its_index_alone() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's plan; PostgreSQL chooses its own")
    sql, params = tally.ledger_sql(batch.plan(PACK, dt.date(2024, 6, 30)), "sqlite", 1, 10**9)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "COVERING INDEX credit_event_ledger" in plan
    assert "TEMP B-TREE" not in plan  # no sort: the index order is the grouping order


@pytest.mark.django_db
def test_it_refuses_someone_who_may_not_evaluate() -> None:
    inspector = Actor(label="检查员", user_id=9, roles=frozenset({Role.INSPECTOR}))
    with pytest.raises(DomainError) as refused:
        batch.evaluate_all(inspector, dt.date(2024, 6, 30))
    assert refused.value.code == ErrorCode.FORBIDDEN
    assert not Evaluation.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_day_outside_the_pack_without_an_extension() -> None:
    make_entity("seller")
    with pytest.raises(DomainError) as refused:
        batch.evaluate_all(SYSTEM, dt.date(2026, 11, 28))
    assert refused.value.code == ErrorCode.CONFLICT
    assert "超出政策包有效期" in refused.value.message
    assert not Evaluation.objects.exists()


@pytest.mark.django_db
def test_it_compares_two_packs_on_the_same_ledger_without_storing() -> None:
    day = dt.date(2024, 6, 30)
    harsh = _variant(PACK, "harsh", lambda i: dataclasses.replace(i, points=i.points * 3 if i.points < 0 else i.points))
    steady = make_entity("seller")
    write_ledger(steady, [("filing.current", dt.date(2020, 1, 1))])
    slipping = make_entity("seller")
    write_ledger(slipping, [("returns.refused", dt.date(2024, 5, 1)), ("receipts.missing", dt.date(2024, 5, 2))])
    report = batch.whatif(SYSTEM, day, harsh)
    assert report.grades == ("A", "B", "C", "D")
    assert sum(report.matrix.values()) == 2
    assert report.matrix["A", "A"] == 1  # 80 + 5 (filing) + 5 (clean record)
    assert report.matrix["C", "D"] == 1  # 80 − 5 − 2 = 73 → 80 − 15 − 6 = 59
    assert report.changes == [(slipping.pk, "seller", "73.0", "C", "59.0", "D")]
    assert not Evaluation.objects.exists()
