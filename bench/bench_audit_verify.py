"""How fast the audit chain is verified (``ecredit audit verify``), against hashing the content alone.

Builds 20,000 entries shaped like real ones (Chinese actor labels, dotted action codes, small
``changes`` dicts), chains them with ``chain.content_hash`` / ``chain.link_hash`` and times
``chain.verify`` over them. The reference, timed in the same run on the same entries, is the work
verify cannot avoid: SHA-256 of each entry's canonical bytes (``chain.canonical``), with no linking
and no comparisons. Timings are the best of several passes, the two interleaved.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from timing import result_line, timed

from ecredit.audit import chain

ENTRIES = 20_000
REPEATS = 5
SEED = 2023

# (actor_label, actor_user_id, organisation_id, organisation_name, via)
ACTORS: list[tuple[str, int | None, int | None, str, str]] = [
    ("系统", None, None, "", "system"),
    ("命令行：ecredit demo", None, None, "", "system"),
    ("王丽华（credit）", 2, 1, "南安市商务局", "web"),
    ("陈建国（inspector）", 3, 2, "南安市市场监督管理局", "web"),
    ("林晓梅（lab）", 5, 4, "泉州市产品质量检验所", "web"),
    ("黄志强（seller_a）", 8, 6, "南安市石井镇好茶叶商行", "web"),
    ("API 令牌 平台数据对接（3fa9c2d1…）", None, 7, "闽南优选电商平台", "api"),
]


def _changes(rng: random.Random, action: str, when: datetime) -> dict[str, Any]:
    n = rng.randrange(1, 100_000)
    day = (when - timedelta(days=rng.randrange(1, 60))).date().isoformat()
    options: dict[str, dict[str, Any]] = {
        "accounts.user.create": {
            "username": [None, f"user{n}"],
            "organisation": [None, "南安市市场监督管理局"],
            "roles": [None, ["inspector"]],
        },
        "accounts.token.revoke": {"revoked_at": [None, when.isoformat()]},
        "registry.filing.submit": {"status": ["draft", "submitted"], "version": [None, rng.randrange(1, 6)]},
        "registry.filing.approve": {
            "status": ["submitted", "approved"],
            "note": [None, f"备案材料齐全，准予登记（第 {n} 号）。"],
        },
        "credit.event.record": {
            "indicator": [None, rng.choice(["quality.sample_failed", "returns.refused", "listing.incomplete"])],
            "occurred_on": [None, day],
            "cites": [None, ["5", "10.2", "16.1"]],
        },
        "credit.objection.decide": {
            "status": ["open", "upheld"],
            "reason": [None, "抽检样品批次与该店铺无关，异议成立。"],
        },
        "inspections.sample.draw": {
            "plan": [None, "2024年第二季度网销食品抽查"],
            "storefront": [None, f"铁观音旗舰店{n}"],
        },
        "enforcement.notice.issue": {"kind": [None, "suspension"], "number": [None, f"南商信通〔2024〕{n % 500}号"]},
    }
    return options[action]


def build_entries(count: int, seed: int = SEED) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    actions = [
        ("accounts.user.create", "accounts.user"),
        ("accounts.token.revoke", "accounts.apitoken"),
        ("registry.filing.submit", "registry.filing"),
        ("registry.filing.approve", "registry.filing"),
        ("credit.event.record", "credit.creditevent"),
        ("credit.objection.decide", "credit.objection"),
        ("inspections.sample.draw", "inspections.sample"),
        ("enforcement.notice.issue", "enforcement.notice"),
    ]
    when = datetime(2024, 1, 2, 8, 30, tzinfo=UTC)
    prev = chain.GENESIS
    entries: list[dict[str, Any]] = []
    for seq in range(1, count + 1):
        when += timedelta(seconds=rng.randrange(1, 600), microseconds=rng.randrange(1_000_000))
        label, user_id, org_id, org_name, via = rng.choice(ACTORS)
        action, target_type = rng.choice(actions)
        target_id = str(rng.randrange(1, 50_000))
        content: dict[str, Any] = {
            "seq": seq,
            "created_at": when.isoformat(),
            "actor_label": label,
            "actor_user_id": user_id,
            "organisation_id": org_id,
            "organisation_name": org_name,
            "via": via,
            "action": action,
            "target_type": target_type,
            "target_id": target_id,
            "target_repr": f"{target_type.split('.')[-1]} #{target_id}",
            "changes": _changes(rng, action, when),
            "request_id": "" if via == "system" else f"{rng.getrandbits(128):032x}",
        }
        content_hash = chain.content_hash(content)
        entry_hash = chain.link_hash(prev, content_hash)
        entries.append({**content, "prev_hash": prev, "content_hash": content_hash, "entry_hash": entry_hash})
        prev = entry_hash
    return entries


def hash_content_only(entries: list[dict[str, Any]]) -> None:
    for entry in entries:
        hashlib.sha256(chain.canonical({key: entry[key] for key in chain.CONTENT_FIELDS})).digest()


def verify_all(entries: list[dict[str, Any]]) -> None:
    count, broken = chain.verify(entries)
    assert count == len(entries) and broken is None, broken


def check_detects_tampering(entries: list[dict[str, Any]]) -> None:
    """The timed verify must really check content: an edited entry in the middle has to be caught."""
    middle = len(entries) // 2
    edited: Mapping[str, Any] = {**entries[middle], "actor_label": "某人"}
    count, broken = chain.verify([*entries[:middle], edited, *entries[middle + 1 :]])
    assert count == middle and broken is not None and broken.seq == middle + 1, broken


def main() -> str:
    entries = build_entries(ENTRIES)
    check_detects_tampering(entries)
    verify_times: list[float] = []
    reference_times: list[float] = []
    for _ in range(REPEATS):
        verify_times.append(timed(lambda: verify_all(entries)))
        reference_times.append(timed(lambda: hash_content_only(entries)))
    rate = ENTRIES / min(verify_times)
    reference_rate = ENTRIES / min(reference_times)
    print(
        f"  {ENTRIES} entries; verify best {min(verify_times):.3f} s, "
        f"sha256(canonical) best {min(reference_times):.3f} s (best of {REPEATS}, interleaved)"
    )
    return result_line("audit_verify", rate, "entries/s", reference_rate, "sha256-canonical")


if __name__ == "__main__":
    print(main())
