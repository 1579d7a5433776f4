"""Evaluating every entity at once, set-based: one pass over the ledger, never a query per entity.

The arithmetic is ``credit.tally`` (pure): one aggregate query gives a string per entity, and each
entity's answer is combined from it with the engine's rules. This module runs it in one transaction
and writes the evaluations:

* **Where the pass runs.** A large run (``WORKERS_FROM`` entities or more, in a transaction it opens
  itself) splits the entities by id among ``WORKERS`` processes (``python -m ecredit.credit.scan``),
  each reading its share with its own connection and combining it, while this process writes what
  they send: the database and Python busy on every core. A small run, or one inside a caller's
  transaction (whose uncommitted rows a worker could not see), runs the same code here.
* **What the pass leaves to the engine.** An entity with a status change in its ledger (an upheld
  objection, a granted repair) and one whose string cannot decide (an event and one ending it on the
  same day) are answered by ``engine.evaluate`` itself, from their events read together in a few
  ``IN (…)`` queries. Both are rare by nature. With workers, this process answers the first kind
  while they read.
* **Writing.** ``executemany`` in chunks, straight into the table, in the run's one transaction,
  while the workers combine: each reads its share whole first and lets go of its read lock, so that on
  SQLite this connection may spill its changes to the file as usual. This process reads what workers
  send in its one thread, between writes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import itertools
import operator
import os
import pickle
import selectors
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from ecredit.accounts.actors import Actor
from ecredit.accounts.roles import Action
from ecredit.audit import services as audit
from ecredit.credit import engine, ledger, procedures, scan, tally
from ecredit.credit.models import CreditEvent, Evaluation, EventStatus
from ecredit.credit.tally import Answer, Plan, plan
from ecredit.errors import DomainError, ErrorCode
from ecredit.policy.model import Pack
from ecredit.registry.models import Entity

__all__ = ["WORKERS", "WORKERS_FROM", "Plan", "Report", "WhatIf", "evaluate_all", "plan", "rows", "whatif"]

WRITE_CHUNK = 2000  # evaluations per executemany
ROWS_PER_INSERT = 50  # evaluations per INSERT statement (measured: a fifth less CPU than one per statement)
FETCH_CHUNK = 2000  # rows per fetchmany
EXACT_CHUNK = 500  # entities per IN (…) on the engine's path
WORKERS_FROM = 50_000  # entities from which worker processes read the ledger (starting one costs ~0.3 s)
WORKERS = max(1, min(4, os.cpu_count() or 1))


# --- the pass -------------------------------------------------------------------------------------


def _with_status() -> list[tuple[int, str]]:
    """Entities with any status change in their ledger, with their role: the engine answers them."""
    ids = set(EventStatus.objects.values_list("event__entity_id", flat=True).distinct())
    found = []
    rows = Entity.objects.order_by("pk").values_list("pk", "is_seller", "is_platform", "is_infrastructure")
    ordered = sorted(ids)
    for start in range(0, len(ordered), EXACT_CHUNK):
        for pk, seller, platform, infrastructure in rows.filter(pk__in=ordered[start : start + EXACT_CHUNK]):
            role = ledger.role_of(seller, platform, infrastructure)
            if role is not None:
                found.append((pk, role))
    return found


def _engine_answers(p: Plan, entities: list[tuple[int, str]]) -> Iterator[Answer]:
    """The engine's own answers for ``entities`` (id, role), their events read a chunk at a time."""
    for start in range(0, len(entities), EXACT_CHUNK):
        chunk = dict(entities[start : start + EXACT_CHUNK])
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
        for entity_id, role in chunk.items():
            result = engine.evaluate(p.pack, facts[entity_id], role, p.as_of)
            yield (entity_id, role, *tally.computed_of(ledger.outcome(result)))


def _fetched(cursor: Any) -> Iterator[Any]:
    while rows := cursor.fetchmany(FETCH_CHUNK):
        yield from rows


def _here(p: Plan, first: int, last: int, skip: set[int], exact: list[tuple[int, str]]) -> Iterator[Answer]:
    ledger_sql, ledger_params = tally.ledger_sql(p, connection.vendor, first, last)
    entities_sql, entities_params = tally.entities_sql(first, last)
    with connection.chunked_cursor() as strings, connection.chunked_cursor() as entities:
        strings.execute(ledger_sql, ledger_params)
        entities.execute(entities_sql, entities_params)
        yield from tally.answers(p, _fetched(entities), _fetched(strings), skip, exact)


def _worker_database() -> dict[str, Any]:
    """What a worker needs to open its own connection to the same database."""
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


