"""Submitting batches: every bad row reported and nothing applied; clean batches applied once, with findings."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ecredit.accounts.services import actor_for_user
from ecredit.errors import DomainError
from ecredit.monitoring import services
from ecredit.monitoring.models import (
    Batch,
    BatchStatus,
    Complaint,
    Finding,
    FindingKind,
    Listing,
    MatchStatus,
    SellerReport,
)
from ecredit.registry.models import Entity
from tests.cast import Cast
from tests.monitoring.helpers import listing, write_csv, write_jsonl, write_xlsx
from tests.registry.helpers import make_resident_id, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(cast: Cast) -> Entity:
    return register(cast.credit_officer, "南安市示例茶业有限公司", organisation=cast.seller_a_org)


def submit(cast: Cast, kind: str, path: Path, batch_id: str = "B-1") -> Batch:
    return services.submit_batch(actor=actor_for_user(cast.credit_officer), kind=kind, batch_id=batch_id, path=path)


def test_it_reports_every_bad_row_and_applies_nothing(cast: Cast, seller: Entity, tmp_path: Path) -> None:
    rows = [
        listing(seller.uscc or "", "SP-1"),
        listing(seller.uscc or "", "SP-2", name=""),
        listing("12345", "SP-3"),
        listing(seller.uscc or "", "SP-4", url="ftp://x", return_category="spaceships"),
        listing(seller.uscc or "", "SP-1", description="最终解释权归本店所有"),
    ]
    batch = submit(cast, "listings", write_csv(tmp_path / "l.csv", "listings", rows))
    assert batch.status == BatchStatus.REJECTED
    assert [(p["line"], p["field"]) for p in batch.problems] == [
        (3, "商品名称"),
        (4, "经营者代码"),
        (5, "商品网址"),
        (6, "商品编号"),
    ]
    assert batch.problems[0]["reason"] == "必填，不能为空"
    assert "重复" in batch.problems[3]["reason"]
    assert Listing.objects.count() == 0 and Finding.objects.count() == 0


def test_it_reports_the_unknown_category_once_the_url_is_fixed(cast: Cast, seller: Entity, tmp_path: Path) -> None:
    rows = [listing(seller.uscc or "", "SP-4", return_category="spaceships")]
    batch = submit(cast, "listings", write_csv(tmp_path / "l.csv", "listings", rows))
    assert batch.problems == [
        {"line": 2, "field": "退货品类", "reason": "没有退货品类“spaceships”（见 ecredit returns categories）"}
    ]


def test_it_applies_a_clean_batch_once_and_raises_findings(cast: Cast, seller: Entity, tmp_path: Path) -> None:
    rows = [
        listing(seller.uscc or "", "SP-1"),
        listing(seller.uscc or "", "SP-2", description="全网第一好茶，高仿包装", shipping_fee=""),
    ]
    path = write_csv(tmp_path / "l.csv", "listings", rows)
    batch = submit(cast, "listings", path)
    assert batch.status == BatchStatus.APPLIED and batch.rows_total == 2
    found = {(f.kind, f.term) for f in Finding.objects.all()}
    assert found == {
        (FindingKind.TERM, "全网第一"),
        (FindingKind.TERM, "高仿"),
        (FindingKind.DISCLOSURE, "shipping_fee"),
    }
    assert all(f.entity_id == seller.pk for f in Finding.objects.all())
    term = Finding.objects.get(term="高仿")
    assert term.matched == "高仿" and term.field == "description" and term.cites == ["14.9"]
    again = submit(cast, "listings", path)
    assert again.pk == batch.pk
    assert Listing.objects.count() == 2 and Finding.objects.count() == 3


def test_it_does_not_raise_the_same_text_again_after_a_dismissal(cast: Cast, seller: Entity, tmp_path: Path) -> None:
    rows = [listing(seller.uscc or "", "SP-1", description="原单品质")]
    submit(cast, "listings", write_csv(tmp_path / "a.csv", "listings", rows), "A")
    finding = Finding.objects.get()
    services.dismiss_finding(
        actor=actor_for_user(cast.credit_officer), finding=finding, reason="原单指原产地订单，非假冒"
    )
    submit(cast, "listings", write_csv(tmp_path / "b.csv", "listings", rows), "B")
    assert Finding.objects.count() == 1


def test_it_reads_jsonl_and_xlsx(cast: Cast, seller: Entity, tmp_path: Path) -> None:
    rows = [listing(seller.uscc or "", "SP-1", description="A货")]
    jsonl = submit(cast, "listings", write_jsonl(tmp_path / "l.jsonl", rows), "J")
    xlsx = submit(
        cast, "listings", write_xlsx(tmp_path / "l.xlsx", "listings", [listing(seller.uscc or "", "SP-9")]), "X"
    )
    assert (jsonl.status, xlsx.status) == (BatchStatus.APPLIED, BatchStatus.APPLIED)
    assert Listing.objects.count() == 2


def test_it_names_a_bad_jsonl_line(cast: Cast, seller: Entity, tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    path.write_text(json.dumps(listing(seller.uscc or "", "SP-1"), ensure_ascii=False) + "\n{oops\n", encoding="utf-8")
    batch = submit(cast, "listings", path)
    assert batch.status == BatchStatus.REJECTED and batch.problems[0]["line"] == 2
    assert "JSON" in str(batch.problems[0]["reason"])


def test_it_refuses_a_file_without_the_required_columns(cast: Cast, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("名称,价格\n茶,1\n", encoding="utf-8")
    batch = submit(cast, "listings", path)
    assert batch.status == BatchStatus.REJECTED and "表头缺少必填列" in str(batch.problems[0]["reason"])


def test_it_refuses_an_unknown_format_and_a_caller_without_the_right(cast: Cast, tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(DomainError, match="不支持的文件格式"):
        submit(cast, "listings", path)
    with pytest.raises(DomainError) as caught:
        services.submit_batch(actor=actor_for_user(cast.seller_a), kind="listings", batch_id="Z", path=path)
    assert caught.value.code == "forbidden"
    assert Batch.objects.count() == 0


def test_it_matches_sellers_to_the_registry(cast: Cast, seller: Entity, tmp_path: Path) -> None:
    person_id = make_resident_id()
    person = register(cast.credit_officer, "黄阿妹", kind="natural_person", code=person_id)
    rows = [
        {"seller_ref": "S1", "name": seller.name, "kind": "法人", "uscc": seller.uscc or ""},
        {"seller_ref": "S2", "name": "黄阿妹", "kind": "自然人", "resident_id": person_id},
        {"seller_ref": "S3", "name": "黄阿妹", "kind": "自然人", "resident_id": person_id, "sells_permit_goods": "是"},
        {"seller_ref": "S4", "name": "陈某", "kind": "自然人", "resident_id": make_resident_id()},
    ]
    batch = submit(cast, "sellers", write_csv(tmp_path / "s.csv", "sellers", rows))
    assert batch.status == BatchStatus.APPLIED
    matches = dict(SellerReport.objects.values_list("seller_ref", "match"))
    assert matches == {
        "S1": MatchStatus.MATCHED,
        "S2": MatchStatus.MATCHED,
        "S3": MatchStatus.SHOULD_REGISTER,
        "S4": MatchStatus.UNMATCHED,
    }
    assert SellerReport.objects.get(seller_ref="S2").entity == person
    kinds = sorted(Finding.objects.values_list("kind", flat=True))
    assert kinds == [FindingKind.SELLER_UNMATCHED, FindingKind.SHOULD_REGISTER]
    stored = SellerReport.objects.get(seller_ref="S4")
    assert stored.resident_id_masked.count("*") == 8


def test_it_judges_refused_returns_with_the_return_rules(cast: Cast, seller: Entity, tmp_path: Path) -> None:
    code = seller.uscc or ""
    rows = [
        {"order_ref": "O1", "seller_code": code, "category": "clothing", "received": "2024-05-01", "requested": "2024-05-03", "refused": "是"},
        {"order_ref": "O2", "seller_code": code, "category": "clothing", "received": "2024-05-01", "requested": "2024-05-20", "refused": "是"},
        {"order_ref": "O3", "seller_code": code, "category": "fresh", "received": "2024-05-01", "requested": "2024-05-02", "refused": "是"},
    ]  # fmt: skip
    batch = submit(cast, "returns", write_csv(tmp_path / "r.csv", "returns", rows))
    assert batch.status == BatchStatus.APPLIED
    finding = Finding.objects.get()
    assert (finding.kind, finding.term, finding.indicator) == (FindingKind.RETURN_REFUSED, "O1", "returns.refused")
    assert "10.4" in finding.cites


def test_it_refuses_a_return_requested_before_receipt_as_a_bad_row(cast: Cast, tmp_path: Path) -> None:
    rows = [{"order_ref": "O1", "seller_code": "91350583MA2Y5XKQ3E", "category": "clothing", "received": "2024-05-05", "requested": "2024-05-01", "refused": "否"}]  # fmt: skip
    batch = submit(cast, "returns", write_csv(tmp_path / "r.csv", "returns", rows))
    assert batch.problems == [{"line": 2, "field": "申请日期", "reason": "退货申请日期不能早于签收日期"}]


def test_it_reports_short_retention_declarations(cast: Cast, tmp_path: Path) -> None:
    rows = [
        {"what": "transaction_records", "value": "1", "unit": "年"},
        {"what": "user_access_logs", "value": "90", "unit": "日"},
    ]
    submit(cast, "retention", write_csv(tmp_path / "k.csv", "retention", rows))
    finding = Finding.objects.get()
    assert (finding.kind, finding.term) == (FindingKind.RETENTION_SHORT, "transaction_records")
    assert "1095" in finding.detail


def test_it_stores_complaints_with_the_deadline_to_accept(cast: Cast, seller: Entity, tmp_path: Path) -> None:
    rows = [{"reference": "C1", "seller_code": seller.uscc or "", "seller_name": seller.name, "received_on": "2024-09-27", "subject": "发错货"}]  # fmt: skip
    submit(cast, "complaints", write_csv(tmp_path / "c.csv", "complaints", rows))
    complaint = Complaint.objects.get()
    # 7 working days after Friday 2024-09-27: make-up Sunday 29th, Monday 30th, then after the National Day
    # holiday 8th-11th and make-up Saturday 12th
    assert complaint.accept_due.isoformat() == "2024-10-12" and complaint.entity == seller


def test_it_imports_from_the_command_line(cast: Cast, seller: Entity, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "l.csv", "listings", [listing(seller.uscc or "", "SP-1", description="高仿")])
    out = StringIO()
    call_command("monitoring", "import", "listings", str(path), "--json", stdout=out)
    assert json.loads(out.getvalue())["findings"] == 1
    bad = write_csv(tmp_path / "bad.csv", "listings", [listing("", "SP-1")])
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("monitoring", "import", "listings", str(bad), stdout=out)
    assert caught.value.returncode == 2 and "第 2 行“经营者代码”：必填，不能为空" in out.getvalue()


def test_it_counts_problems_beyond_those_it_lists(
    cast: Cast, seller: Entity, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "PROBLEMS_KEPT", 2)
    rows = [listing("", f"SP-{n}") for n in range(3)]
    batch = submit(cast, "listings", write_csv(tmp_path / "l.csv", "listings", rows))
    assert (batch.problem_count, len(batch.problems)) == (3, 2)
    page = cast.client_for(cast.credit_officer).get(f"/monitoring/batches/{batch.pk}/").content.decode()
    assert "另有 1 处错误未列出。" in page


def test_it_refuses_a_file_that_is_not_a_workbook(cast: Cast, tmp_path: Path) -> None:
    path = tmp_path / "l.xlsx"
    path.write_bytes(b"not a zip")
    batch = submit(cast, "listings", path)
    assert batch.status == BatchStatus.REJECTED and "无法读取 XLSX 文件" in str(batch.problems[0]["reason"])


def test_it_lets_a_corrected_batch_use_the_rejected_id(cast: Cast, seller: Entity, tmp_path: Path) -> None:
    bad = submit(cast, "listings", write_csv(tmp_path / "a.csv", "listings", [listing("", "SP-1")]))
    good = submit(cast, "listings", write_csv(tmp_path / "b.csv", "listings", [listing(seller.uscc or "", "SP-1")]))
    assert good.pk == bad.pk and good.status == BatchStatus.APPLIED and good.problems == []
