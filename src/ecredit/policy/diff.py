"""What changed between two packs: indicators, vetoes, grades, scale, retention, periods, sections,
articles. Pure: two :class:`Pack` in, a list of changes out (``ecredit policy diff A B`` prints it)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ecredit.policy.model import Pack, Period


@dataclass(frozen=True)
class Change:
    section: str  # 指标 / 否决项 / 等级 / 评分 / 保存期限 / 程序 / 条文 / 基本信息 / 章节
    key: str
    kind: str  # added | removed | changed
    fields: tuple[tuple[str, Any, Any], ...] = ()  # (field, in A, in B) for a change

    def line(self) -> str:
        mark = {"added": "+", "removed": "-", "changed": "~"}[self.kind]
        head = f"{mark} {self.section} {self.key}"
        if not self.fields:
            return head
        parts = "；".join(f"{name}: {show(a)} → {show(b)}" for name, a, b in self.fields)
        return f"{head}：{parts}"


def show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, frozenset | set):
        return "[" + ", ".join(sorted(str(v) for v in value)) + "]"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= 60 else text[:60] + "…"


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def _fields(a: Mapping[str, Any], b: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any, Any]]:
    """Field-level differences, descending into nested mappings (a period's value, a section's keys)."""
    changed: list[tuple[str, Any, Any]] = []
    for name in dict.fromkeys([*a, *b]):
        left, right = _plain(a.get(name)), _plain(b.get(name))
        if left == right:
            continue
        label = f"{prefix}{name}"
        if isinstance(left, Mapping) and isinstance(right, Mapping):
            changed.extend(_fields(left, right, f"{label}."))
        else:
            changed.append((label, left, right))
    return changed


def _keyed(section: str, a: Mapping[str, Any], b: Mapping[str, Any], changes: list[Change]) -> None:
    for key in dict.fromkeys([*a, *b]):
        if key not in b:
            changes.append(Change(section, key, "removed"))
        elif key not in a:
            changes.append(Change(section, key, "added"))
        else:
            fields = _fields(_plain(a[key]), _plain(b[key]))
            if fields:
                changes.append(Change(section, key, "changed", tuple(fields)))


def _applied(period: Period) -> dict[str, Any]:
    return {**_plain(period), "applied": period.applied, "applied_cites": period.applied_cites}


def diff(a: Pack, b: Pack) -> list[Change]:
    changes: list[Change] = []
    meta_a = {
        "id": a.id,
        "title": a.title,
        "issuer": a.issuer,
        "jurisdiction": f"{a.jurisdiction_name}（{a.division_code}）",
        "in_force": f"{a.in_force_from} 至 {a.in_force_until}",
    }
    meta_b = {
        "id": b.id,
        "title": b.title,
        "issuer": b.issuer,
        "jurisdiction": f"{b.jurisdiction_name}（{b.division_code}）",
        "in_force": f"{b.in_force_from} 至 {b.in_force_until}",
    }
    fields = _fields(meta_a, meta_b)
    if fields:
        changes.append(Change("基本信息", a.id if a.id == b.id else f"{a.id} → {b.id}", "changed", tuple(fields)))
    scale_a = {k: v for k, v in _plain(a.scale).items() if k != "grades"}
    scale_b = {k: v for k, v in _plain(b.scale).items() if k != "grades"}
    fields = _fields(scale_a, scale_b)
    if fields:
        changes.append(Change("评分", "score", "changed", tuple(fields)))
    _keyed("等级", {g.code: g for g in a.scale.grades}, {g.code: g for g in b.scale.grades}, changes)
    if [g.code for g in a.scale.grades] != [g.code for g in b.scale.grades]:
        order = tuple(g.code for g in a.scale.grades), tuple(g.code for g in b.scale.grades)
        changes.append(Change("等级", "顺序", "changed", (("order", *order),)))
    _keyed("指标", a.indicators, b.indicators, changes)
    _keyed("否决项", {v.code: v for v in a.vetoes}, {v.code: v for v in b.vetoes}, changes)
    _keyed(
        "保存期限",
        {r.what: {"start": r.start, **_applied(r.period)} for r in a.retention},
        {r.what: {"start": r.start, **_applied(r.period)} for r in b.retention},
        changes,
    )
    _keyed("程序", {"procedure": a.procedure}, {"procedure": b.procedure}, changes)
    _keyed("章节", a.sections, b.sections, changes)
    _keyed(
        "条文",
        {ref: {"title": x.title, "nature": x.nature, "text": x.text, "note": x.note} for ref, x in a.articles.items()},
        {ref: {"title": x.title, "nature": x.nature, "text": x.text, "note": x.note} for ref, x in b.articles.items()},
        changes,
    )
    return changes
