"""双随机: the publicly re-runnable draw of sampling targets and of their inspectors.

Pure: no Django, no I/O, no ``random``. Everything a draw decides follows from its record (a plain
JSON document, :func:`record_to_json`), so anyone can recompute it with :func:`verify` or with the
description in ``docs/inspections.md``. The rules, in short:

* ``u(seed, text) = (n + 0.5) / 2**64`` where ``n`` is the first 8 bytes (big-endian) of
  SHA-256 of the UTF-8 bytes of ``seed + text`` (the seed is 64 lowercase hex characters). The
  ``+ 0.5`` keeps ``u`` strictly inside (0, 1) in exact arithmetic; it is then rounded to the
  nearest IEEE-754 double.
* Targets: Efraimidis–Spirakis weighted sampling without replacement. The key of an eligible entity
  is ``u(seed, code) ** (1 / weight)``; compared as ``ln(u) / weight`` (same order, no underflow).
  In each stratum the ``quota`` entities with the largest keys are selected; equal keys are broken
  by the smaller code.
* Quota of a stratum = ``floor(ratio × count × period_days / year_days + 1/2)`` computed exactly
  (ratios are decimal strings), at most ``count``.
* Inspectors: for every target in code order, the pool inspectors not in conflict with it are
  taken by lowest load so far; among equally loaded ones that do not all fit, a uniform draw
  without replacement driven by SHA-256(seed ‖ "inspectors:" ‖ target ‖ ":" ‖ k) (see
  :func:`assign`). A target
  that cannot get ``per_target`` inspectors gets those available and is listed in ``understaffed``.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

FORMAT = "ecredit-draw/1"
SEED_PATTERN = re.compile(r"[0-9a-f]{64}")
TWO_64 = 2**64


# --- the primitives -------------------------------------------------------------------------------


def commitment(seed: str) -> str:
    """The published commitment to a seed: SHA-256 hex of its UTF-8 bytes."""
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def uniform(seed: str, text: str) -> float:
    """u in (0, 1) from the first 64 bits of SHA-256(seed ‖ text)."""
    n = int.from_bytes(hashlib.sha256((seed + text).encode("utf-8")).digest()[:8], "big")
    return (n + 0.5) / TWO_64


def log_key(seed: str, code: str, weight: int) -> float:
    """ln of the Efraimidis–Spirakis key u ** (1 / weight): larger is drawn first."""
    return math.log(uniform(seed, code)) / weight


def stream(seed: str, target: str) -> Iterator[int]:
    """The target's 64-bit numbers for drawing inspectors: block k = SHA-256(seed ‖ "inspectors:" ‖
    target ‖ ":" ‖ k), k = 0, 1, …, each cut into four big-endian 64-bit numbers."""
    block = 0
    while True:
        digest = hashlib.sha256(f"{seed}inspectors:{target}:{block}".encode()).digest()
        for start in range(0, 32, 8):
            yield int.from_bytes(digest[start : start + 8], "big")
        block += 1


def pick(number: int, size: int) -> int:
    """Index in 0 … size-1 from a 64-bit number, exactly: floor(number × size / 2**64)."""
    return (number * size) >> 64


# --- plain data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Eligible:
    code: str  # the entity's public code (统一社会信用代码, or E<id> for one without)
    weight: int  # risk weight, a positive integer
    stratum: str  # credit grade code or "unrated"
    township: str = ""


@dataclass(frozen=True)
class Marked:
    """An entity kept out of the random part (excluded) or put in outside it (fixed inclusion)."""

    code: str
    reason: str
    township: str = ""  # used for a fixed inclusion's same-township conflicts


@dataclass(frozen=True)
class PoolMember:
    code: str
    township: str = ""


@dataclass(frozen=True)
class Conflict:
    inspector: str
    entity: str
    reason: str  # relation | last_inspector (same township is computed, not listed)


@dataclass(frozen=True)
class Assignment:
    target: str
    inspectors: tuple[str, ...]


@dataclass(frozen=True)
class Record:
    seed: str
    commitment: str
    eligible: tuple[Eligible, ...]
    eligible_sha256: str
    ratios: dict[str, str]  # stratum → decimal string
    period_days: int
    year_days: int
    quotas: dict[str, int]
    selected: tuple[str, ...]  # stratum by stratum (sorted), largest key first
    excluded: tuple[Marked, ...] = ()
    fixed: tuple[Marked, ...] = ()
    pool: tuple[PoolMember, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    same_township: bool = False
    per_target: int = 2
    assignments: tuple[Assignment, ...] = ()
    understaffed: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)  # plan id, name, dates: shown, not recomputed


# --- the computation ------------------------------------------------------------------------------


def eligible_sha256(eligible: Iterable[Eligible]) -> str:
    """Snapshot hash: SHA-256 of one line per entity, ``code\\tweight\\tstratum\\ttownship\\n``, in list order."""
    text = "".join(f"{item.code}\t{item.weight}\t{item.stratum}\t{item.township}\n" for item in eligible)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def quota(ratio: str, count: int, period_days: int, year_days: int) -> int:
    """Round half up of ratio × count × period share, exactly; never more than ``count``."""
    share = min(Fraction(period_days, year_days), Fraction(1))
    exact = Fraction(ratio) * count * share
    return min(count, math.floor(exact + Fraction(1, 2)))


def quotas(eligible: Sequence[Eligible], ratios: Mapping[str, str], period_days: int, year_days: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in eligible:
        counts[item.stratum] = counts.get(item.stratum, 0) + 1
    return {
        stratum: quota(ratios.get(stratum, "0"), count, period_days, year_days) for stratum, count in counts.items()
    }


def select(seed: str, eligible: Sequence[Eligible], quotas: Mapping[str, int]) -> tuple[str, ...]:
    """Largest keys per stratum; strata in sorted order, each largest key first, ties by code."""
    log, sha, from_bytes, top = math.log, hashlib.sha256, int.from_bytes, TWO_64
    # -ln(u)/w ascending is ln(u)/w descending; the tuple then breaks ties by the smaller code.
    keyed = [
        (
            item.stratum,
            -log((from_bytes(sha((seed + item.code).encode()).digest()[:8], "big") + 0.5) / top) / item.weight,
            item.code,
        )
        for item in eligible
    ]
    by_stratum: dict[str, list[tuple[float, str]]] = {}
    for stratum, key, code in keyed:
        pairs = by_stratum.get(stratum)
        if pairs is None:
            by_stratum[stratum] = [(key, code)]
        else:
            pairs.append((key, code))
    chosen: list[str] = []
    for stratum in sorted(by_stratum):
        wanted = quotas.get(stratum, 0)
        if wanted > 0:
            chosen.extend(code for _key, code in heapq.nsmallest(wanted, by_stratum[stratum]))
    return tuple(chosen)


def assign(
    seed: str,
    targets: Iterable[str],
    pool: Sequence[PoolMember],
    conflicts: Iterable[Conflict],
    *,
    townships: Mapping[str, str],
    same_township: bool,
    per_target: int = 2,
) -> tuple[tuple[Assignment, ...], tuple[str, ...]]:
    """Inspectors for each target (targets in code order); returns the assignments (each target's
    inspectors in code order) and the understaffed targets.

    The inspectors allowed for a target (pool minus declared conflicts, minus the target's township
    when ``same_township``) are grouped by their load so far; tiers are taken whole from the lowest
    load up. The one tier that does not fit whole is drawn from without replacement: each pick takes
    index ``pick(n, len(remaining))`` of the remaining tier members in code order, ``n`` being the
    next number of the target's :func:`stream`."""
    barred: dict[str, set[str]] = {}
    for conflict in conflicts:
        barred.setdefault(conflict.entity, set()).add(conflict.inspector)
    members = sorted((member.code, member.township) for member in pool)
    load = dict.fromkeys((code for code, _town in members), 0)
    assignments: list[Assignment] = []
    short: list[str] = []
    empty: set[str] = set()
    for target in sorted(set(targets)):
        blocked = barred.get(target, empty)
        town = townships.get(target, "") if same_township else ""
        tiers: dict[int, list[str]] = {}
        for code, member_town in members:
            if code in blocked or (town and member_town == town):
                continue
            tier = tiers.get(load[code])
            if tier is None:
                tiers[load[code]] = [code]
            else:
                tier.append(code)
        picked: list[str] = []
        for level in sorted(tiers):
            room = per_target - len(picked)
            if room <= 0:
                break
            tier = tiers[level]
            if len(tier) <= room:
                picked.extend(tier)
                continue
            numbers = stream(seed, target)
            for _ in range(room):
                picked.append(tier.pop(pick(next(numbers), len(tier))))
        for code in picked:
            load[code] += 1
        assignments.append(Assignment(target, tuple(sorted(picked))))
        if len(picked) < per_target:
            short.append(target)
    return tuple(assignments), tuple(short)


