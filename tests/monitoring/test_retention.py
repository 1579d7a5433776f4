"""Retention: the report, short declarations, and the audited purge that skips open cases."""

from __future__ import annotations

import dataclasses
import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from ecredit.accounts.services import actor_for_user
from ecredit.audit.models import AuditEntry
from ecredit.enforcement import services as enforcement
from ecredit.errors import DomainError
from ecredit.monitoring import retention, services
from ecredit.monitoring.models import Complaint, SellerReport
from ecredit.policy.packs import active_pack
from ecredit.registry import services as registry
from ecredit.registry.models import Entity
from tests.cast import Cast
from tests.enforcement.helpers import make_office, propose
from tests.monitoring.helpers import write_csv
from tests.registry.helpers import approved_filing, make_resident_id, register

pytestmark = pytest.mark.django_db


def setup_data(cast: Cast, tmp_path: Path) -> Entity:
    officer = actor_for_user(cast.credit_officer)
    rows = [{"seller_ref": "S1", "name": "陈某", "kind": "自然人", "resident_id": make_resident_id()}]
    services.submit_batch(
        actor=officer, kind="sellers", batch_id="S", path=write_csv(tmp_path / "s.csv", "sellers", rows)
    )
    seller = register(cast.credit_officer, "南安市示例茶业有限公司")
    data = services.ComplaintData(seller_name=seller.name, subject="发错货", description="", received_on=dt.date(2024, 1, 5),
                                  seller_code=seller.uscc or "", complainant="王女士", complainant_phone="13905951234")  # fmt: skip
    complaint = services.file_complaint(actor=officer, data=data, source="officer")
    services.accept_complaint(actor=officer, complaint=complaint, accept=True, on=dt.date(2024, 1, 8))
    services.close_complaint(actor=officer, complaint=complaint, outcome="resolved")
    return seller


def test_it_reports_what_becomes_eligible_and_when(cast: Cast, tmp_path: Path) -> None:
    setup_data(cast, tmp_path)
    out = StringIO()
    call_command("retention", "report", "--as-of", "2026-12-01", stdout=out)
    text = out.getvalue()
    assert "transaction_records：至少 3 年" in text and "电子商务法 第三十一条" in text
    assert "投诉人姓名和联系电话（已办结的投诉）：共 1 条，现可清除 0 条" in text
    assert "下一批可清除日期 2027-01-05" in text
    later = retention.holdings(active_pack(), dt.date(2027, 1, 5))
    assert [h.eligible for h in later] == [0, 0, 1]


def test_it_purges_only_past_the_minimum_and_audits_it(cast: Cast, tmp_path: Path) -> None:
    setup_data(cast, tmp_path)
    out = StringIO()
    call_command("retention", "purge", "--as-of", "2026-12-01", "--yes", stdout=out)
    assert "投诉人信息 0 条" in out.getvalue()
    assert Complaint.objects.get().complainant_phone == "13905951234"
    call_command("retention", "purge", "--as-of", "2027-01-05", "--yes", stdout=StringIO())
    complaint = Complaint.objects.get()
    assert (complaint.complainant, complaint.complainant_phone) == ("", "")
    assert AuditEntry.objects.filter(action="retention.purge").count() == 2
    assert SellerReport.objects.exclude(resident_id="").count() == 1  # identity kept 2 years from the report


def test_it_skips_anything_under_an_open_case(cast: Cast, tmp_path: Path) -> None:
    seller = setup_data(cast, tmp_path)
    office = make_office(cast)
    case = propose(dataclasses.replace(office, seller=seller))  # the seller is a party to a proposed case
    counts = retention.purge(
        actor=actor_for_user(cast.admin), pack=active_pack(), day=dt.date(2027, 1, 5), dry_run=False
    )
    assert counts["complaints"] == 0 and counts["skipped_open_case"] == 1
    assert Complaint.objects.get().complainant == "王女士"
    # Once the case is withdrawn, the complainant's details past their period are cleared.
    enforcement.fire(actor=office.chief, case=case, transition="withdraw", reason="当事人已主动整改，撤销立案")
    counts = retention.purge(
        actor=actor_for_user(cast.admin), pack=active_pack(), day=dt.date(2027, 1, 5), dry_run=False
    )
    assert counts["complaints"] == 1 and Complaint.objects.get().complainant == ""


def test_it_clears_a_deregistered_persons_id_number_once_its_period_ends(cast: Cast) -> None:
    person = register(cast.credit_officer, "陈某某（个人网店）", kind="natural_person", organisation=cast.seller_a_org)
    filing = approved_filing(cast.credit_officer, cast.seller_a, person)
    deregistered = registry.deregister_filing(
        actor_for_user(cast.credit_officer), filing, reason="经营者申请注销网店", on=dt.date(2024, 3, 1)
    )
    until = deregistered.retain_until
    assert until is not None and until > dt.date(2024, 3, 1)
    pack, admin = active_pack(), actor_for_user(cast.admin)
    report = retention.holdings(pack, until - dt.timedelta(days=1))[0]
    assert (report.total, report.eligible, report.next_eligible) == (1, 0, until)
    # The day before the period ends nothing goes; on that day the number and its search digest go.
    assert retention.purge(actor=admin, pack=pack, day=until - dt.timedelta(days=1), dry_run=False)["registry"] == 0
    counts = retention.purge(actor=admin, pack=pack, day=until, dry_run=False)
    assert counts["registry"] == 1
    person.refresh_from_db()
    assert (person.resident_id, person.resident_id_digest) == ("", None)
    assert person.resident_id_masked  # the record still reads as a person's
    assert AuditEntry.objects.filter(action="retention.purge").count() == 2


def test_it_refuses_the_purge_to_an_officer(cast: Cast) -> None:
    with pytest.raises(DomainError):
        retention.purge(
            actor=actor_for_user(cast.credit_officer), pack=active_pack(), day=dt.date(2027, 1, 5), dry_run=False
        )


def test_it_lists_platforms_whose_declarations_fall_short(cast: Cast, tmp_path: Path) -> None:
    rows = [{"what": "transaction_records", "value": "2", "unit": "年"}]
    services.submit_batch(
        actor=actor_for_user(cast.credit_officer),
        kind="retention",
        batch_id="K",
        path=write_csv(tmp_path / "k.csv", "retention", rows),
    )
    out = StringIO()
    call_command("retention", "report", stdout=out)
    assert "保存期限声明不足的平台：1 项" in out.getvalue() and "声明 730 日，应至少 1095 日" in out.getvalue()
