"""How fast every entity's credit is evaluated at once, against one bare scan of the events table.

Configures Django on a fresh SQLite database in a temporary directory (never ``./var`` and never
``DATABASE_URL``) and migrates it — or, when ``ECREDIT_BENCH_DATABASE_URL`` is set, on that
PostgreSQL database instead, which must be a throw-away one, e.g.
``scripts/with-postgres.sh sh -c 'ECREDIT_BENCH_DATABASE_URL=$DATABASE_URL .venv/bin/python bench/run.py credit_batch'``.

It builds the ledger the issue fixes, with raw ``executemany`` (``COPY`` on PostgreSQL) and the ledger
index built once after the load: 1,000,000 entities (mostly sellers; some platforms and
infrastructure providers, some with two roles) and about 20,000,000 events over the five years up to
the last day of the pack's period, about 20 per entity spread over at most 8 indicators — a filing
(for some, lapsed and filed again), passed and failed inspections, complaints, training, breaches of
the sellers' duties, rarely a penalty or a vetoed conduct — and, for one entity in 500, an upheld
objection or a granted repair. Building takes a few minutes; only the evaluation is timed.
``ECREDIT_BENCH_CREDIT_ENTITIES`` shrinks it for a quick look (the ratio is meant at full size).

Timed: ``ecredit.credit.batch.evaluate_all`` on that day — the one aggregate pass over the events and
the per-entity arithmetic (in worker processes, one per core), the engine's own path for entities
with status changes, and writing 1,000,000 evaluations with their reasons in one transaction. The reference, timed in the same run and
interleaved with it, is ``SELECT count(*), sum(entity_id) FROM credit_creditevent`` — reading every
event once (SQLite answers it from the narrowest index holding ``entity_id``, the ledger index, so it
is the floor of the batch's own read; the same query on a column only the table holds is printed too).
Each side keeps its best of two runs; the evaluations of a run are removed before the next.

Also printed: the peak resident memory of the process and of its workers (target under 2 GiB
together), the time the warnings of the run took (set apart from the ratio), a check that stored
evaluations agree with the single-entity engine on a sample, and the median time of evaluating one
entity with 500 events, reasons included (target under 10 ms).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from timing import result_line, timed

ENTITIES = int(os.environ.get("ECREDIT_BENCH_CREDIT_ENTITIES", "1000000"))
REPEATS = 2
SEED = 2025
AS_OF = dt.date(2025, 3, 30)  # the last day of nanan-2023-trial's period (Art. 25)
DAYS = 5 * 365 + 1
BUILD_CHUNK = 50_000
SINGLE_EVENTS = 500
SINGLE_RUNS = 31
SAMPLE = 300

# (indicator, weight, events when chosen: low, high)
SELLER_POOL = [
    ("complaint.unresolved", 30, 1, 6),
    ("quality.sample_passed", 25, 1, 4),
    ("quality.training", 15, 1, 3),
    ("badge.displayed", 15, 1, 2),
    ("association.pledge", 8, 1, 2),
    ("listing.disclosure_missing", 14, 1, 4),
    ("returns.refused", 12, 1, 4),
    ("receipts.missing", 10, 1, 3),
    ("quality.sample_failed", 10, 1, 3),
    ("terms.unfair", 6, 1, 2),
    ("listing.false_information", 5, 1, 2),
    ("platform.spam", 4, 1, 2),
    ("duty.other_breach", 4, 1, 2),
    ("conduct.14_5_false_advertising", 3, 1, 2),
    ("enforcement.penalty_light", 3, 1, 2),
    ("enforcement.penalty", 1.5, 1, 2),
    ("conduct.14_9_counterfeit_goods", 0.8, 1, 2),
    ("goods.prohibited_or_unlicensed", 0.8, 1, 2),
    ("enforcement.untruthful_statement", 0.5, 1, 1),
    ("conduct.14_10_pyramid_selling", 0.05, 1, 1),
    ("enforcement.obstruction", 0.05, 1, 1),
]
PLATFORM_POOL = [
    ("complaint.unresolved", 30, 2, 8),
    ("quality.sample_passed", 20, 1, 4),
    ("quality.training", 10, 1, 3),
    ("badge.displayed", 10, 1, 2),
    ("platform.rules_missing", 8, 1, 2),
    ("platform.seller_unverified", 10, 1, 3),
    ("records.not_retained", 6, 1, 2),
    ("dispute.no_cooperation", 6, 1, 2),
    ("platform.ip_infringement_tolerated", 5, 1, 2),
    ("terms.unfair", 5, 1, 2),
    ("enforcement.suspension_ignored", 1, 1, 1),
    ("enforcement.penalty", 1, 1, 2),
]
INFRASTRUCTURE_POOL = [
    ("quality.training", 20, 1, 3),
    ("association.pledge", 10, 1, 2),
    ("infrastructure.user_unverified", 15, 1, 4),
    ("records.not_retained", 10, 1, 3),
    ("dispute.no_cooperation", 10, 1, 3),
    ("privacy.consumer_data_misused", 6, 1, 2),
    ("conduct.14_8_malware_ads", 3, 1, 2),
    ("enforcement.suspension_ignored", 2, 1, 1),
    ("duty.other_breach", 6, 1, 3),
]
SOURCES = {
    "complaint": ("complaint", "投诉"),
    "quality": ("inspection", "抽查"),
    "filing": ("filing", "备案"),
    "enforcement": ("case", "案件"),
    "conduct": ("case", "案件"),
    "association": ("association", "协会"),
}


def configure(var_dir: Path) -> str:
    os.environ["DJANGO_SETTINGS_MODULE"] = "ecredit.settings"
    os.environ["ECREDIT_VAR_DIR"] = str(var_dir)
    os.environ["ECREDIT_PROFILE"] = "development"
    os.environ["DEBUG"] = "false"  # with DEBUG on, Django keeps every query in memory
    bench_url = os.environ.get("ECREDIT_BENCH_DATABASE_URL", "")
    if bench_url:
        os.environ["DATABASE_URL"] = bench_url  # a throw-away database the caller started for this
    else:
        os.environ.pop("DATABASE_URL", None)  # a benchmark never writes to a real database
    import django

    django.setup()

    from django.conf import settings

    database = settings.DATABASES["default"]
    if not bench_url:
        assert database["ENGINE"] == "django.db.backends.sqlite3", database["ENGINE"]
        assert Path(database["NAME"]).parent == var_dir, database["NAME"]
    return "postgresql" if "postgresql" in database["ENGINE"] else "sqlite"


def _pools() -> dict[str, tuple[list[tuple[str, int, int]], list[float]]]:
    pools = {}
    for role, pool in (("seller", SELLER_POOL), ("platform", PLATFORM_POOL), ("infrastructure", INFRASTRUCTURE_POOL)):
        pools[role] = ([(code, low, high) for code, _, low, high in pool], [weight for _, weight, _, _ in pool])
    return pools


def entity_rows(columns: list[str], count: int) -> Iterator[tuple[Any, ...]]:
    """``registry_entity`` rows: mostly sellers, a few platforms and infrastructure providers."""
    now = "2025-01-01 00:00:00"
    for n in range(1, count + 1):
        shape = n % 100
        seller, platform, infrastructure = shape < 95, 90 <= shape < 98, shape >= 98
        values = {
            "id": n,
            "name": f"南安市示例电子商务有限公司{n}",
            "name_key": f"南安市示例电子商务有限公司{n}",
            "kind": "legal_person",
            "is_seller": seller,
            "is_platform": platform,
            "is_infrastructure": infrastructure,
            "uscc": f"91350583{n:09d}X",
            "uscc_override_reason": "",
            "uscc_override_by": "",
            "division_code": "350583",
            "in_jurisdiction": True,
            "resident_id": "",
            "resident_id_digest": None,
            "resident_id_masked": "",
            "address": f"福建省泉州市南安市溪美街道工业路{n % 500 + 1}号",
            "sells_permit_goods": False,
            "trades_in_enterprise_name": False,
            "industry": "水暖卫浴",
            "township": "溪美街道",
            "organisation_id": None,
            "created_at": now,
            "updated_at": now,
        }
        yield tuple(values[name] for name in columns)


def event_rows(count: int, pack: Any) -> Iterator[tuple[Any, ...]]:
    """About 20 events per entity over at most 8 indicators, in five years up to ``AS_OF``."""
    rng = random.Random(SEED)
    first = AS_OF - dt.timedelta(days=DAYS - 1)
    days = [(first + dt.timedelta(days=i)).isoformat() for i in range(DAYS)]
    pools = _pools()
    cites = {code: json.dumps(list(indicator.cites)) for code, indicator in pack.indicators.items()}
    source_of = {code: SOURCES.get(code.split(".")[0], ("manual", "人工")) for code in pack.indicators}
    serial = 0
    for n in range(1, count + 1):
        shape = n % 100
        role = "seller" if shape < 95 else "platform" if shape < 98 else "infrastructure"
        codes, weights = pools[role]
        want = rng.randint(10, 30)
        picked: dict[str, int] = {}
        while len(picked) < 6:
            code, low, high = rng.choices(codes, weights)[0]
            picked[code] = picked.get(code, 0) + rng.randint(low, high)
        total = sum(picked.values())
        chosen = list(picked.items())
        # Scale to about ``want`` events, keeping every chosen indicator.
        plan = [(code, max(1, round(k * (want - 2) / total))) for code, k in chosen]
        filed = rng.randrange(DAYS // 2)
        plan_days: list[tuple[str, int]] = [("filing.current", filed)]
        if n % 33 == 0:  # lapsed, and filed again for most
            lapse = rng.randrange(filed + 1, DAYS)
            plan_days.append(("filing.lapsed", lapse))
            if n % 2 == 0 and lapse + 1 < DAYS:
                plan_days.append(("filing.current", rng.randrange(lapse + 1, DAYS)))
        for code, k in plan:
            plan_days.extend((code, rng.randrange(DAYS)) for _ in range(k))
        for code, day_index in plan_days:
            serial += 1
            kind, label = source_of[code]
            day = days[day_index]
            manual = kind == "manual"
            yield (
                n,
                code,
                day,
                f"{day} 10:00:00",
                kind,
                f"{label}-{serial}",
                "执法文书及证据材料" if manual else "",
                "经核查属实" if manual else "",
                cites[code],
                f"系统（{label}）",
                None,
            )


def chunks(rows: Iterator[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


EVENT_COLUMNS = [
    "entity_id",
    "indicator",
    "occurred_on",
    "recorded_at",
    "source_kind",
    "source_ref",
    "evidence",
    "reason",
    "cites",
    "recorded_by",
    "recorded_by_user_id",
]


def load(vendor: str, table: str, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> int:
    from django.db import connection, transaction

    written = 0
    if vendor == "postgresql":
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
                written += 1
        return written
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    for chunk in chunks(rows, BUILD_CHUNK):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, chunk)
        written += len(chunk)
    return written


def build(vendor: str) -> tuple[int, int]:
    from django.db import connection

    from ecredit.credit.models import CreditEvent
    from ecredit.policy.packs import load_pack

    pack = load_pack("nanan-2023-trial")
    with connection.cursor() as cursor:
        entity_columns = [c.name for c in connection.introspection.get_table_description(cursor, "registry_entity")]
        if vendor == "sqlite":
            cursor.execute("PRAGMA journal_mode=OFF")  # building only; put back before timing
            cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("DROP INDEX credit_event_ledger")
    entities = load(vendor, "registry_entity", entity_columns, entity_rows(entity_columns, ENTITIES))
    events = load(vendor, CreditEvent._meta.db_table, EVENT_COLUMNS, event_rows(ENTITIES, pack))
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute("CREATE INDEX credit_event_ledger ON credit_creditevent (entity_id, indicator, occurred_on, id)")
        print(f"  ledger index built in {time.perf_counter() - started:.0f} s", flush=True)
        # An upheld objection or a granted repair for one entity in 500.
        cursor.execute(
            "SELECT min(id), entity_id FROM credit_creditevent WHERE entity_id % 500 = 7 "
            "AND indicator IN ('complaint.unresolved', 'quality.sample_failed', 'returns.refused') GROUP BY entity_id"
        )
        targets = cursor.fetchall()
        cursor.executemany(
            "INSERT INTO credit_eventstatus (event_id, status, effective_on, reason, source_ref, decided_by, "
            "decided_by_user_id, created_at) VALUES (%s, %s, %s, %s, '', '王丽华（credit）', 2, %s)",
            [
                (
                    event_id,
                    "withdrawn" if entity_id % 1000 == 7 else "repaired",
                    "2025-01-15",
                    "异议成立" if entity_id % 1000 == 7 else "已整改，准予修复",
                    connection.ops.adapt_datetimefield_value(dt.datetime(2025, 1, 15, 2, tzinfo=dt.UTC)),
                )
                for event_id, entity_id in targets
            ],
        )
        if vendor == "sqlite":
            cursor.execute("PRAGMA journal_mode=DELETE")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("ANALYZE")
        else:
            cursor.execute("VACUUM ANALYZE credit_creditevent")
            cursor.execute("ANALYZE")
    return entities, events


def single_entity(vendor: str) -> tuple[float, float]:
    """Median milliseconds to evaluate one entity with 500 events (with reasons), through the service
    and through the engine alone."""
    from ecredit.accounts.actors import Actor
    from ecredit.accounts.roles import Role
    from ecredit.credit import engine, services
    from ecredit.credit.models import CreditEvent
    from ecredit.policy.packs import load_pack
    from ecredit.registry.models import Entity

    pack = load_pack("nanan-2023-trial")
    entity = Entity.objects.get(pk=1)
    existing = CreditEvent.objects.filter(entity=entity).count()
    rng = random.Random(SEED + 1)
    codes = [code for code, *_ in SELLER_POOL]
    rows = [
        (
            entity.pk,
            rng.choice(codes),
            (AS_OF - dt.timedelta(days=rng.randrange(DAYS))).isoformat(),
            "2025-03-30 10:00:00",
            "inspection",
            f"单体-{i}",
            "",
            "",
            "[]",
            "系统",
            None,
        )
        for i in range(SINGLE_EVENTS - existing)
    ]
    load(vendor, CreditEvent._meta.db_table, EVENT_COLUMNS, iter(rows))
    assert CreditEvent.objects.filter(entity=entity).count() == SINGLE_EVENTS
    officer = Actor(label="王丽华（credit）", user_id=2, roles=frozenset({Role.CREDIT_OFFICER}))
    service_times, engine_times = [], []
    facts = services.facts_for(entity, AS_OF)
    for _ in range(SINGLE_RUNS):
        service_times.append(timed(lambda: services.evaluate_entity(officer, entity, AS_OF, store=False)))
        engine_times.append(timed(lambda: engine.evaluate(pack, facts, "seller", AS_OF)))
    evaluation = services.evaluate_entity(officer, entity, AS_OF, store=False)
    assert sum(reason["count"] for reason in evaluation.reasons) > 50
    return statistics.median(service_times) * 1000, statistics.median(engine_times) * 1000


def run(var_dir: Path) -> str:
    vendor = configure(var_dir)

    from django.core.management import call_command
    from django.db import connection

    from ecredit.accounts.actors import cli_actor
    from ecredit.credit import batch, engine, ledger, procedures, services
    from ecredit.credit.models import Evaluation, Warning
    from ecredit.policy.packs import load_pack
    from ecredit.registry.models import Entity

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    entities, events = build(vendor)
    print(
        f"  {vendor}: {entities} entities, {events} events built in {time.perf_counter() - started:.0f} s", flush=True
    )

    reference_sql = "SELECT count(*), sum(entity_id) FROM credit_creditevent"
    table_sql = "SELECT count(*), sum(recorded_by_user_id) FROM credit_creditevent"
    scanned: list[Any] = []

    def scan(sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            scanned.append(cursor.fetchone())

    # evaluate_all also raises the warnings a batch run brings (credit.procedures, another issue's
    # work, in the same transaction); the target is about the evaluation and its writing, so the
    # hook's own time is measured and set apart.
    hook = procedures.warn_after_batch
    hook_times: list[float] = []

    def timed_hook(*args: Any, **kwargs: Any) -> int:
        started = time.perf_counter()
        try:
            return hook(*args, **kwargs)
        finally:
            hook_times.append(time.perf_counter() - started)

    procedures.warn_after_batch = timed_hook  # type: ignore[assignment]
    actor = cli_actor("bench credit_batch")
    reports: list[batch.Report] = []
    scan_times, table_times, total_times, batch_times = [], [], [], []
    for _ in range(REPEATS):
        scan_times.append(timed(lambda: scan(reference_sql)))
        assert scanned[-1][0] == events, scanned[-1]
        table_times.append(timed(lambda: scan(table_sql)))
        with connection.cursor() as cursor:  # the models refuse; the bench starts afresh
            cursor.execute(f"DELETE FROM {Warning._meta.db_table}")  # noqa: S608 -- a model's own table name
            cursor.execute(f"DELETE FROM {Evaluation._meta.db_table}")  # noqa: S608 -- a model's own table name
        total_times.append(timed(lambda: reports.append(batch.evaluate_all(actor, AS_OF))))
        batch_times.append(total_times[-1] - hook_times[-1])
        assert reports[-1].evaluated == entities, reports[-1].summary()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"  evaluate_all {total_times[-1]:.1f} s = evaluation and writing {batch_times[-1]:.1f} s "
            f"+ warnings {hook_times[-1]:.1f} s; scan {scan_times[-1]:.2f} s (table-only column "
            f"{table_times[-1]:.2f} s); peak memory so far {peak:.0f} MiB",
            flush=True,
        )
    assert Evaluation.objects.count() == entities

    # The stored evaluations agree with the single-entity engine (the full agreement is a test).
    pack = load_pack("nanan-2023-trial")
    sample = random.Random(SEED + 2).sample(range(1, entities + 1), min(SAMPLE, entities))
    stored = {row.entity_id: row for row in Evaluation.objects.filter(entity_id__in=sample)}
    for entity in Entity.objects.filter(pk__in=sample):
        role = services.primary_role(entity)
        assert role is not None
        expected = ledger.outcome(engine.evaluate(pack, services.facts_for(entity, AS_OF), role, AS_OF))
        assert services.evaluation_outcome(stored[entity.pk]) == expected, entity.pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM credit_evaluation WHERE CAST(reasons AS TEXT) <> '[]'")
        with_reasons = cursor.fetchone()[0]
    single, single_engine = single_entity(vendor)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    connection.close()

    best, reference = min(batch_times), min(scan_times)
    print(f"  {reports[-1].summary()}")
    print(f"  grades: {dict(sorted(reports[-1].grades.items()))}; {with_reasons} evaluations with reasons")
    print(f"  {len(sample)} sampled evaluations agree with engine.evaluate")
    print(
        f"  batch evaluation with writing {best:.1f} s (all: {', '.join(f'{t:.1f}' for t in batch_times)}); "
        f"full scan {reference:.2f} s (all: {', '.join(f'{t:.2f}' for t in scan_times)}); "
        f"scan of a table-only column {min(table_times):.2f} s"
    )
    print(
        f"  evaluate_all with the warnings hook {min(total_times):.1f} s, ratio "
        f"{min(total_times) / reference:.2f} to full_scan (warnings {min(hook_times):.1f} s)"
    )
    workers = reports[-1].workers
    print(
        f"  peak memory {peak:.0f} MiB in the batch process, {worker_peak:.0f} MiB in the largest of its "
        f"{workers} worker processes: at most {peak + workers * worker_peak:.0f} MiB together (target < 2048)"
    )
    print(
        f"  one entity with {SINGLE_EVENTS} events: evaluate_entity {single:.2f} ms median "
        f"(engine alone {single_engine:.2f} ms; target < 10)"
    )
    return result_line("credit_batch", best, "s", reference, "full_scan")


def main() -> str:
    with tempfile.TemporaryDirectory(prefix="ecredit-bench-") as tmp:
        return run(Path(tmp).resolve())


if __name__ == "__main__":
    print(main())