def year_days_of(year: int) -> int:
    return 366 if (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 else 365


def make_record(
    *,
    seed: str,
    eligible: Iterable[Eligible],
    ratios: Mapping[str, str],
    period_days: int,
    year_days: int,
    excluded: Iterable[Marked] = (),
    fixed: Iterable[Marked] = (),
    pool: Iterable[PoolMember] = (),
    conflicts: Iterable[Conflict] = (),
    same_township: bool = False,
    per_target: int = 2,
    meta: Mapping[str, Any] | None = None,
) -> Record:
    """Run a whole draw: the eligible list is put in code order, excluded and fixed codes are
    removed from it, the quotas and the selection computed, inspectors assigned to selected and
    fixed targets alike."""
    if not SEED_PATTERN.fullmatch(seed):
        raise ValueError("seed must be 64 lowercase hex characters")
    excluded, fixed = tuple(excluded), tuple(fixed)
    kept_out = {item.code for item in excluded} | {item.code for item in fixed}
    listed = tuple(sorted((item for item in eligible if item.code not in kept_out), key=lambda item: item.code))
    _check_eligible(listed)
    ratio_text = {key: str(value) for key, value in ratios.items()}
    wanted = quotas(listed, ratio_text, period_days, year_days)
    selected = select(seed, listed, wanted)
    pool, conflicts = tuple(pool), tuple(conflicts)
    townships = {item.code: item.township for item in listed} | {item.code: item.township for item in fixed}
    assignments, short = assign(
        seed,
        [*selected, *(item.code for item in fixed)],
        pool,
        conflicts,
        townships=townships,
        same_township=same_township,
        per_target=per_target,
    )
    return Record(
        seed=seed,
        commitment=commitment(seed),
        eligible=listed,
        eligible_sha256=eligible_sha256(listed),
        ratios=ratio_text,
        period_days=period_days,
        year_days=year_days,
        quotas=wanted,
        selected=selected,
        excluded=excluded,
        fixed=fixed,
        pool=pool,
        conflicts=conflicts,
        same_township=same_township,
        per_target=per_target,
        assignments=assignments,
        understaffed=short,
        meta=dict(meta or {}),
    )


def _check_eligible(listed: Sequence[Eligible]) -> None:
    previous = None
    for item in listed:
        if not item.code or item.code == previous:
            raise ValueError(f"duplicate or empty code in the eligible list: {item.code!r}")
        if not isinstance(item.weight, int) or isinstance(item.weight, bool) or item.weight < 1:
            raise ValueError(f"weight of {item.code} must be a positive integer")
        previous = item.code


# --- JSON ---------------------------------------------------------------------------------------


def record_to_dict(record: Record) -> dict[str, Any]:
    return {
        "format": FORMAT,
        **({"plan": record.meta} if record.meta else {}),
        "seed": record.seed,
        "commitment": record.commitment,
        "eligible_sha256": record.eligible_sha256,
        "quota": {
            "ratios": record.ratios,
            "period_days": record.period_days,
            "year_days": record.year_days,
            "quotas": record.quotas,
        },
        "eligible": [
            {"code": e.code, "weight": e.weight, "stratum": e.stratum, "township": e.township} for e in record.eligible
        ],
        "excluded": [{"code": m.code, "reason": m.reason} for m in record.excluded],
        "fixed": [{"code": m.code, "reason": m.reason, "township": m.township} for m in record.fixed],
        "selected": list(record.selected),
        "inspectors": {
            "per_target": record.per_target,
            "same_township": record.same_township,
            "pool": [{"code": p.code, "township": p.township} for p in record.pool],
            "conflicts": [{"inspector": c.inspector, "entity": c.entity, "reason": c.reason} for c in record.conflicts],
            "assignments": [{"target": a.target, "inspectors": list(a.inspectors)} for a in record.assignments],
            "understaffed": list(record.understaffed),
        },
    }


def record_to_json(record: Record) -> str:
    return json.dumps(record_to_dict(record), ensure_ascii=False, indent=1) + "\n"


class RecordError(ValueError):
    """A draw record that is not even well-formed."""


def record_from_dict(data: Any) -> Record:
    try:
        quota_part = data["quota"]
        inspectors = data.get("inspectors", {})
        return Record(
            seed=str(data["seed"]),
            commitment=str(data["commitment"]),
            eligible=tuple(
                Eligible(str(e["code"]), e["weight"], str(e["stratum"]), str(e.get("township", "")))
                for e in data["eligible"]
            ),
            eligible_sha256=str(data["eligible_sha256"]),
            ratios={str(k): str(v) for k, v in quota_part["ratios"].items()},
            period_days=int(quota_part["period_days"]),
            year_days=int(quota_part["year_days"]),
            quotas={str(k): v for k, v in quota_part["quotas"].items()},
            selected=tuple(str(code) for code in data["selected"]),
            excluded=tuple(Marked(str(m["code"]), str(m.get("reason", ""))) for m in data.get("excluded", [])),
            fixed=tuple(
                Marked(str(m["code"]), str(m.get("reason", "")), str(m.get("township", "")))
                for m in data.get("fixed", [])
            ),
            pool=tuple(PoolMember(str(p["code"]), str(p.get("township", ""))) for p in inspectors.get("pool", [])),
            conflicts=tuple(
                Conflict(str(c["inspector"]), str(c["entity"]), str(c.get("reason", "")))
                for c in inspectors.get("conflicts", [])
            ),
            same_township=bool(inspectors.get("same_township", False)),
            per_target=int(inspectors.get("per_target", 2)),
            assignments=tuple(
                Assignment(str(a["target"]), tuple(str(i) for i in a["inspectors"]))
                for a in inspectors.get("assignments", [])
            ),
            understaffed=tuple(str(code) for code in inspectors.get("understaffed", [])),
            meta=dict(data.get("plan", {})),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RecordError(f"抽取记录格式不正确：{exc!r}") from exc


def record_from_json(text: str) -> Record:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(f"抽取记录不是有效的 JSON：{exc}") from exc
    return record_from_dict(data)


# --- verification -------------------------------------------------------------------------------


def _first_list_difference(name: str, recorded: Sequence[Any], computed: Sequence[Any]) -> str | None:
    for index, (left, right) in enumerate(zip(recorded, computed, strict=False)):
        if left != right:
            return f"{name}[{index}]: 记录为 {left}，重新计算为 {right}"
    if len(recorded) != len(computed):
        return f"{name}: 记录有 {len(recorded)} 项，重新计算为 {len(computed)} 项"
    return None


def verify(record: Record) -> str | None:
    """Recompute everything from the record alone; the first difference found, or None."""
    if not SEED_PATTERN.fullmatch(record.seed):
        return "seed: 种子应为 64 位小写十六进制字符"
    if commitment(record.seed) != record.commitment:
        return f"commitment: 种子的 SHA-256 为 {commitment(record.seed)}，与公布的承诺值 {record.commitment} 不符"
    previous = None
    for index, item in enumerate(record.eligible):
        if not isinstance(item.weight, int) or isinstance(item.weight, bool) or item.weight < 1:
            return f"eligible[{index}]: {item.code} 的权重 {item.weight!r} 不是正整数"
        if previous is not None and item.code <= previous:
            return f"eligible[{index}]: {item.code} 未按代码升序排列或重复"
        previous = item.code
    snapshot = eligible_sha256(record.eligible)
    if snapshot != record.eligible_sha256:
        return f"eligible_sha256: 名单快照哈希为 {snapshot}，与记录的 {record.eligible_sha256} 不符"
    listed = {item.code for item in record.eligible}
    for name, marked in (("excluded", record.excluded), ("fixed", record.fixed)):
        for mark in marked:
            if mark.code in listed:
                return f"{name}: {mark.code} 不应出现在随机抽取名单中"
    for ratio in record.ratios.values():
        try:
            Fraction(ratio)
        except (ValueError, ZeroDivisionError):
            return f"quota.ratios: 比例 {ratio!r} 不是十进制数"
    if record.period_days < 1 or record.year_days < 1:
        return "quota: 期间天数与全年天数必须为正整数"
    wanted = quotas(record.eligible, record.ratios, record.period_days, record.year_days)
    for stratum in sorted(set(wanted) | set(record.quotas)):
        if record.quotas.get(stratum, 0) != wanted.get(stratum, 0):
            return (
                f"quota.quotas.{stratum}: 记录为 {record.quotas.get(stratum, 0)}，重新计算为 {wanted.get(stratum, 0)}"
            )
    difference = _first_list_difference("selected", record.selected, select(record.seed, record.eligible, wanted))
    if difference:
        return difference
    assignments, short = assign(
        record.seed,
        [*record.selected, *(item.code for item in record.fixed)],
        record.pool,
        record.conflicts,
        townships={item.code: item.township for item in record.eligible}
        | {item.code: item.township for item in record.fixed},
        same_township=record.same_township,
        per_target=record.per_target,
    )
    difference = _first_list_difference(
        "inspectors.assignments",
        [f"{a.target}→{','.join(a.inspectors)}" for a in record.assignments],
        [f"{a.target}→{','.join(a.inspectors)}" for a in assignments],
    )
    return difference or _first_list_difference("inspectors.understaffed", record.understaffed, short)
