"""Document and case numbers: 南市监处罚〔2024〕12号 — the department's abbreviation, the kind's word,
the year and a sequence per department, kind and year. A number is taken from a locked counter row
inside the caller's transaction: never given twice, never reused (the counter only goes up, and an
issued document is never deleted)."""

from __future__ import annotations

from django.db import connection

from ecredit.accounts.models import Organisation
from ecredit.accounts.roles import OrgKind
from ecredit.enforcement.models import Counter, Office
from ecredit.policy.packs import active_pack

KIND_WORDS = {
    "case": "立",
    "suspension": "停",
    "penalty": "处罚",
    "closure_proposal": "建",
    "judicial_transfer": "移",
}
ORG_WORDS = {OrgKind.MARKET_SUPERVISION: "市监", OrgKind.COMMERCE_BUREAU: "商务"}


def abbreviation(department: Organisation) -> str:
    """南市监 for 南安市市场监督管理局: the department's own choice (``Office``), else the jurisdiction's
    first character and a short word for the department."""
    office = Office.objects.filter(organisation=department).first()
    if office is not None:
        return office.abbreviation
    place = active_pack().jurisdiction_name
    word = ORG_WORDS.get(department.kind)  # type: ignore[call-overload]
    if word is None:
        name = department.name.removeprefix(place)
        word = name[:2] or "部门"
    return place[:1] + word


def _next(department: Organisation, kind: str, year: int) -> int:
    if not connection.in_atomic_block:
        raise RuntimeError("numbers are taken inside the issuing transaction")
    Counter.objects.bulk_create([Counter(department=department, kind=kind, year=year, last=0)], ignore_conflicts=True)
    counter = Counter.objects.select_for_update().get(department=department, kind=kind, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def format_number(department: Organisation, kind: str, year: int, sequence: int) -> str:
    return f"{abbreviation(department)}{KIND_WORDS[kind]}〔{year}〕{sequence}号"


def take(department: Organisation, kind: str, year: int) -> str:
    return format_number(department, kind, year, _next(department, kind, year))


def take_document(department: Organisation, kind: str, year: int) -> tuple[str, int]:
    sequence = _next(department, kind, year)
    return format_number(department, kind, year, sequence), sequence