class _Pool:
    """The worker processes of a run and what they have sent (see ``credit.scan``), read in this one
    thread between writes: a reading thread would wait for the interpreter lock at every piece of a
    pipe while this one writes. Rows are held back until every worker has read its share and let go
    of its lock: on SQLite, writing them could otherwise need to wait for the readers."""

    def __init__(self, jobs: list[dict[str, Any]]) -> None:
        self.children: list[subprocess.Popen[bytes]] = []
        self.selector = selectors.DefaultSelector()
        self.done = self.read = 0
        self.held: list[Answer] = []
        self.exact: list[tuple[int, str]] = []
        for job in jobs:
            # Our own interpreter running our own module; the job travels on stdin, never the command line.
            child = subprocess.Popen(
                [sys.executable, "-m", "ecredit.credit.scan"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
            )
            self.children.append(child)
            assert child.stdin is not None and child.stdout is not None  # noqa: S101 -- pipes
            _widen(child.stdout.fileno())
            pickle.dump(job, child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            child.stdin.close()
            self.selector.register(child.stdout.fileno(), selectors.EVENT_READ, (child, bytearray()))

    @property
    def all_read(self) -> bool:
        return self.read == len(self.children)

    @property
    def finished(self) -> bool:
        return self.done == len(self.children)

    def poll(self, timeout: float | None) -> list[list[Answer]]:
        """What has arrived (waiting up to ``timeout`` seconds for something): the chunks of rows
        that may be written now."""
        ready: list[list[Answer]] = []
        if self.finished:
            return ready
        for key, _ in self.selector.select(timeout):
            child, pending = key.data
            data = os.read(key.fd, PIPE_BYTES)
            if not data:
                raise RuntimeError(f"读取信用事件的工作进程意外退出（{child.wait()}）。")
            pending += data
            while len(pending) >= 8 and len(pending) >= 8 + (size := int.from_bytes(pending[:8], "little")):
                message = pickle.loads(pending[8 : 8 + size])  # noqa: S301 -- our own worker's output
                del pending[: 8 + size]
                if message is None:
                    self.done += 1
                    self.selector.unregister(key.fd)
                elif message == scan.READ:
                    self.read += 1
                    if self.all_read and self.held:
                        ready.append(self.held)
                        self.held = []
                elif isinstance(message, str):
                    raise RuntimeError(f"读取信用事件的工作进程失败：{message}")
                elif isinstance(message, tuple):
                    self.exact.extend(message[1])
                elif self.all_read:
                    ready.append(message)
                else:
                    self.held.extend(message)
        return ready

    def close(self) -> None:
        self.selector.close()
        for child in self.children:
            if child.poll() is None:
                child.kill()
            child.wait()
            if child.stdout is not None:
                child.stdout.close()


def _in_workers(
    p: Plan,
    first: int,
    last: int,
    statused: list[tuple[int, str]],
    exact: list[tuple[int, str]],
    workers: int,
) -> Iterator[list[Answer]]:
    """The same rows in chunks, in no particular order, from ``workers`` processes each taking a share
    of the ids; this process writes them as they come. While the workers read, this process has the
    engine answer the entities with a status change (``statused``), and writes those first. (Measured
    on two cores: this process taking a share of its own as well was slower, as it then combines and
    writes.)"""
    snapshot = ""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
    database = _worker_database()
    step = (last - first) // workers + 1
    jobs = [
        {
            "database": database,
            "snapshot": snapshot,
            "plan": p,
            "first": start,
            "last": min(start + step - 1, last),
            "skip": {entity_id for entity_id, _ in statused},
        }
        for start in range(first, last + 1, step)
    ]
    pool = _Pool(jobs)
    try:
        mine = list(_chunked(_engine_answers(p, statused)))
        while not pool.finished:
            ready = pool.poll(None)
            if mine and pool.all_read:
                yield from mine
                mine = []
            yield from ready
        yield from mine
        exact.extend(pool.exact)
    finally:
        pool.close()


PIPE_BYTES = 1 << 20


def _widen(fd: int) -> None:
    """A pipe of ``PIPE_BYTES`` (Linux; 64 KiB otherwise), so that a worker seldom waits for this
    process to read."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)
    if set_size is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, set_size, PIPE_BYTES)


def _entity_span() -> tuple[int, int, int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), min(id), max(id) FROM {Entity._meta.db_table}")  # noqa: S608 -- our table
        count, first, last = cursor.fetchone()
    return int(count), int(first or 0), int(last or 0)


def rows(p: Plan, *, workers: int = 0) -> Iterator[list[Answer]]:
    """Chunks of answers ``(entity id, role, *computed)``, one for every entity holding a role, in no
    particular order: the pass over the ledger (here, or in ``workers`` processes), then the engine's
    own answers for the entities the pass left to it."""
    statused = _with_status()
    count, first, last = _entity_span()
    exact: list[tuple[int, str]] = []
    if count and workers:
        yield from _in_workers(p, first, last, statused, exact, workers)
        statused = []
    elif count:
        yield from _chunked(_here(p, first, last, {entity_id for entity_id, _ in statused}, exact))
    yield from _chunked(_engine_answers(p, statused + exact))


def _chunked(answers: Iterator[Answer]) -> Iterator[list[Answer]]:
    while chunk := list(itertools.islice(answers, WRITE_CHUNK)):
        yield chunk


def _workers_for_run() -> int:
    """Workers read only what is committed: only a run in a transaction of its own may use them."""
    if connection.in_atomic_block or _entity_span()[0] < WORKERS_FROM:
        return 0
    return WORKERS


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
    workers: int = 0

    def summary(self) -> str:
        grades = "，".join(f"{code} {count}" for code, count in sorted(self.grades.items()))
        return (
            f"已评价 {self.evaluated} 个主体（{self.as_of}，政策包 {self.pack_id}），"
            f"等级分布：{grades or '无'}；用时 {self.seconds:.1f} 秒。"
        )


COLUMNS = (  # what each answer gives (tally.Answer)
    "entity_id",
    "role",
    "score",
    "grade",
    "veto_code",
    "veto",
    "bonus_capped",
    "reasons",
    "unknown_indicators",
)
RUN_COLUMNS = ("as_of", "pack_id", "pack_sha256", "base", "extension_note", "batch", "created_at")


def _insert_sql(constants: tuple[Any, ...], count: int) -> str:
    """The insert of ``count`` answers, with the run's ``constants`` (``RUN_COLUMNS``) written into
    the statement as literals, quoted by the database itself: bound on every row, they cost as much as
    the rest of the row. The JSON comes as UTF-8 bytes (``tally.Computed``) and is cast to text."""
    if connection.vendor == "postgresql":
        text = "convert_from(%s, 'UTF8')"
        marks = dict.fromkeys(COLUMNS, "%s")
        marks.update(veto=f"NULLIF({text}, '')::jsonb", reasons=f"{text}::jsonb", unknown_indicators=f"{text}::jsonb")
        marks.update(bonus_capped="%s::int4::boolean")
        quote = "quote_nullable(%s)"
    else:
        marks = dict.fromkeys(COLUMNS, "%s")
        marks.update(veto="NULLIF(CAST(%s AS TEXT), '')", reasons="CAST(%s AS TEXT)")
        marks.update(unknown_indicators="CAST(%s AS TEXT)")
        quote = "quote(%s)"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join([quote] * len(constants))}", constants)
        literals = cursor.fetchone()
    table = Evaluation._meta.db_table
    columns = ", ".join(COLUMNS + RUN_COLUMNS)
    values = ", ".join([f"({', '.join((*marks.values(), *literals))})"] * count)
    return f"INSERT INTO {table} ({columns}) VALUES {values}"  # noqa: S608 -- literals quoted by the database


def store_all(covered: Any, as_of: dt.date, *, workers: int = 0) -> tuple[Report, dt.datetime]:
    """Evaluate every entity holding a role and write the evaluations with their reasons, inside the
    caller's transaction; the rows share ``created_at``, returned with the report."""
    started = time.perf_counter()
    compiled = plan(covered.pack, as_of)
    report = Report(as_of, covered.pack.id, covered.pack.sha256, covered.note, workers=workers)
    now = timezone.now()
    ops = connection.ops
    constants = (
        ops.adapt_datefield_value(as_of),
        covered.pack.id,
        covered.pack.sha256,
        covered.pack.scale.base,
        covered.note,
        True,
        ops.adapt_datetimefield_value(now),
    )
    insert_one, insert_many = _insert_sql(constants, 1), _insert_sql(constants, ROWS_PER_INSERT)
    step = ROWS_PER_INSERT * len(COLUMNS)
    grades = report.grades
    grade_of = operator.itemgetter(3)
    with connection.cursor() as cursor:
        for chunk in rows(compiled, workers=workers):
            whole = len(chunk) - len(chunk) % ROWS_PER_INSERT
            if whole:
                flat: list[Any] = list(itertools.chain.from_iterable(chunk[:whole]))
                cursor.executemany(
                    insert_many, [flat[start : start + step] for start in range(0, whole * len(COLUMNS), step)]
                )
            if whole < len(chunk):
                cursor.executemany(insert_one, chunk[whole:])
            grades.update(map(grade_of, chunk))
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
    workers = _workers_for_run()
    with transaction.atomic():
        if workers and connection.vendor == "postgresql":
            # Every statement of the run, and every worker, sees the same snapshot of the ledger.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        report, now = store_all(covered, as_of, workers=workers)
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
    # (entity id, role, score under A, grade under A, score under B, grade under B), by entity id
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
    workers = _workers_for_run()
    with transaction.atomic():
        if workers and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        under_a = {
            row[0]: (row[2], row[3]) for chunk in rows(plan(covered.pack, as_of), workers=workers) for row in chunk
        }
        for chunk in rows(plan(pack_b, as_of), workers=workers):
            for entity_id, role, score_b, grade_b, *_ in chunk:
                score_a, grade_a = under_a[entity_id]
                report.matrix[grade_a, grade_b] += 1
                if grade_a != grade_b:
                    report.changes.append((entity_id, role, score_a, grade_a, score_b, grade_b))
    report.changes.sort()
    return report
