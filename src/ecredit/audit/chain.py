"""The audit log as a hash chain: pure functions, no Django.

Each entry's ``content_hash`` is the SHA-256 of its canonical JSON content; its ``entry_hash`` is
SHA-256 over the previous entry's ``entry_hash`` and its own ``content_hash``. Changing, removing
or reordering any entry breaks every hash after it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

GENESIS = "0" * 64
CONTENT_FIELDS = (
    "seq",
    "created_at",
    "actor_label",
    "actor_user_id",
    "organisation_id",
    "organisation_name",
    "via",
    "action",
    "target_type",
    "target_id",
    "target_repr",
    "changes",
    "request_id",
)


def jsonable(value: Any) -> Any:
    """Turn a value into JSON that survives a round trip through SQLite and PostgreSQL jsonb."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float | Decimal):
        return str(value)  # jsonb rewrites floats; a string stays byte-identical
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(item) for item in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    return str(value)


def canonical(content: Mapping[str, Any]) -> bytes:
    return json.dumps(jsonable(content), sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def content_hash(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical({key: content[key] for key in CONTENT_FIELDS})).hexdigest()


def link_hash(prev_hash: str, this_content_hash: str) -> str:
    return hashlib.sha256(f"{prev_hash}:{this_content_hash}".encode()).hexdigest()


@dataclass(frozen=True)
class Break:
    seq: int
    reason: str


def verify(entries: Iterable[Mapping[str, Any]]) -> tuple[int, Break | None]:
    """Walk entries in ``seq`` order; return how many were checked and the first break, if any."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    for entry in entries:
        seq = entry["seq"]
        if seq != expected_seq:
            return count, Break(seq, f"序号不连续：应为 {expected_seq}，实为 {seq}（有条目被删除或插入）")
        if entry["prev_hash"] != prev:
            return count, Break(seq, "前序哈希与上一条目不符（链被改动）")
        if content_hash(entry) != entry["content_hash"]:
            return count, Break(seq, "内容哈希不符（条目内容被改动）")
        if link_hash(prev, entry["content_hash"]) != entry["entry_hash"]:
            return count, Break(seq, "条目哈希不符")
        prev = entry["entry_hash"]
        expected_seq += 1
        count += 1
    return count, None
