"""The pure draw: Efraimidis–Spirakis selection, quotas, inspector assignment and verification."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from ecredit.inspections import draw
from ecredit.inspections.draw import Conflict, Eligible, Marked, PoolMember

SEED = "0f" * 32
OTHER_SEED = "a1" * 32
RATIOS = {"A": "0.03", "B": "0.10", "C": "0.40", "D": "0.80", "unrated": "0.10"}

seeds = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)
eligible_lists = st.lists(
    st.builds(
        Eligible,
        code=st.text(alphabet="0123456789ABCDEFX", min_size=3, max_size=8),
        weight=st.integers(min_value=1, max_value=20),
        stratum=st.sampled_from(["A", "B", "C", "D", "unrated"]),
        township=st.sampled_from(["", "溪美街道", "官桥镇"]),
    ),
    min_size=1,
    max_size=60,
    unique_by=lambda item: item.code,
)


def _pool(size: int = 6) -> list[PoolMember]:
    return [PoolMember(f"INS{i:02d}", "溪美街道" if i % 2 else "官桥镇") for i in range(size)]


def _record(seed: str = SEED, eligible: list[Eligible] | None = None, **kwargs: object) -> draw.Record:
    items = eligible if eligible is not None else [Eligible(f"E{i:03d}", 1 + i % 3, "BC"[i % 2]) for i in range(40)]
    return draw.make_record(
        seed=seed, eligible=items, ratios=RATIOS, period_days=365, year_days=365, pool=_pool(), **kwargs
    )


def test_it_defines_u_from_the_first_64_bits_of_sha256() -> None:
    digest = hashlib.sha256((SEED + "E001").encode()).digest()
    n = int.from_bytes(digest[:8], "big")
    assert draw.uniform(SEED, "E001") == (n + 0.5) / 2**64
    assert 0 < draw.uniform(SEED, "E001") < 1
    assert draw.log_key(SEED, "E001", 4) == math.log((n + 0.5) / 2**64) / 4


def test_it_commits_to_the_seed_with_sha256_of_its_text() -> None:
    assert draw.commitment(SEED) == hashlib.sha256(SEED.encode()).hexdigest()


def test_it_rounds_quotas_half_up_on_the_share_of_the_year() -> None:
    assert draw.quota("0.10", 100, 365, 365) == 10
    assert draw.quota("0.10", 100, 91, 365) == 2  # 2.49… → 2
    assert draw.quota("0.10", 5, 365, 365) == 1  # 0.5 → 1
    assert draw.quota("0.03", 10, 365, 365) == 0
    assert draw.quota("0.80", 3, 800, 365) == 2  # share capped at one year
    assert draw.quota("1", 3, 365, 365) == 3


def test_it_takes_the_largest_keys_per_stratum() -> None:
    items = [Eligible(f"E{i:03d}", 1, "C") for i in range(20)]
    record = _record(eligible=items)
    ranked = sorted(items, key=lambda e: (-draw.log_key(SEED, e.code, 1), e.code))
    assert record.quotas == {"C": 8}
    assert list(record.selected) == [e.code for e in ranked[:8]]


def test_it_favours_heavier_weights() -> None:
    items = [Eligible(f"L{i:04d}", 1, "C") for i in range(500)] + [Eligible(f"H{i:04d}", 10, "C") for i in range(500)]
    record = _record(eligible=items)
    heavy = sum(code.startswith("H") for code in record.selected)
    assert heavy > len(record.selected) * 0.75


@settings(max_examples=60, deadline=None)
@given(seed=seeds, items=eligible_lists)
def test_it_selects_exactly_the_quota_and_is_deterministic(seed: str, items: list[Eligible]) -> None:
    first = _record(seed, items)
    again = _record(seed, list(reversed(items)))
    assert first == again
    assert len(first.selected) == sum(first.quotas.values())
    assert len(set(first.selected)) == len(first.selected)
    strata = {item.code: item.stratum for item in items}
    for stratum, wanted in first.quotas.items():
        assert sum(strata[code] == stratum for code in first.selected) == wanted
    assert draw.verify(first) is None
    assert draw.verify(draw.record_from_json(draw.record_to_json(first))) is None


@settings(max_examples=40, deadline=None)
@given(seed=seeds, items=eligible_lists)
def test_it_assigns_two_unconflicted_inspectors_and_spreads_the_load(seed: str, items: list[Eligible]) -> None:
    record = _record(seed, items, same_township=True)
    towns = {item.code: item.township for item in items}
    pool_towns = {member.code: member.township for member in _pool()}
    loads: dict[str, int] = {}
    for assignment in record.assignments:
        assert len(assignment.inspectors) == 2
        assert len(set(assignment.inspectors)) == 2
        for inspector in assignment.inspectors:
            assert not towns[assignment.target] or pool_towns[inspector] != towns[assignment.target]
            loads[inspector] = loads.get(inspector, 0) + 1
    # Without township limits the busiest and the idlest inspector differ by at most one target.
    free = _record(seed, items)
    counts = [sum(member.code in a.inspectors for a in free.assignments) for member in _pool()]
    assert max(counts) - min(counts) <= 1


def test_it_reports_targets_that_cannot_get_two_inspectors() -> None:
    items = [Eligible("E001", 1, "D"), Eligible("E002", 1, "D")]
    conflicts = [Conflict(f"INS{i:02d}", "E001", "relation") for i in range(5)]
    record = _record(eligible=items, conflicts=conflicts)
    by_target = {a.target: a.inspectors for a in record.assignments}
    assert by_target["E001"] == ("INS05",)
    assert record.understaffed == ("E001",)
    assert len(by_target["E002"]) == 2


def test_it_never_assigns_the_last_inspector_or_a_related_one() -> None:
    items = [Eligible(f"E{i:03d}", 1, "D") for i in range(10)]
    conflicts = [Conflict("INS00", code.code, "last_inspector") for code in items] + [
        Conflict("INS01", "E003", "relation")
    ]
    record = _record(eligible=items, conflicts=conflicts)
    for assignment in record.assignments:
        assert "INS00" not in assignment.inspectors
    assert "INS01" not in {a.target: a.inspectors for a in record.assignments}["E003"]


def test_it_keeps_excluded_and_fixed_entities_out_of_the_random_part() -> None:
    items = [Eligible(f"E{i:03d}", 1, "D") for i in range(10)]
    record = _record(
        eligible=items,
        excluded=[Marked("E001", "省级抽查已抽中")],
        fixed=[Marked("E002", "投诉线索", "官桥镇")],
    )
    codes = [item.code for item in record.eligible]
    assert "E001" not in codes and "E002" not in codes
    assert "E002" not in record.selected
    assert "E002" in {a.target for a in record.assignments}
    assert record.quotas == {"D": 6}  # 0.8 × 8


@settings(max_examples=40, deadline=None)
@given(seed=seeds, other=seeds, items=eligible_lists)
def test_it_detects_a_changed_seed(seed: str, other: str, items: list[Eligible]) -> None:
    record = _record(seed, items)
    if other != seed:
        assert draw.verify(dataclasses.replace(record, seed=other)) is not None
        # Even with a matching commitment, a different seed changes the selection or assignments.
        forged = dataclasses.replace(record, seed=other, commitment=draw.commitment(other))
        recomputed = _record(other, items)
        if (recomputed.selected, recomputed.assignments) != (record.selected, record.assignments):
            assert draw.verify(forged) is not None


@settings(max_examples=40, deadline=None)
@given(seed=seeds, items=eligible_lists, index=st.integers(min_value=0), bump=st.integers(min_value=1, max_value=5))
def test_it_detects_a_changed_weight(seed: str, items: list[Eligible], index: int, bump: int) -> None:
    record = _record(seed, items)
    eligible = list(record.eligible)
    index %= len(eligible)
    eligible[index] = dataclasses.replace(eligible[index], weight=eligible[index].weight + bump)
    assert draw.verify(dataclasses.replace(record, eligible=tuple(eligible))) is not None


def test_it_detects_a_changed_selection_even_with_a_rehashed_snapshot() -> None:
    record = _record()
    outsider = next(e.code for e in record.eligible if e.code not in record.selected)
    forged = dataclasses.replace(record, selected=(outsider, *record.selected[1:]))
    assert draw.verify(forged) == f"selected[0]: 记录为 {outsider}，重新计算为 {record.selected[0]}"


def test_it_detects_a_weight_change_hidden_by_a_new_snapshot_hash() -> None:
    record = _record()
    eligible = list(record.eligible)
    index = next(i for i, e in enumerate(eligible) if e.code not in record.selected)
    eligible[index] = dataclasses.replace(eligible[index], weight=10**9)  # now it would surely be drawn
    changed = dataclasses.replace(record, eligible=tuple(eligible), eligible_sha256=draw.eligible_sha256(eligible))
    difference = draw.verify(changed)
    assert difference is not None
    assert difference.startswith(("selected", "inspectors"))


def test_it_writes_the_keys_acceptance_relies_on() -> None:
    data = json.loads(draw.record_to_json(_record()))
    assert {"seed", "commitment", "eligible", "selected", "eligible_sha256", "inspectors"} <= set(data)
    assert {"code", "weight", "stratum"} <= set(data["eligible"][0])


def test_it_refuses_a_malformed_record() -> None:
    try:
        draw.record_from_json('{"seed": "x"}')
    except draw.RecordError as exc:
        assert "格式" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected RecordError")


def test_it_draws_inspectors_from_the_lowest_load_tier_with_the_targets_stream() -> None:
    pool = [PoolMember(f"INS{i:02d}") for i in range(5)]
    assignments, short = draw.assign(SEED, ["E1"], pool, [], townships={}, same_township=False)
    digest = hashlib.sha256(f"{SEED}inspectors:E1:0".encode()).digest()
    tier = [member.code for member in pool]
    first = tier.pop((int.from_bytes(digest[:8], "big") * 5) >> 64)
    second = tier.pop((int.from_bytes(digest[8:16], "big") * 4) >> 64)
    assert assignments[0].inspectors == tuple(sorted([first, second]))
    assert short == ()
