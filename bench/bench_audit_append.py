"""How fast the real database path appends to the audit chain, against a plain durable insert.

Configures Django on a fresh SQLite database in a temporary directory (never ``./var`` and never
``DATABASE_URL``), migrates it, then appends entries through ``ecredit.audit.services.record`` as a
service does: one ``transaction.atomic()`` per entry, so each pays the head-row lock, the hashing,
the entry insert, the head update and its own commit. The reference, timed in the same run, is the
same number of single-row inserts of a row of the same size into a plain table in the same database
file, each in its own ``transaction.atomic()`` (a TEMP table would not do: SQLite keeps those out of
the main file, so their commits skip the fsyncs that dominate both sides).

Both run in interleaved chunks; each rate is the chunk size over the best chunk time.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from timing import result_line, timed

ENTRIES = 2_000
CHUNKS = 10
CHUNK = ENTRIES // CHUNKS
WARMUP = 20


def configure(var_dir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "ecredit.settings"
    os.environ["ECREDIT_VAR_DIR"] = str(var_dir)
    os.environ["ECREDIT_PROFILE"] = "development"
    os.environ["DEBUG"] = "false"  # with DEBUG on, Django keeps every query in memory
    os.environ.pop("DATABASE_URL", None)  # a benchmark never writes to a real database
    import django

    django.setup()

    from django.conf import settings

    database = settings.DATABASES["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3", database["ENGINE"]
    assert Path(database["NAME"]).parent == var_dir, database["NAME"]


def changes_for(i: int) -> dict[str, Any]:
    return {
        "status": ["submitted", "approved"],
        "reviewer": [None, "王丽华"],
        "note": [None, f"第 {i} 号备案材料齐全，准予登记。"],
    }


def run(var_dir: Path) -> str:
    configure(var_dir)

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from ecredit.accounts.actors import SYSTEM
    from ecredit.audit import chain
    from ecredit.audit.services import record, verify_chain

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_plain_row (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, body TEXT NOT NULL)"
        )

    total = WARMUP + ENTRIES
    changes = [changes_for(i) for i in range(total)]
    # A reference row as large as an audit row: its canonical content plus the three hashes.
    bodies = [
        chain.canonical(
            {
                "seq": i + 1,
                "actor_label": SYSTEM.label,
                "via": SYSTEM.via,
                "action": "bench.append",
                "target_type": "bench",
                "target_id": str(i),
                "changes": changes[i],
            }
        ).decode()
        + chain.GENESIS * 3
        for i in range(total)
    ]

    def append(start: int, stop: int) -> None:
        for i in range(start, stop):
            with transaction.atomic():
                record(actor=SYSTEM, action="bench.append", target_type="bench", target_id=str(i), changes=changes[i])

    def insert(start: int, stop: int) -> None:
        for i in range(start, stop):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO bench_plain_row (created_at, body) VALUES (%s, %s)",
                    [timezone.now().isoformat(), bodies[i]],
                )

    append(0, WARMUP)
    insert(0, WARMUP)
    append_times: list[float] = []
    insert_times: list[float] = []
    for n in range(CHUNKS):
        start = WARMUP + n * CHUNK
        stop = start + CHUNK
        # Alternate which goes first, so a slow stretch of the machine falls on both alike.
        if n % 2 == 0:
            append_times.append(timed(lambda: append(start, stop)))  # noqa: B023 -- called at once
            insert_times.append(timed(lambda: insert(start, stop)))  # noqa: B023
        else:
            insert_times.append(timed(lambda: insert(start, stop)))  # noqa: B023
            append_times.append(timed(lambda: append(start, stop)))  # noqa: B023

    count, broken = verify_chain()
    assert count == total and broken is None, (count, broken)
    connection.close()

    rate = CHUNK / min(append_times)
    reference_rate = CHUNK / min(insert_times)
    print(
        f"  {ENTRIES} appends in {CHUNKS} chunks of {CHUNK}; best chunk: record() {min(append_times):.3f} s, "
        f"plain insert {min(insert_times):.3f} s; all: {sum(append_times):.2f} s vs {sum(insert_times):.2f} s"
    )
    return result_line("audit_append", rate, "entries/s", reference_rate, "plain-insert-txn")


def main() -> str:
    with tempfile.TemporaryDirectory(prefix="ecredit-bench-") as tmp:
        return run(Path(tmp).resolve())


if __name__ == "__main__":
    print(main())
