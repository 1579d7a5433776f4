"""The installed pack and its YAML cases for the engine tests, loaded strictly and without Django."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from ecredit.credit.engine import EventFact
from ecredit.policy import loader, model

PACK_DIR = Path(loader.__file__).resolve().parent / "packs"
PACK_ID = "nanan-2023-trial"


@lru_cache(maxsize=4)
def load_pack(pack_id: str = PACK_ID) -> model.Pack:
    return loader.load_file(PACK_DIR / f"{pack_id}.yaml")


def load_cases(pack: model.Pack) -> tuple[model.Case, ...]:
    return loader.load_cases(pack)


def event_facts(case: model.Case) -> list[EventFact]:
    """A case's events as the engine takes them (the loader numbers those without an ``id``)."""
    return [
        EventFact(
            id=_int(event["id"]),
            indicator=str(event["indicator"]),
            occurred_on=_date(event["occurred_on"]),
            withdrawn_on=_date(event["withdrawn_on"]) if event.get("withdrawn_on") else None,
            repaired_from=_date(event["repaired_from"]) if event.get("repaired_from") else None,
        )
        for event in case.events
    ]


def _int(value: object) -> int:
    assert isinstance(value, int), value
    return value


def _date(value: object) -> dt.date:
    assert isinstance(value, dt.date), value
    return value
