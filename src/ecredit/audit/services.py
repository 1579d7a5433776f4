"""Appending to the audit chain. Called by every service that changes state, inside its transaction."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django.db import connection, models
from django.utils import timezone

from ecredit.accounts.actors import Actor
from ecredit.audit import chain
from ecredit.audit.middleware import current_request_id
from ecredit.audit.models import AuditEntry, AuditHead

Changes = dict[str, list[Any]]


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> Changes:
    """``{field: [before, after]}`` for each field whose value differs."""
    fields = sorted(set(before) | set(after))
    return {
        name: [chain.jsonable(before.get(name)), chain.jsonable(after.get(name))]
        for name in fields
        if before.get(name) != after.get(name)
    }


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: chain.jsonable(getattr(obj, name)) for name in fields}


def _lock_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditHead.objects.bulk_create([AuditHead(pk=1, seq=0, entry_hash=chain.GENESIS)], ignore_conflicts=True)
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def record(
    *,
    actor: Actor,
    action: str,
    target: models.Model | None = None,
    changes: Mapping[str, Any] | None = None,
    target_type: str = "",
    target_id: str = "",
    target_repr: str = "",
) -> AuditEntry:
    """Append one entry. Must run inside the caller's transaction, so the entry and the change
    it describes commit or roll back together."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record must be called inside transaction.atomic()")
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        target_repr = target_repr or str(target)[:300]
    head = _lock_head()
    entry = AuditEntry(
        seq=head.seq + 1,
        created_at=timezone.now(),
        actor_label=actor.label[:200],
        actor_user_id=actor.user_id,
        organisation_id=actor.organisation_id,
        organisation_name=actor.organisation_name,
        via=actor.via,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_repr=target_repr,
        changes=chain.jsonable(dict(changes or {})),
        request_id=current_request_id.get(),
        prev_hash=head.entry_hash,
    )
    content = {name: getattr(entry, name) for name in chain.CONTENT_FIELDS}
    entry.content_hash = chain.content_hash(content)
    entry.entry_hash = chain.link_hash(head.entry_hash, entry.content_hash)
    entry.save(force_insert=True)
    head.seq = entry.seq
    head.entry_hash = entry.entry_hash
    head.save(update_fields=["seq", "entry_hash"])
    return entry


def _entries() -> Iterator[dict[str, Any]]:
    fields = (*chain.CONTENT_FIELDS, "prev_hash", "content_hash", "entry_hash")
    yield from AuditEntry.objects.order_by("seq").values(*fields).iterator(chunk_size=2000)


def verify_chain() -> tuple[int, chain.Break | None]:
    """Recompute the whole chain from the database and check it also ends at the recorded head."""
    count, broken = chain.verify(_entries())
    if broken is not None:
        return count, broken
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and head.seq != count:
        return count, chain.Break(head.seq, f"链尾记录为第 {head.seq} 条，但只找到 {count} 条（末尾条目被删除）")
    return count, None
