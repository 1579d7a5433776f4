"""An entity with two failed samples (grade D today), for the objection, repair and warning tests
(service, pages, API, browser): one recent, one old enough to be repaired (6 months, the pack says)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ecredit.accounts.models import Organisation, User
from ecredit.credit import services
from ecredit.credit.models import CreditEvent, Evaluation
from tests.credit.archive import by, event, extend, shop

PDF = b"%PDF-1.4\n% rectification report\n"


@dataclass
class Case:
    entity_id: int
    recent: CreditEvent  # 2 months old: may be objected to, not yet repaired
    old: CreditEvent  # 8 months old: may be repaired
    evaluation: Evaluation  # today: 80 - 15 - 15 = 50, D


def today() -> dt.date:
    return timezone.localdate()


def months_ago(months: int) -> dt.date:
    day = today()
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month0 + 1, min(day.day, 28))


def two_failures(officer: User, admin: User, organisation: Organisation | None, name: str = "") -> Case:
    extend(admin, until=today() + dt.timedelta(days=60))
    entity = shop(officer, organisation, name or "南安市官桥镇异议测试食品有限公司")
    recent = event(officer, entity, "quality.sample_failed", months_ago(2), "CJ-2026-101")
    old = event(officer, entity, "quality.sample_failed", months_ago(8), "CJ-2026-017")
    evaluation = services.evaluate_entity(by(officer), entity, today())
    return Case(entity.pk, recent, old, evaluation)


def pdf(name: str = "整改报告.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")
