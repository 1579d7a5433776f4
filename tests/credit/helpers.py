"""Entities and ledgers for the credit tests.

Events normally enter the ledger through ``credit.services.record_event``; ``write_ledger`` writes
arbitrary rows directly (codes of another pack, roles they do not apply to, statuses in any order),
the way years of history under changing packs can look, so the batch is compared with the engine on
ledgers the service would not produce today."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable

from django.utils import timezone

from ecredit.accounts.actors import SYSTEM
from ecredit.credit.models import CreditEvent, EventStatus
from ecredit.registry import services as registry
from ecredit.registry.models import Entity
from ecredit.registry.services import EntityData
from tests.registry.helpers import make_uscc

_names = itertools.count(1)


def make_entity(*roles: str, name: str = "") -> Entity:
    number = next(_names)
    data = EntityData(
        name=name or f"南安市信用测试电子商务有限公司{number}",
        kind="legal_person",
        roles=list(roles),
        uscc=make_uscc(),
    )
    return registry.register_entity(SYSTEM, data)


def write_ledger(
    entity: Entity,
    events: Iterable[tuple[str, dt.date]],
    statuses: Iterable[tuple[int, str, dt.date]] = (),
) -> list[CreditEvent]:
    """``events`` as (indicator, occurred_on); ``statuses`` as (index into events, status, effective_on),
    written in that order."""
    now = timezone.now()
    rows = [
        CreditEvent(
            entity=entity,
            indicator=indicator,
            occurred_on=occurred_on,
            recorded_at=now,
            source_kind="manual",
            source_ref=f"test:{index}",
            evidence="测试证据",
            reason="测试理由",
            cites=[],
            recorded_by="测试",
        )
        for index, (indicator, occurred_on) in enumerate(events)
    ]
    created = CreditEvent.objects.bulk_create(rows)
    if not all(event.pk for event in created):  # SQLite before 3.35 returns no ids
        created = list(CreditEvent.objects.filter(entity=entity).order_by("pk"))
    EventStatus.objects.bulk_create(
        EventStatus(
            event=created[index],
            status=status,
            effective_on=effective_on,
            reason="测试更正",
            decided_by="测试",
            created_at=now + dt.timedelta(microseconds=number),
        )
        for number, (index, status, effective_on) in enumerate(statuses)
    )
    return created
