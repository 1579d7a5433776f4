"""The credit engine: ``evaluate(pack, events, role, as_of)`` → score, grade and reasons.

Pure and deterministic: plain dataclasses in, plain dataclasses out, no Django, no I/O.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ecredit.policy.model import Pack


@dataclass(frozen=True)
class EventFact:
    """What the engine needs to know of one ledger event."""

    id: int
    indicator: str  # an indicator code of the pack
    occurred_on: dt.date
    withdrawn_on: dt.date | None = None  # an upheld objection: the event never counts from this day on
    repaired_from: dt.date | None = None  # a granted repair: the event stops counting from this day


@dataclass(frozen=True)
class Reason:
    """One contributing indicator."""

    indicator: str
    label: str
    points: float  # what this indicator adds to the base (negative for a loss), after cap and weights
    count: int  # events behind it (for clean_record: 0)
    cap_applied: bool
    cites: tuple[str, ...]
    article_texts: tuple[str, ...]  # the cited articles' text, in the order of ``cites``
    event_ids: tuple[int, ...]
    public: bool


@dataclass(frozen=True)
class VetoApplied:
    code: str
    label: str
    cites: tuple[str, ...]
    grade: str
    event_ids: tuple[int, ...]
    until: dt.date  # the veto lapses after this day


@dataclass(frozen=True)
class Result:
    pack_id: str
    pack_sha256: str
    role: str
    as_of: dt.date
    base: int
    score: float  # base + sum of reasons' points, clamped to floor and ceiling
    grade: str
    grade_label: str
    reasons: tuple[Reason, ...]  # ordered by points lost (most negative first), then positives
    veto: VetoApplied | None
    bonus_capped: bool


def evaluate(pack: Pack, events: list[EventFact] | tuple[EventFact, ...], role: str, as_of: dt.date) -> Result:
    raise NotImplementedError  # written by the engine issue's first slice
