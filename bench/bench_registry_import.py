"""How fast ``ecredit registry import`` validates and imports a city's list, against plain inserts.

Configures Django on a fresh SQLite database in a temporary directory (never ``./var`` and never
``DATABASE_URL``) and migrates it. Builds 100,000 realistic rows (companies, individual businesses
and natural persons of Nan'an and a few from elsewhere, each with contacts and one website) as a CSV
in memory, and times ``ecredit.registry.importer.import_file`` on it: reading, validating every row
through the registry's services, and writing entities, approved filings with their first version,
websites and badges in one transaction.

The reference, timed in the same run, is a plain ``cursor.executemany`` of the very same rows — read
back from the five tables after the import, every column — into the same tables, in one transaction,
after the tables were emptied and the file vacuumed, so both sides start from an equally fresh
database. Both sides are timed twice, interleaved; each keeps its best time.
"""

from __future__ import annotations

import csv
import io
import os
import random
import tempfile
from pathlib import Path
from typing import Any

from timing import result_line, timed

ROWS = 100_000
REPEATS = 2
SEED = 2023
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
TOWNSHIPS = ["溪美街道", "柳城街道", "美林街道", "省新镇", "仑苍镇", "东田镇", "英都镇", "水头镇", "石井镇", "官桥镇"]
INDUSTRIES = ["水暖卫浴", "石材", "茶叶", "服装鞋帽", "食品", "家具", "五金机械", "日用品"]
SURNAMES = "陈林黄张李王吴刘蔡杨郑洪许苏"
GIVEN = ["志强", "美玲", "建国", "丽华", "晓梅", "文斌", "雅婷", "国平", "秀英", "俊杰"]
ISPS = ["中国电信股份有限公司泉州分公司", "阿里云计算有限公司", "腾讯云计算（北京）有限责任公司"]
HEADER = [
    "名称",
    "主体类型",
    "角色",
    "统一社会信用代码",
    "居民身份证号码",
    "地址",
    "行业",
    "乡镇（街道）",
    "经营范围涉及前置许可",
    "以企业或个体工商户名义经营",
    "联系人",
    "联系电话",
    "电子邮箱",
    "网站名称",
    "网站域名",
    "IP地址",
    "网站类型",
    "ICP备案号",
    "ICP许可证号",
    "ISP提供商",
    "服务器机房地址",
]
TABLES = ("registry_entity", "registry_filing", "registry_filingversion", "registry_website", "registry_badge")


