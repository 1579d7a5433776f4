"""The batch's one pass over the ledger, run in a process of its own so that the database aggregates
while the batch process combines and writes (two cores, not one).

``python -m ecredit.credit.scan`` reads one pickled job from stdin — the database to open, the
aggregate query ``credit.batch`` built, its parameters, and on PostgreSQL the snapshot to adopt — and
writes pickled chunks of rows to stdout, then ``None``; when anything fails, the error's text instead.
No Django here: the child opens its own connection with the driver. It sees what the batch process
sees: on SQLite the batch holds the write lock (``BEGIN IMMEDIATE``) before the child starts, so
nothing can change; on PostgreSQL the child adopts the batch transaction's exported snapshot.
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Callable, Sequence
from typing import Any, BinaryIO

CHUNK = 2000


def read(database: dict[str, Any], sql: str, params: Sequence[Any], snapshot: str, send: Callable[[Any], None]) -> None:
    """Run ``sql`` on ``database`` (its vendor and the driver's connection arguments); ``send`` the rows."""
    if database["vendor"] == "sqlite":
        import sqlite3

        lite = sqlite3.connect(database["name"], timeout=database.get("timeout", 30))
        try:
            rows = lite.execute(sql, params)
            while chunk := rows.fetchmany(CHUNK):
                send(chunk)
        finally:
            lite.close()
        return
    import psycopg
    from psycopg import sql as pgsql

    with psycopg.connect(**database["params"], autocommit=True) as postgres:
        postgres.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        postgres.execute(pgsql.SQL("SET TRANSACTION SNAPSHOT {}").format(pgsql.Literal(snapshot)))
        with postgres.cursor(name="credit_batch_scan") as server:
            server.execute(sql, params)
            while chunk := server.fetchmany(CHUNK):
                send(chunk)


def main(source: BinaryIO, sink: BinaryIO) -> int:
    def send(value: Any) -> None:
        pickle.dump(value, sink, protocol=pickle.HIGHEST_PROTOCOL)

    try:
        job = pickle.load(source)  # noqa: S301 -- written by the batch process that started this one
        read(job["database"], job["sql"], job["params"], job["snapshot"], send)
        send(None)
    except Exception as exc:  # the batch process raises it with this text
        send(f"{type(exc).__name__}: {exc}")
        return 1
    finally:
        sink.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.stdin.buffer, sys.stdout.buffer))
