"""Which pack governs a day, and the one change the policy app makes: recording an extension.

Art. 25 limits the regulation to 2023-03-31 … 2025-03-30. Evaluating a day outside every pack's
period is refused unless a system administrator has recorded an explicit extension (who, why, until
when); a result that rests on one carries ``Coverage.note`` so every page, document and API answer
can say so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ecredit.accounts.actors import Actor
from ecredit.accounts.roles import Action
from ecredit.audit import services as audit
from ecredit.errors import DomainError, ErrorCode
from ecredit.policy.model import Pack
from ecredit.policy.models import PackExtension
from ecredit.policy.packs import UnknownPack, active_pack, all_packs, load_pack

MIN_REASON_LENGTH = 10


@dataclass(frozen=True)
class Coverage:
    """The pack that governs a day, and the extension it rests on when the day is past its period."""

    pack: Pack
    extension: PackExtension | None = None

    @property
    def extended(self) -> bool:
        return self.extension is not None

    @property
    def note(self) -> str:
        """A sentence to show with any result that rests on an extension ("" when none does)."""
        ext = self.extension
        if ext is None:
            return ""
        recorded_on = timezone.localtime(ext.created_at).date().isoformat()
        who = f"系统管理员 {ext.recorded_by}" if ext.user_id is not None else f"系统管理员（{ext.recorded_by}）"
        return (
            f"政策包“{self.pack.title}”（{self.pack.id}）的有效期为 {self.pack.in_force_from} 至 "
            f"{self.pack.in_force_until}；本结果依据{who}于 {recorded_on} "
            f"记录的延期（至 {ext.until}，理由：{ext.reason}）。"
        )


def _pack(pack_id: str) -> Pack:
    try:
        return load_pack(pack_id)
    except UnknownPack as exc:
        raise DomainError(ErrorCode.NOT_FOUND, str(exc)) from None


def extensions(pack_id: str | None = None) -> list[PackExtension]:
    """Recorded extensions, newest first."""
    rows = PackExtension.objects.all()
    if pack_id is not None:
        rows = rows.filter(pack_id=pack_id)
    return list(rows.order_by("-created_at", "-pk"))


def _covering_extension(pack: Pack, day: dt.date) -> PackExtension | None:
    if day <= pack.in_force_until:
        return None  # an extension only carries a pack forward, never back before it took effect
    return PackExtension.objects.filter(pack_id=pack.id, until__gte=day).order_by("-created_at", "-pk").first()


def _outside(day: dt.date, packs: tuple[Pack, ...]) -> DomainError:
    periods = "；".join(f"{p.in_force_from} 至 {p.in_force_until}" for p in packs)
    return DomainError(
        ErrorCode.CONFLICT,
        f"{day} 超出政策包有效期（{periods}），且没有系统管理员记录的延期，不能据此评价。"
        "如主管部门决定继续适用，请由系统管理员记录延期（ecredit policy extend）。",
        {"day": day.isoformat(), "packs": [p.id for p in packs]},
    )


def coverage_for(pack: Pack, day: dt.date) -> Coverage:
    """``pack`` governs ``day``: in its period, or past it under a recorded extension; else CONFLICT."""
    if pack.in_force(day):
        return Coverage(pack)
    extension = _covering_extension(pack, day)
    if extension is None:
        raise _outside(day, (pack,))
    return Coverage(pack, extension)


def pick_pack(day: dt.date, pack_id: str | None = None) -> Coverage:
    """The pack that governs ``day``: the named one, else the installation's pack when in force,
    else the latest-starting pack in force, else a pack extended past ``day``; else CONFLICT."""
    if pack_id is not None:
        return coverage_for(_pack(pack_id), day)
    packs = all_packs()
    active = active_pack()
    in_force = [p for p in packs if p.in_force(day)]
    if active.in_force(day):
        return Coverage(active)
    if in_force:
        return Coverage(max(in_force, key=lambda p: (p.in_force_from, p.id)))
    for pack in (active, *(p for p in packs if p.id != active.id)):
        extension = _covering_extension(pack, day)
        if extension is not None:
            return Coverage(pack, extension)
    raise _outside(day, packs)


def record_extension(actor: Actor, pack_id: str, *, until: dt.date, reason: str) -> PackExtension:
    """A system administrator (or the system, from the command line) extends a pack past its period."""
    if not actor.can(Action.POLICY_EXTEND):
        raise DomainError(ErrorCode.FORBIDDEN, "只有系统管理员可以记录政策包延期。")
    pack = _pack(pack_id)
    reason = " ".join(reason.replace("\u3000", " ").split())
    errors: dict[str, str] = {}
    if until <= pack.in_force_until:
        errors["until"] = f"延期截止日须晚于政策包有效期截止日 {pack.in_force_until}（第二十五条）。"
    if len(reason) < MIN_REASON_LENGTH:
        errors["reason"] = f"请写明延期理由（至少 {MIN_REASON_LENGTH} 个字），例如主管部门延长试行期的文件名称和文号。"
    if errors:
        raise DomainError(ErrorCode.VALIDATION, next(iter(errors.values())), errors)
    with transaction.atomic():
        extension = PackExtension.objects.create(
            pack_id=pack.id,
            until=until,
            reason=reason,
            recorded_by=actor.label[:200],
            user_id=actor.user_id,
        )
        audit.record(
            actor=actor,
            action="policy.extension.record",
            target=extension,
            changes={
                "pack_id": [None, pack.id],
                "pack_sha256": [None, pack.sha256],
                "in_force_until": [None, pack.in_force_until.isoformat()],
                "until": [None, until.isoformat()],
                "reason": [None, reason],
            },
        )
    return extension
