"""Bulk import of the city's existing lists (`ecredit registry import`, the UI and the API share it):
every row is checked first; one bad row and nothing is imported; the same file twice changes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from stdnum.cn import ric, uscc

from ecredit.accounts.actors import Actor
from ecredit.accounts.services import actor_for_user
from ecredit.audit.models import AuditEntry
from ecredit.audit.services import verify_chain
from ecredit.credit.models import CreditEvent
from ecredit.errors import DomainError, ErrorCode
from ecredit.registry import importer, services
from ecredit.registry.models import Badge, Entity, Filing, FilingStatus, FilingVersion, Website
from tests.cast import Cast

pytestmark = pytest.mark.django_db

HEADER = importer.template().splitlines()[0].split(",")
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_uscc(serial: int, division: str = "350583", first: str = "91") -> str:
    body = ""
    for _ in range(9):
        serial, digit = divmod(serial, len(ALPHABET))
        body = ALPHABET[digit] + body
    base = f"{first}{division}{body}"
    return base + uscc.calc_check_digit(base)


def make_resident_id(serial: int, division: str = "350583", born: str = "19850317") -> str:
    base = f"{division}{born}{serial % 1000:03d}"
    return base + ric.calc_check_digit(base + "0")


def wrong_check(code: str) -> str:
    """The same code with a different, wrong, check character."""
    return code[:17] + next(c for c in "0123456789" if c != code[17])


def row(serial: int, **changes: str) -> dict[str, str]:
    values = {
        "名称": f"南安市第{serial}号电子商务有限公司",
        "主体类型": "法人",
        "角色": "网络商品经营者",
        "统一社会信用代码": make_uscc(serial),
        "居民身份证号码": "",
        "地址": f"福建省泉州市南安市溪美街道成功街{serial}号",
        "行业": "水暖卫浴",
        "乡镇（街道）": "溪美街道",
        "经营范围涉及前置许可": "否",
        "以企业或个体工商户名义经营": "否",
        "联系人": "林志强",
        "联系电话": f"139059{serial:05d}",
        "电子邮箱": f"shop{serial}@example.com.cn",
        "网站名称": f"第{serial}号卫浴商城",
        "网站域名": f"www.shop{serial}.cn",
        "IP地址": "120.41.8.9",
        "网站类型": "自建网店",
        "ICP备案号": f"闽ICP备2023{serial:06d}号-1",
        "ICP许可证号": "",
        "ISP提供商": "中国电信股份有限公司泉州分公司",
        "服务器机房地址": "福建省泉州市丰泽区东海街道",
    }
    values.update(changes)
    return values


def person(serial: int, **changes: str) -> dict[str, str]:
    return row(
        serial,
        **{
            "名称": "陈美玲",
            "主体类型": "自然人",
            "统一社会信用代码": "",
            "居民身份证号码": make_resident_id(serial),
            "经营范围涉及前置许可": "是",
            **changes,
        },
    )


def csv_bytes(rows: list[dict[str, str]], *, encoding: str = "utf-8", header: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = header or HEADER
    writer.writerow(columns)
    for values in rows:
        writer.writerow([values.get(column, "") for column in HEADER])
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def officer(cast: Cast) -> Actor:
    return actor_for_user(cast.credit_officer)


def run_command(*args: str) -> str:
    out = io.StringIO()
    call_command("registry", *args, stdout=out)
    return out.getvalue()


# --- the service ---------------------------------------------------------------------------------


def test_it_imports_entities_with_approved_filings_websites_and_one_badge_each(cast: Cast) -> None:
    content = csv_bytes([row(1), row(2, 角色="网络商品经营者;网络商品交易平台服务经营者"), person(3)])
    before = AuditEntry.objects.count()

    report = importer.import_file(officer(cast), "南安市电商名录.csv", content, dry_run=False)

    assert (report.problems, report.rows, report.created, report.unchanged) == ([], 3, 3, 0)
    assert "新增 3 个主体" in report.summary()
    platform = Entity.objects.get(uscc=make_uscc(2))
    assert platform.roles == ["seller", "platform"] and platform.kind == "legal_person"
    assert platform.in_jurisdiction and platform.division_code == "350583"
    for entity in Entity.objects.all():
        filing = Filing.objects.get(entity=entity)
        assert filing.status == FilingStatus.APPROVED and filing.in_force
        assert filing.first_approved_on == timezone.localdate()
        assert filing.current_version_id == filing.approved_version_id is not None
        version = FilingVersion.objects.get(filing=filing)
        assert version.number == 1 and version.review_decision == "approved" and version.frozen
        assert version.review_reasons == "批量导入：南安市电商名录.csv"
        assert version.subject_name == entity.name and version.contact_phone.startswith("+86139059")
        assert entity.badges.filter(revoked_at__isnull=True).count() == 1
        badge = entity.badges.get()
        assert services.badge_status(badge).state == "valid"
        assert services.resolve_badge(services.badge_token(badge)) == badge
    assert Website.objects.get(entity=platform).domain == "www.shop2.cn"
    assert Website.objects.get(entity=platform).icp_filing == "闽ICP备2023000002号-1"
    numbers = sorted(Filing.objects.values_list("number", flat=True))
    year = timezone.localdate().year
    assert numbers == [f"NA-{year}-000001", f"NA-{year}-000002", f"NA-{year}-000003"]
    # One audit entry for the whole import, not one per row.
    entries = AuditEntry.objects.filter(seq__gt=before)
    assert [entry.action for entry in entries] == ["registry.import"]
    entry = entries.get()
    assert entry.target_type == "registry.import" and entry.actor_user_id == cast.credit_officer.pk
    assert entry.changes["filename"] == [None, "南安市电商名录.csv"]
    assert entry.changes["rows"] == [None, 3] and entry.changes["created"] == [None, 3]
    assert len(entry.changes["sha256"][1]) == 64
    assert verify_chain()[1] is None


def test_it_tells_the_credit_ledger_that_each_imported_filing_is_in_force(cast: Cast) -> None:
    content = csv_bytes([row(1), row(2, 角色="网络商品经营者;网络商品交易平台服务经营者"), person(3)])

    importer.import_file(officer(cast), "南安市电商名录.csv", content, dry_run=False)

    for entity in Entity.objects.all():
        filing = Filing.objects.get(entity=entity)
        event = CreditEvent.objects.get(entity=entity)
        assert (event.indicator, event.source_kind, event.source_ref) == ("filing.current", "filing", filing.number)
        assert event.occurred_on == timezone.localdate() and event.cites == ["8"]
        assert event.recorded_by == officer(cast).label
    # The imported filings then count as an approval does: a second approval-like fact is not recorded.
    again = Entity.objects.get(uscc=make_uscc(1))
    services.suspend_filing(officer(cast), Filing.objects.get(entity=again), reason="核查中发现地址不符，暂停备案")
    assert list(CreditEvent.objects.filter(entity=again).order_by("pk").values_list("indicator", flat=True)) == [
        "filing.current",
        "filing.lapsed",
    ]
    # Importing the same file again records nothing more.
    importer.import_file(officer(cast), "南安市电商名录.csv", content, dry_run=False)
    assert CreditEvent.objects.count() == 4


def test_it_imports_nothing_when_one_row_is_bad_and_names_the_row(cast: Cast) -> None:
    bad = wrong_check(make_uscc(2))
    content = csv_bytes([row(1), row(2, 统一社会信用代码=bad), row(3)])
    before = AuditEntry.objects.count()

    report = importer.import_file(officer(cast), "list.csv", content, dry_run=False)

    assert Entity.objects.count() == 0 and Filing.objects.count() == 0 and Badge.objects.count() == 0
    assert AuditEntry.objects.count() == before
    assert report.created == 0 and report.rows == 3
    [problem] = report.problems
    assert (problem.line_number, problem.column) == (3, "统一社会信用代码")
    assert problem.line().startswith(
        f"第 3 行，列“统一社会信用代码”：校验位错误：应为 {make_uscc(2)[17]}，实为 {bad[17]}"
    )
    assert "未导入任何数据" in report.summary()


def test_it_reports_every_bad_row_with_its_column_and_a_reason_in_chinese(cast: Cast) -> None:
    content = csv_bytes(
        [
            row(1),
            row(2, 主体类型="公司"),
            row(3, 联系电话="12345", 电子邮箱=""),
            row(4, 统一社会信用代码=make_uscc(1)),  # the same code as line 2
            row(5, 网站域名="com.cn", ICP备案号="闽B2-20201234"),
            row(6, 角色="卖家", 经营范围涉及前置许可="也许"),
            person(7, 居民身份证号码="35058319850317001"),
            row(8, 名称="", 统一社会信用代码=""),
        ]
    )
    report = importer.import_file(officer(cast), "list.csv", content, dry_run=True)

    found = {(p.line_number, p.column) for p in report.problems}
    assert found == {
        (3, "主体类型"),
        (4, "联系电话"),
        (5, "统一社会信用代码"),
        (6, "网站域名"),
        (6, "ICP备案号"),
        (7, "角色"),
        (7, "经营范围涉及前置许可"),
        (8, "居民身份证号码"),
        (9, "名称"),
        (9, "统一社会信用代码"),
    }
    lines = [p.line() for p in report.problems]
    assert [p.line_number for p in report.problems] == sorted(p.line_number for p in report.problems)
    assert "第 3 行，列“主体类型”：主体类型“公司”无效，应为：自然人、个体工商户、法人、其他经济组织。" in lines
    assert "第 5 行，列“统一社会信用代码”：与第 2 行重复：同一统一社会信用代码在文件中出现两次。" in lines
    assert any(line.startswith("第 7 行，列“角色”：角色“卖家”无效") for line in lines)
    assert "第 9 行，列“名称”：名称不能为空。" in lines
    assert "发现 10 处问题（涉及 7 行" in report.summary()
    assert Entity.objects.count() == 0


def test_it_changes_nothing_when_the_same_file_is_imported_again(cast: Cast) -> None:
    content = csv_bytes([row(1), row(2), person(3)])
    first = importer.import_file(officer(cast), "list.csv", content, dry_run=False)
    state = list(Entity.objects.order_by("pk").values_list("pk", "name", "updated_at"))
    entries = AuditEntry.objects.count()

    again = importer.import_file(officer(cast), "list.csv", content, dry_run=False)

    assert (first.created, first.unchanged) == (3, 0)
    assert (again.problems, again.created, again.unchanged) == ([], 0, 3)
    assert list(Entity.objects.order_by("pk").values_list("pk", "name", "updated_at")) == state
    assert Filing.objects.count() == FilingVersion.objects.count() == Badge.objects.count() == 3
    assert AuditEntry.objects.count() == entries
    assert "3 个已登记的主体保持不变" in again.summary()


def test_it_leaves_an_already_registered_entity_as_it_is_and_adds_the_others(cast: Cast) -> None:
    existing = services.register_entity(
        officer(cast),
        services.EntityData(name="已登记的公司", kind="legal_person", roles=["seller"], uscc=make_uscc(1)),
    )
    report = importer.import_file(officer(cast), "list.csv", csv_bytes([row(1), row(2)]), dry_run=False)

    assert (report.created, report.unchanged) == (1, 1)
    existing.refresh_from_db()
    assert existing.name == "已登记的公司" and not Filing.objects.filter(entity=existing).exists()


def test_it_writes_nothing_on_a_dry_run_and_says_what_it_would_do(cast: Cast) -> None:
    before = AuditEntry.objects.count()
    report = importer.import_file(officer(cast), "list.csv", csv_bytes([row(1), person(2)]), dry_run=True)

    assert (report.problems, report.rows, report.created, report.unchanged, report.dry_run) == ([], 2, 2, 0, True)
    assert Entity.objects.count() == 0 and AuditEntry.objects.count() == before
    assert report.summary().startswith("试运行") and "未写入任何数据" in report.summary()


def test_it_accepts_a_letter_first_code_and_one_from_outside_the_jurisdiction(cast: Cast) -> None:
    letter_first = make_uscc(11, first="N2")  # 农业部门登记的农民专业合作社
    licheng = make_uscc(12, division="350502")  # 泉州市鲤城区
    content = csv_bytes(
        [
            row(11, 统一社会信用代码=letter_first, 主体类型="其他经济组织"),
            row(12, 统一社会信用代码=licheng, 角色="infrastructure"),
        ]
    )
    report = importer.import_file(officer(cast), "list.csv", content, dry_run=False)

    assert report.problems == [] and report.created == 2
    cooperative = Entity.objects.get(uscc=letter_first)
    assert cooperative.kind == "other_org" and cooperative.in_jurisdiction
    outside = Entity.objects.get(uscc=licheng)
    assert not outside.in_jurisdiction and outside.division_code == "350502"
    assert outside.roles == ["infrastructure"]


def test_it_stores_a_natural_persons_resident_id_encrypted_and_masked(cast: Cast) -> None:
    resident_id = make_resident_id(7)
    importer.import_file(officer(cast), "list.csv", csv_bytes([person(7)]), dry_run=False)

    entity = Entity.objects.get()
    assert entity.kind == "natural_person" and entity.uscc is None
    assert entity.resident_id == resident_id
    assert entity.resident_id_masked == resident_id[:6] + "********" + resident_id[-4:]
    assert entity.code == entity.resident_id_masked and entity.sells_permit_goods and entity.must_register
    with connection.cursor() as cursor:
        cursor.execute("SELECT resident_id, resident_id_digest FROM registry_entity WHERE id = %s", [entity.pk])
        stored, digest = cursor.fetchone()
        cursor.execute("SELECT contact_phone FROM registry_filingversion")
        (phone,) = cursor.fetchone()
    assert resident_id not in stored and resident_id[6:14] not in stored
    assert digest and resident_id not in digest
    assert "13905900007" not in phone
    # The full number is found again by its digest: a second import leaves it unchanged.
    again = importer.import_file(officer(cast), "list.csv", csv_bytes([person(7, 名称="陈美玲（改）")]), dry_run=False)
    assert (again.created, again.unchanged) == (0, 1)


def test_it_refuses_people_who_may_not_import(cast: Cast) -> None:
    content = csv_bytes([row(1)])
    for user in (cast.seller_a, cast.platform_user, cast.inspector, cast.auditor):
        with pytest.raises(DomainError) as refused:
            importer.import_file(actor_for_user(user), "list.csv", content, dry_run=True)
        assert refused.value.code == ErrorCode.FORBIDDEN
    assert importer.import_file(actor_for_user(cast.admin), "list.csv", content, dry_run=True).created == 1
    assert Entity.objects.count() == 0


def test_it_imports_its_own_template(cast: Cast) -> None:
    text = importer.template()
    assert text.endswith("\n") and len(text.splitlines()) == 2
    report = importer.import_file(officer(cast), "template.csv", text.encode(), dry_run=False)

    assert report.problems == [] and report.created == 1
    entity = Entity.objects.get()
    assert entity.township and entity.industry and entity.in_jurisdiction
    assert Website.objects.get(entity=entity).icp_filing


# --- the file ----------------------------------------------------------------------------------


def test_it_reads_a_gb18030_csv_from_chinese_excel_and_a_utf8_csv_with_bom(cast: Cast) -> None:
    gb = importer.import_file(officer(cast), "名录.csv", csv_bytes([row(1)], encoding="gb18030"), dry_run=False)
    bom = importer.import_file(officer(cast), "名录.csv", csv_bytes([row(2)], encoding="utf-8-sig"), dry_run=False)

    assert (gb.problems, gb.created, bom.problems, bom.created) == ([], 1, [], 1)
    assert set(Entity.objects.values_list("name", flat=True)) == {
        "南安市第1号电子商务有限公司",
        "南安市第2号电子商务有限公司",
    }


def test_it_reads_xlsx_with_numbers_and_blank_rows(cast: Cast) -> None:
    good = row(1)
    values: list[object] = [good[column] for column in HEADER]
    values[HEADER.index("联系电话")] = 13905900001  # Excel keeps a phone number as a number
    content = xlsx_bytes([HEADER, values, [], [row(2)[column] for column in HEADER]])

    report = importer.import_file(officer(cast), "名录.xlsx", content, dry_run=False)

    assert (report.problems, report.rows, report.created) == ([], 2, 2)
    assert FilingVersion.objects.filter(contact_phone_masked="139****0001").count() == 1


def test_it_names_the_excel_row_and_warns_of_long_codes_stored_as_numbers(cast: Cast) -> None:
    person_row = person(5)
    values: list[object] = [person_row[column] for column in HEADER]
    values[HEADER.index("居民身份证号码")] = int(make_resident_id(5)[:17] + "0")
    content = xlsx_bytes([HEADER, [row(1)[column] for column in HEADER], [], values])

    report = importer.import_file(officer(cast), "名录.xlsx", content, dry_run=False)

    [problem] = report.problems
    assert (problem.line_number, problem.column) == (4, "居民身份证号码")
    assert "文本" in problem.reason
    assert Entity.objects.count() == 0


def test_it_accepts_english_headers_and_codes(cast: Cast) -> None:
    header = ["name", "kind", "roles", "uscc", "contact_phone", "website_name", "website_domain", "website_kind"]
    text = (
        ",".join(header)
        + "\n"
        + f"南安市英文表头有限公司,legal_person,seller;platform,{make_uscc(9)},0595-86381234,官网,www.example.com.cn,corporate\n"
    )
    report = importer.import_file(officer(cast), "list.csv", text.encode(), dry_run=False)

    assert report.problems == [] and report.created == 1
    entity = Entity.objects.get()
    assert entity.roles == ["seller", "platform"]
    assert Website.objects.get().kind == "corporate"


def test_it_reports_unknown_repeated_and_missing_headers_on_line_1(cast: Cast) -> None:
    text = "名称,备注,名称,联系电话\n南安市某某有限公司,无,南安市某某有限公司,13905951234\n"
    report = importer.import_file(officer(cast), "list.csv", text.encode(), dry_run=False)

    lines = [p.line() for p in report.problems]
    assert all(p.line_number == 1 for p in report.problems)
    assert any(line.startswith("第 1 行，列“备注”：未知的列“备注”") for line in lines)
    assert "第 1 行，列“名称”：与第 1 列重复（都是“名称”）。" in lines
    assert "第 1 行，列“主体类型”：缺少必填的列“主体类型”。" in lines
    assert "第 1 行，列“角色”：缺少必填的列“角色”。" in lines
    assert any("统一社会信用代码”或“居民身份证号码" in line for line in lines)
    assert Entity.objects.count() == 0


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("list.csv", b"", "空"),
        ("list.csv", "名称,主体类型,角色,统一社会信用代码,联系电话\n".encode(), "没有数据行"),
        ("list.pdf", b"%PDF-1.7\n\x00\x01\x02\xff\xfe binary", "CSV"),
        ("list.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, ".xls"),
        ("list.xlsx", b"PK\x03\x04 not really a zip", "Excel"),
        ("list.xlsx", "名称,主体类型\n".encode(), "不是有效的 Excel"),
    ],
)
def test_it_refuses_a_file_it_cannot_read_with_a_message(
    cast: Cast, filename: str, content: bytes, message: str
) -> None:
    with pytest.raises(DomainError) as refused:
        importer.import_file(officer(cast), filename, content, dry_run=False)
    assert refused.value.code == ErrorCode.VALIDATION and message in refused.value.message


# --- the command -------------------------------------------------------------------------------


def test_it_prints_the_template_from_the_command() -> None:
    assert run_command("template") == importer.template()


def test_it_imports_from_the_command_and_exits_1_naming_bad_rows(cast: Cast, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([row(1), row(2, 联系电话="", 电子邮箱="")], encoding="gb18030"))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("registry", "import", str(bad), stdout=out)
    assert exited.value.code == 1
    assert "第 3 行，列“联系电话”：请至少填写一种联系方式（电话或电子邮箱）。" in out.getvalue()
    assert "未导入任何数据" in out.getvalue() and Entity.objects.count() == 0

    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx_bytes([HEADER, *([row(n)[column] for column in HEADER] for n in (1, 2))]))
    assert "试运行" in run_command("import", str(good), "--dry-run") and Entity.objects.count() == 0
    assert "新增 2 个主体" in run_command("import", str(good))
    assert "2 个已登记的主体保持不变" in run_command("import", str(good))
    entry = AuditEntry.objects.get(action="registry.import")
    assert entry.actor_label == "命令行：ecredit registry import" and entry.changes["filename"] == [None, "good.xlsx"]


def test_it_gives_the_filing_the_dates_of_the_import(cast: Cast) -> None:
    importer.import_file(officer(cast), "list.csv", csv_bytes([row(1)]), dry_run=False)
    version = FilingVersion.objects.get()
    assert version.declared_at is not None and version.reviewed_at is not None
    assert abs(timezone.now() - version.reviewed_at) < dt.timedelta(minutes=5)
    assert version.reviewed_by == officer(cast).label and "批量导入" in version.declared_by


def test_it_imports_through_the_upload_page_and_lists_every_bad_row(cast: Cast) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    page = cast.client_for(cast.credit_officer)
    bad = csv_bytes([row(61), row(62, 统一社会信用代码=wrong_check(make_uscc(62)))])
    response = page.post(reverse("registry:import"), {"file": SimpleUploadedFile("名单.csv", bad), "dry_run": ""})
    body = response.content.decode()
    assert response.status_code == 400 and "<td>3</td>" in body and "统一社会信用代码" in body and "校验位" in body
    assert not Entity.objects.exists()
    good = csv_bytes([row(61), row(62)])
    response = page.post(reverse("registry:import"), {"file": SimpleUploadedFile("名单.csv", good), "dry_run": "on"})
    assert response.status_code == 200 and not Entity.objects.exists()
    response = page.post(reverse("registry:import"), {"file": SimpleUploadedFile("名单.csv", good)})
    assert response.status_code == 200 and Entity.objects.count() == 2
    assert page.get(reverse("registry:import")).status_code == 200
    assert cast.client_for(cast.seller_a).get(reverse("registry:import")).status_code == 403
