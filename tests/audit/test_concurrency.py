"""Many writers at once must queue up on the chain, never fork it (run on SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from ecredit.accounts import services as accounts
from ecredit.accounts.actors import SYSTEM
from ecredit.accounts.roles import OrgKind
from ecredit.audit.models import AuditEntry
from ecredit.audit.services import verify_chain

THREADS = 6
WRITES_EACH = 8


@pytest.mark.django_db(transaction=True)
def test_it_keeps_one_chain_under_concurrent_writers() -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def writer(number: int) -> None:
        try:
            start.wait()
            for index in range(WRITES_EACH):
                accounts.create_organisation(actor=SYSTEM, name=f"并发机构-{number}-{index}", kind=OrgKind.DEPARTMENT)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    entries = list(AuditEntry.objects.order_by("seq").values_list("seq", "prev_hash", "entry_hash"))
    assert len(entries) == THREADS * WRITES_EACH
    assert [seq for seq, _prev, _hash in entries] == list(range(1, THREADS * WRITES_EACH + 1))
    assert len({prev for _seq, prev, _hash in entries}) == len(entries)  # no two entries share a parent
    assert verify_chain() == (THREADS * WRITES_EACH, None)
    assert connection.vendor in ("sqlite", "postgresql")