def configure(var_dir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "ecredit.settings"
    os.environ["ECREDIT_VAR_DIR"] = str(var_dir)
    os.environ["ECREDIT_PROFILE"] = "development"
    os.environ["DEBUG"] = "false"  # with DEBUG on, Django keeps every query in memory
    os.environ.pop("DATABASE_URL", None)  # a benchmark never writes to a real database
    import django

    django.setup()

    from django.conf import settings

    database = settings.DATABASES["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3", database["ENGINE"]
    assert Path(database["NAME"]).parent == var_dir, database["NAME"]


def _uscc(serial: int, division: str, first: str) -> str:
    from stdnum.cn import uscc

    body = ""
    for _ in range(9):
        serial, digit = divmod(serial, len(USCC_ALPHABET))
        body = USCC_ALPHABET[digit] + body
    base = f"{first}{division}{body}"
    return base + uscc.calc_check_digit(base)


def _resident_id(serial: int) -> str:
    from stdnum.cn import ric

    born = f"19{60 + serial % 40:02d}{1 + serial // 40 % 12:02d}{1 + serial // 480 % 28:02d}"
    base = f"350583{born}{serial // 13440 % 1000:03d}"
    return base + ric.calc_check_digit(base + "0")


def build_csv(rows: int, *, offset: int = 0) -> bytes:
    """A city's list as its officers export it: Chinese headers, labels, one website per row."""
    rng = random.Random(SEED + offset)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for i in range(rows):
        n = offset + i + 1
        town = rng.choice(TOWNSHIPS)
        industry = rng.choice(INDUSTRIES)
        contact = rng.choice(SURNAMES) + rng.choice(GIVEN)
        shape = n % 10
        if shape == 0:  # a natural person
            name, kind, uscc, rid = contact, "自然人", "", _resident_id(n // 10)
        elif shape in (1, 2, 3):
            name, kind, uscc, rid = (
                f"南安市{town}{contact}{industry}商行{n}",
                "个体工商户",
                _uscc(n, "350583", "92"),
                "",
            )
        else:
            division = "350583" if shape != 9 else "350502"  # a few registered in 鲤城区
            name, kind, uscc, rid = f"南安市{industry}电子商务有限公司{n}", "法人", _uscc(n, division, "91"), ""
        roles = "网络商品经营者" if n % 50 else "网络商品经营者;网络商品交易平台服务经营者"
        writer.writerow(
            [
                name,
                kind,
                roles,
                uscc,
                rid,
                f"福建省泉州市南安市{town}工业路{n % 500 + 1}号",
                industry,
                town,
                "是" if industry == "食品" else "否",
                "否",
                contact,
                f"13{rng.randrange(5, 10)}{rng.randrange(10**8):08d}" if n % 7 else f"0595-86{n % 1000000:06d}",
                f"service{n}@shop{n}.com.cn",
                f"{industry}商城{n}",
                f"www.shop{n}.com.cn",
                f"120.{41 + n % 10}.{n // 256 % 256}.{n % 256}",
                "自建网店",
                f"闽ICP备{2020000000 + n}号-1",
                f"闽B2-{20200000 + n % 100000:08d}" if n % 20 == 0 else "",
                rng.choice(ISPS),
                f"福建省泉州市丰泽区东海街道{n % 9 + 1}号机房",
            ]
        )
    return out.getvalue().encode("utf-8")


def run(var_dir: Path) -> str:
    configure(var_dir)

    from django.core.management import call_command
    from django.db import connection, transaction

    from ecredit.accounts.actors import Actor
    from ecredit.accounts.roles import Role
    from ecredit.registry import importer
    from ecredit.registry.models import Badge, Entity, Filing, FilingStatus, FilingVersion, Website

    call_command("migrate", verbosity=0)
    officer = Actor(label="王丽华（credit）", user_id=2, organisation_id=1, roles=frozenset({Role.CREDIT_OFFICER}))
    content = build_csv(ROWS)
    columns: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            columns[table] = [column.name for column in connection.introspection.get_table_description(cursor, table)]

    def wipe() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE registry_filing SET current_version_id = NULL, approved_version_id = NULL")
            for table in ("registry_badge", "registry_website", "registry_filingversion", "registry_filing"):
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 -- our own table names
            cursor.execute("DELETE FROM registry_entity")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")

    rows: dict[str, list[tuple[Any, ...]]] = {}
    reports = []

    def imported() -> None:
        reports.append(importer.import_file(officer, "南安市网络经营主体名录.csv", content, dry_run=False))

    def read_back() -> None:
        with connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute(f"SELECT {', '.join(columns[table])} FROM {table} ORDER BY id")  # noqa: S608
                rows[table] = cursor.fetchall()

    def insert() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            for table in TABLES:
                names = columns[table]
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})",  # noqa: S608
                    rows[table],
                )

    import_times: list[float] = []
    insert_times: list[float] = []
    for n in range(REPEATS):
        wipe()
        import_times.append(timed(imported))
        report = reports[-1]
        assert report.problems == [] and report.created == ROWS, (report.problems[:5], report.summary())
        assert Filing.objects.filter(status=FilingStatus.APPROVED, approved_version__isnull=False).count() == ROWS
        assert Website.objects.count() == Badge.objects.count() == FilingVersion.objects.count() == ROWS
        assert Entity.objects.filter(in_jurisdiction=False).count() == ROWS // 10
        if n == 0:
            read_back()
        wipe()
        insert_times.append(timed(insert))
        assert Entity.objects.count() == Filing.objects.count() == Badge.objects.count() == ROWS
    connection.close()

    best, reference = min(import_times), min(insert_times)
    print(
        f"  {ROWS} rows ({len(content) / 1e6:.1f} MB CSV): import_file {best:.2f} s "
        f"(all: {', '.join(f'{t:.2f}' for t in import_times)}); executemany of the same rows into the same "
        f"five tables {reference:.2f} s (all: {', '.join(f'{t:.2f}' for t in insert_times)})"
    )
    return result_line("registry_import", best * 1000, "ms", reference * 1000, "plain-executemany")


def main() -> str:
    with tempfile.TemporaryDirectory(prefix="ecredit-bench-") as tmp:
        return run(Path(tmp).resolve())


if __name__ == "__main__":
    print(main())
