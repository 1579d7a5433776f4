"""How fast one entity is evaluated with its reasons (``credit.engine.evaluate``), against summing its points.

Builds one seller's ledger of 500 events over eight indicators and 40 months (passed and failed samples,
refused returns, complaints, missing disclosures and receipts, badges, filings), some of them withdrawn
or repaired, and times ``evaluate`` on the installed pack. The issue's target is a median under 10 ms.
The reference, timed in the same run on the same events, is the least any evaluation must do: a plain
loop adding up each event's points looked up in a dict (no dates, windows, caps or reasons). The value
is the median of many single calls, the two interleaved, with the garbage collector paused in each.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
from pathlib import Path

from timing import result_line, timed

from ecredit.credit.engine import EventFact, evaluate
from ecredit.policy.loader import load_file

PACK = Path(__file__).resolve().parent.parent / "src" / "ecredit" / "policy" / "packs" / "nanan-2023-trial.yaml"
EVENTS = 500
CALLS = 300
TARGET_MS = 10.0
SEED = 2023
AS_OF = dt.date(2024, 12, 31)

# (indicator, relative frequency): a busy seller's ledger, mostly light findings and good news.
MIX = [
    ("complaint.unresolved", 30),
    ("quality.sample_passed", 20),
    ("listing.disclosure_missing", 15),
    ("receipts.missing", 12),
    ("returns.refused", 10),
    ("quality.sample_failed", 6),
    ("badge.displayed", 5),
    ("filing.current", 2),
]


def build_events(count: int, seed: int = SEED) -> list[EventFact]:
    rng = random.Random(seed)
    codes = [code for code, _ in MIX]
    weights = [weight for _, weight in MIX]
    events = []
    for number in range(1, count + 1):
        occurred = AS_OF - dt.timedelta(days=rng.randrange(0, 1220))
        roll = rng.random()
        withdrawn = occurred + dt.timedelta(days=rng.randrange(5, 60)) if roll < 0.05 else None
        repaired = occurred + dt.timedelta(days=rng.randrange(90, 400)) if 0.05 <= roll < 0.12 else None
        events.append(
            EventFact(
                id=number,
                indicator=rng.choices(codes, weights)[0],
                occurred_on=occurred,
                withdrawn_on=withdrawn,
                repaired_from=repaired,
            )
        )
    return events


def sum_points(points: dict[str, float], events: list[EventFact]) -> float:
    total = 0.0
    for event in events:
        total += points[event.indicator]
    return total


def main() -> str:
    pack = load_file(PACK)
    events = build_events(EVENTS)
    points = {code: indicator.points for code, indicator in pack.indicators.items()}

    # What is timed must be the real work: reasons for most of the mix, with events behind them.
    result = evaluate(pack, events, "seller", AS_OF)
    assert len(result.reasons) >= 6, result.reasons
    assert sum(reason.count for reason in result.reasons) > 100
    assert result.score == min(max(result.base + sum(r.points for r in result.reasons), 0), 110)
    assert evaluate(pack, list(reversed(events)), "seller", AS_OF) == result

    engine_times: list[float] = []
    reference_times: list[float] = []
    for _ in range(CALLS):
        engine_times.append(timed(lambda: evaluate(pack, events, "seller", AS_OF)))
        reference_times.append(timed(lambda: sum_points(points, events)))
    median = statistics.median(engine_times) * 1e6
    reference = statistics.median(reference_times) * 1e6
    print(
        f"  {EVENTS} events, {len(result.reasons)} reasons, score {result.score} grade {result.grade}; "
        f"evaluate median {median:.0f} us (best {min(engine_times) * 1e6:.0f} us), "
        f"sum of points median {reference:.1f} us, over {CALLS} interleaved calls"
    )
    met = "met" if median < TARGET_MS * 1000 else "NOT met"
    print(f"  target: median under {TARGET_MS:.0f} ms — {met}")
    return result_line("credit_single", median, "us", reference, "dict-sum-points")


if __name__ == "__main__":
    print(main())
