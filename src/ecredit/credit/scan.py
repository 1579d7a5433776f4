"""A worker of the batch: one share of the entities, read and combined in a process of its own, so
that the database aggregates and Python combines on every core while the batch process writes.

``python -m ecredit.credit.scan`` reads one pickled job from stdin — the database to open, the
compiled plan (``tally.Plan``), the range of entity ids, the entities to leave out, and on PostgreSQL
the snapshot to adopt — and writes messages to stdout, each pickled and preceded by its length (8
bytes, little-endian): ``"read"`` once it has read everything and holds no lock any more, lists of
answers (``tally.Answer``), then ``("exact", [(entity id, role), …])`` for the entities only the
engine can answer, then ``None``; when anything fails, the error's text instead. No Django here: the worker opens its own
connection with the driver and runs ``credit.tally``. It sees what the batch process sees: on SQLite
the batch holds the write lock (``BEGIN IMMEDIATE``) before workers start, so nothing can change; on
PostgreSQL the worker adopts the batch transaction's exported snapshot. It reads its share whole
before combining it (a share of a million entities' strings is some 200 MB).
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from ecredit.credit import tally

CHUNK = 1000  # rows per message: under a pipe's buffer, so that the batch process reads whole ones


def work(job: dict[str, Any], send: Callable[[Any], None]) -> None:
    """Answer the job's entities and ``send`` them in chunks."""
    database, p = job["database"], job["plan"]
    ledger_sql, ledger_params = tally.ledger_sql(p, database["vendor"], job["first"], job["last"])
    entities_sql, entities_params = tally.entities_sql(job["first"], job["last"])
    exact: list[tuple[int, str]] = []

    def out(answers: Iterator[tally.Answer]) -> None:
        chunk = []
        for answer in answers:
            chunk.append(answer)
            if len(chunk) >= CHUNK:
                send(chunk)
                chunk = []
        if chunk:
            send(chunk)
        send(("exact", exact))

    if database["vendor"] == "sqlite":
        import sqlite3

        lite = sqlite3.connect(database["name"], timeout=database.get("timeout", 30), isolation_level=None)
        try:
            # One read transaction for both statements: one lock, one snapshot. Everything is read
            # before anything is combined, and the lock let go, so that the batch process may write
            # (spill its changes to the file) while this one combines.
            lite.execute("BEGIN")
            strings = lite.execute(ledger_sql.replace("%s", "?"), ledger_params).fetchall()
            entities = lite.execute(entities_sql.replace("%s", "?"), entities_params).fetchall()
            lite.execute("COMMIT")
        finally:
            lite.close()
    else:
        import psycopg
        from psycopg import sql as pgsql

        with psycopg.connect(**database["params"], autocommit=True) as postgres:
            postgres.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            postgres.execute(pgsql.SQL("SET TRANSACTION SNAPSHOT {}").format(pgsql.Literal(job["snapshot"])))
            strings = postgres.execute(ledger_sql, ledger_params).fetchall()
            entities = postgres.execute(entities_sql, entities_params).fetchall()
            postgres.execute("COMMIT")
    send(READ)
    out(tally.answers(p, entities, strings, job["skip"], exact))


READ = "read"  # sent once the worker has read all it needs and holds no lock


def frame(value: Any) -> bytes:
    """``value`` pickled, preceded by its length."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(8, "little") + data


def main(source: BinaryIO, sink: BinaryIO) -> int:
    def send(value: Any) -> None:
        sink.write(frame(value))

    try:
        job = pickle.load(source)  # noqa: S301 -- written by the batch process that started this one
        work(job, send)
        send(None)
    except Exception as exc:  # the batch process raises it with this text
        send(f"{type(exc).__name__}: {exc}")
        return 1
    finally:
        sink.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.stdin.buffer, sys.stdout.buffer))
