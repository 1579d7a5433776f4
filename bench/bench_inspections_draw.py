"""How fast a sampling plan over 100,000 eligible entities is drawn, targets and inspectors, against SHA-256 alone.

Builds 100,000 eligible entities spread over the five strata (A–D and unrated) with risk weights 1–5
and eight townships, an inspector pool of 40 with declared conflicts, and runs
``ecredit.inspections.draw.make_record`` (quotas from the pack's default ratios over a whole year,
Efraimidis–Spirakis keys, selection per stratum, two inspectors per target with conflicts, the same
township barred, load spread). The reference, timed in the same run, is hashing the same 100,000
codes (seed ‖ code) with SHA-256 alone. Best of five interleaved runs each; the issue's target is a
ratio of at most 20.
"""

from __future__ import annotations

import hashlib

from timing import timed

from ecredit.inspections import draw
from ecredit.inspections.draw import Conflict, Eligible, PoolMember

ENTITIES = 100_000
POOL = 40
RUNS = 5
TARGET_RATIO = 20.0
SEED = hashlib.sha256(b"bench inspections draw").hexdigest()
RATIOS = {"A": "0.03", "B": "0.10", "C": "0.40", "D": "0.80", "unrated": "0.10"}
STRATA = ["A"] * 30 + ["B"] * 40 + ["C"] * 12 + ["D"] * 3 + ["unrated"] * 15
TOWNS = ["溪美街道", "柳城街道", "美林街道", "省新镇", "仑苍镇", "东田镇", "英都镇", "官桥镇"]


def build() -> tuple[list[Eligible], list[PoolMember], list[Conflict]]:
    eligible = [
        Eligible(f"91350583MA{number:08d}", 1 + number % 5, STRATA[number % len(STRATA)], TOWNS[number % 7])
        for number in range(ENTITIES)
    ]
    pool = [PoolMember(f"INS{number:03d}", TOWNS[number % len(TOWNS)]) for number in range(POOL)]
    conflicts = [Conflict(f"INS{number % POOL:03d}", eligible[number * 37].code, "relation") for number in range(2000)]
    return eligible, pool, conflicts


def run(eligible: list[Eligible], pool: list[PoolMember], conflicts: list[Conflict]) -> draw.Record:
    return draw.make_record(
        seed=SEED,
        eligible=eligible,
        ratios=RATIOS,
        period_days=365,
        year_days=365,
        pool=pool,
        conflicts=conflicts,
        same_township=True,
    )


def hash_all(codes: list[str]) -> None:
    sha = hashlib.sha256
    for code in codes:
        sha((SEED + code).encode("utf-8")).digest()


def main() -> str:
    eligible, pool, conflicts = build()
    codes = [item.code for item in eligible]

    # What is timed must be the real work: a full selection with two inspectors for each target.
    record = run(eligible, pool, conflicts)
    assert len(record.eligible) == ENTITIES
    assert len(record.selected) == sum(record.quotas.values()) > 10_000, record.quotas
    assert not record.understaffed
    assert all(len(a.inspectors) == 2 for a in record.assignments)

    draw_times, hash_times = [], []
    for _ in range(RUNS):
        draw_times.append(timed(lambda: run(eligible, pool, conflicts)))
        hash_times.append(timed(lambda: hash_all(codes)))
    best, reference = min(draw_times), min(hash_times)
    ratio = best / reference
    print(
        f"  {ENTITIES} eligible, {len(record.selected)} targets, {len(record.assignments) * 2} inspector slots "
        f"from a pool of {POOL}; draw {best:.3f} s, SHA-256 of the codes {reference:.3f} s (best of {RUNS})"
    )
    print(f"  target: ratio at most {TARGET_RATIO:.0f} — {'met' if ratio <= TARGET_RATIO else 'NOT met'}")
    return f"bench inspections_draw: {best:.3f} s, ratio {ratio:.2f} to sha256"


if __name__ == "__main__":
    print(main())
