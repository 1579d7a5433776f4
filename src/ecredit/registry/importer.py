"""Bulk import of the city's existing lists: entities with their filings, from CSV or XLSX.

Every row is validated first, through the same ``services.clean_entity`` / ``services.clean_filing``
that the forms and the API use; one bad row and nothing is written. A clean file is written in one
transaction: new entities arrive with an approved filing, their websites and a badge (they are the
city's already-registered operators); a row whose code is already registered is left as it is, so
importing the same file again changes nothing. One audit entry records the whole import.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import secrets
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone, translation

from ecredit.accounts.actors import Actor
from ecredit.accounts.roles import Action
from ecredit.audit import services as audit
from ecredit.credit import services as credit
from ecredit.crypto import lookup_digest
from ecredit.errors import DomainError, ErrorCode
from ecredit.registry import codes, services
from ecredit.registry.models import (
    Badge,
    Entity,
    EntityKind,
    EntityRole,
    Filing,
    FilingStatus,
    FilingVersion,
    Website,
    WebsiteKind,
)

BATCH = 2000
LOOKUP_BATCH = 500  # values per ``IN (...)``: under SQLite's oldest limit of 999 parameters


# --- the columns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str  # the English key, also accepted as a header
    header: str  # the Chinese header the template uses
    aliases: tuple[str, ...] = ()
    max_length: int = 0  # checked here when the services leave it to the database
    example: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("name", "名称", ("主体名称", "经营主体名称", "企业名称"), example="南安市溪美好茶电子商务有限公司"),
    Column("kind", "主体类型", ("类型",), example="法人"),
    Column("roles", "角色", ("主体角色",), example="网络商品经营者"),
    Column("uscc", "统一社会信用代码", ("信用代码",), example="91350583MA8TNA2X14"),
    Column("resident_id", "居民身份证号码", ("身份证号码", "身份证号")),
    Column("address", "地址", ("住所", "经营场所", "住所（经营场所）"), 300, "福建省泉州市南安市溪美街道成功街88号"),
    Column("industry", "行业", (), 60, "茶叶"),
    Column("township", "乡镇（街道）", ("乡镇", "街道"), 60, "溪美街道"),
    Column("sells_permit_goods", "经营范围涉及前置许可", ("涉及前置许可",), example="是"),
    Column("trades_in_enterprise_name", "以企业或个体工商户名义经营", ("以企业名义经营",), example="否"),
    Column("contact_name", "联系人", (), 60, "林志强"),
    Column("contact_phone", "联系电话", ("电话", "手机号码"), example="13905951234"),
    Column("contact_email", "电子邮箱", ("邮箱", "email"), 254, "service@nahaocha.cn"),
    Column("website_name", "网站名称", (), 200, "南安好茶网"),
    Column("website_domain", "网站域名", ("域名", "domain"), example="www.nahaocha.cn"),
    Column("website_ip", "IP地址", ("ip",), example="203.0.113.10"),
    Column("website_kind", "网站类型", (), example="自建网店"),
    Column("icp_filing", "ICP备案号", (), example="闽ICP备2023012345号-1"),
    Column("icp_licence", "ICP许可证号", ("ICP经营许可证号",)),
    Column("isp", "ISP提供商", ("ISP",), 200, "中国电信股份有限公司泉州分公司"),
    Column("server_room", "服务器机房地址", ("机房地址",), 300, "福建省泉州市丰泽区东海街道通港西街156号"),
)
BY_KEY = {column.key: column for column in COLUMNS}
REQUIRED = ("name", "kind", "roles")
ONE_OF = (("uscc", "resident_id"), ("contact_phone", "contact_email"))
CODE_COLUMNS = frozenset({"uscc", "resident_id", "contact_phone"})
WEBSITE_COLUMNS = {
    "website_name": "name",
    "website_domain": "domain",
    "website_ip": "ip",
    "website_kind": "kind",
    "icp_filing": "icp_filing",
    "icp_licence": "icp_licence",
    "isp": "isp",
    "server_room": "server_room",
}
# Where the services' error keys belong in the file.
ERROR_COLUMNS = {
    "name": "name",
    "subject_name": "name",
    "kind": "kind",
    "subject_kind": "kind",
    "roles": "roles",
    "uscc": "uscc",
    "resident_id": "resident_id",
    "contact_phone": "contact_phone",
    "contact_email": "contact_email",
    **{f"websites.1.{site_key}": key for key, site_key in WEBSITE_COLUMNS.items()},
}
YES = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "有"})
NO = frozenset({"否", "n", "no", "false", "0", "", "×", "无"})
_ROLE_SPLIT = re.compile(r"[;；、,，/|\s]+")


def _header_key(text: str) -> str:
    """How headers are compared: NFKC, no spaces, no ``*`` marks, case-folded."""
    return codes.normalise_name(text).strip("*")


def _header_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for column in COLUMNS:
        for name in (column.key, column.header, *column.aliases):
            lookup[_header_key(name)] = column.key
    return lookup


HEADERS = _header_lookup()


def template() -> str:
    """The import file's header and one example row, as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([column.header for column in COLUMNS])
    writer.writerow([column.example for column in COLUMNS])
    return out.getvalue()


# --- the report -------------------------------------------------------------------------------


@dataclass
class RowProblem:
    """One reason a row (or, on line 1, the header) cannot be imported."""

    line_number: int
    column: str
    reason: str

    def line(self) -> str:
        where = f"第 {self.line_number} 行"
        if self.column:
            where += f"，列“{self.column}”"
        return f"{where}：{self.reason}"


@dataclass
class ImportReport:
    problems: list[RowProblem]
    rows: int
    created: int
    unchanged: int
    dry_run: bool

    def summary(self) -> str:
        if self.problems:
            lines = len({problem.line_number for problem in self.problems})
            head = "试运行：" if self.dry_run else ""
            return (
                f"{head}发现 {len(self.problems)} 处问题（涉及 {lines} 行，文件共 {self.rows} 行数据），"
                "未导入任何数据。请改正后重新导入整个文件。"
            )
        if self.dry_run:
            return (
                f"试运行：{self.rows} 行全部校验通过；正式导入将新增 {self.created} 个主体及其备案，"
                f"{self.unchanged} 个已登记的主体保持不变。本次未写入任何数据。"
            )
        return (
            f"导入完成：共 {self.rows} 行，新增 {self.created} 个主体（备案已通过、已发放电子链接标识），"
            f"{self.unchanged} 个已登记的主体保持不变。"
        )


# --- reading the file -------------------------------------------------------------------------

Table = list[tuple[int, list[str]]]  # (line number as a person sees it, cells)


def _refuse(message: str) -> DomainError:
    return DomainError(ErrorCode.VALIDATION, message)


def _read(filename: str, content: bytes) -> Table:
    if not content.strip():
        raise _refuse("文件是空的。")
    lower = filename.lower()
    if content[:4] == b"PK\x03\x04":
        return _read_xlsx(content)
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or lower.endswith(".xls"):
        raise _refuse("这是旧版 Excel（.xls）文件，请在 Excel 中“另存为” .xlsx 或 CSV（UTF-8）后再导入。")
    if lower.endswith((".xlsx", ".xlsm")):
        raise _refuse("文件扩展名是 .xlsx，但内容不是有效的 Excel 工作簿，请重新导出。")
    return _read_csv(_decode(content))


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in content:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return content.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise _refuse("无法读取该文件：请上传 CSV（UTF-8 或 GB18030 编码）或 Excel（.xlsx）文件。")


def _read_csv(text: str) -> Table:
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter)
    table: Table = []
    try:
        for number, row in enumerate(reader, 1):
            table.append((number, row))
    except csv.Error:
        raise _refuse(
            f"CSV 文件第 {len(table) + 1} 行格式有误（例如引号不成对或单元格过长），无法读取；请用 Excel 或 WPS 重新导出。"
        ) from None
    return table


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class _Numeric(str):
    """A cell Excel stored as a number (only matters for long codes, which lose digits)."""

    __slots__ = ()


MAX_XLSX_UNPACKED = 1 << 30  # a workbook that unpacks to more than 1 GiB is refused, not read


def _read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    unreadable = _refuse("无法读取该 Excel 文件：请确认是 .xlsx 格式（不是 .xls、WPS 专用格式或其他压缩包）。")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise unreadable from None
    if unpacked > MAX_XLSX_UNPACKED:
        raise _refuse("Excel 文件解压后过大，请拆分成几个文件，或另存为 CSV 后再导入。")
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # any malformed workbook: openpyxl raises many kinds
        raise unreadable from None
    table: Table = []
    try:
        if not book.worksheets:
            raise _refuse("Excel 文件中没有工作表。")
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # some writers record wrong dimensions; read what is there
        for number, row in enumerate(sheet.iter_rows(values_only=True), 1):
            cells = [
                _Numeric(_cell(value))
                if isinstance(value, int | float) and not isinstance(value, bool)
                else _cell(value)
                for value in row
            ]
            table.append((number, cells))
    except DomainError:
        raise
    except Exception:
        raise _refuse(f"Excel 文件第 {len(table) + 1} 行无法读取，请在 Excel 中重新保存后再导入。") from None
    finally:
        book.close()
    return table


# --- validating -------------------------------------------------------------------------------


@dataclass
class _Row:
    line_number: int
    entity: services.CleanEntity
    filing: services.FilingData
    key: str  # ``uscc:<code>`` or ``rid:<digest>``


@dataclass
class _Vocabulary:
    """Codes and Chinese (and current-language) labels people type for kinds and roles."""

    kinds: dict[str, str] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    website_kinds: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls) -> _Vocabulary:
        vocabulary = cls()
        extra_roles = {"平台服务经营者": EntityRole.PLATFORM, "基础服务经营者": EntityRole.INFRASTRUCTURE}
        for target, choices in (
            (vocabulary.kinds, EntityKind),
            (vocabulary.roles, EntityRole),
            (vocabulary.website_kinds, WebsiteKind),
        ):
            labels: list[tuple[str, str]] = []
            for value, label in choices.choices:
                labels.append((value, str(label)))
                with translation.override(None):
                    labels.append((value, str(label)))
            for value, label in labels:
                target[codes.normalise_name(value)] = value
                target[codes.normalise_name(label)] = value
        for label, value in extra_roles.items():
            vocabulary.roles[codes.normalise_name(label)] = value
        return vocabulary


def _labels(choices: Any) -> str:
    with translation.override(None):
        return "、".join(str(label) for _value, label in choices.choices)


class _Validator:
    def __init__(self, columns: dict[str, int], headers: list[str]) -> None:
        self.columns = columns  # key → index in the row
        self.headers = headers
        self.vocabulary = _Vocabulary.build()
        self.kind_labels = _labels(EntityKind)
        self.role_labels = _labels(EntityRole)
        self.website_kind_labels = _labels(WebsiteKind)
        self.seen: dict[str, int] = {}

    def header(self, key: str) -> str:
        index = self.columns.get(key)
        if index is not None:
            return self.headers[index]
        return BY_KEY[key].header if key in BY_KEY else ""

    def row(self, line_number: int, cells: list[str], problems: list[RowProblem]) -> _Row | None:
        values: dict[str, str] = {}
        numeric: set[str] = set()
        for key, index in self.columns.items():
            raw = cells[index] if index < len(cells) else ""
            values[key] = raw
            if isinstance(raw, _Numeric):
                numeric.add(key)
        errors: dict[str, str] = {}

        def problem(key: str, reason: str) -> None:
            errors.setdefault(key, reason)

        for key in CODE_COLUMNS & numeric:
            if len(values[key]) > 15:
                problem(
                    key,
                    "这个号码在 Excel 中是数字格式，Excel 只保留 15 位有效数字，末几位可能已经改变；"
                    "请把该列设为“文本”格式后重新填写。",
                )
        kind = self._choice(values.get("kind", ""), self.vocabulary.kinds)
        if not values.get("kind", "").strip():
            problem("kind", f"请填写主体类型：{self.kind_labels}。")
        elif kind is None:
            problem("kind", f"主体类型“{codes.normalise_text(values['kind'])}”无效，应为：{self.kind_labels}。")
        roles, bad_roles = self._roles(values.get("roles", ""))
        if bad_roles:
            problem("roles", f"角色“{'、'.join(bad_roles)}”无效，应为：{self.role_labels}（多个角色用分号隔开）。")
        elif not roles:
            problem("roles", f"请填写角色：{self.role_labels}（多个角色用分号隔开）。")
        flags: dict[str, bool] = {}
        for key in ("sells_permit_goods", "trades_in_enterprise_name"):
            flag = codes.normalise_name(values.get(key, ""))
            if flag in YES:
                flags[key] = True
            elif flag in NO:
                flags[key] = False
            else:
                problem(key, f"应填写“是”或“否”，实为“{codes.normalise_text(values[key])}”。")
        for key, limit in ((c.key, c.max_length) for c in COLUMNS if c.max_length and c.key in values):
            length = len(codes.normalise_text(values[key]))
            if length > limit:
                problem(key, f"不能超过 {limit} 个字符，实为 {length} 个。")

        entity_data = services.EntityData(
            name=values.get("name", ""),
            kind=kind or values.get("kind", ""),
            roles=roles,
            uscc=values.get("uscc", ""),
            resident_id=values.get("resident_id", ""),
            address=values.get("address", ""),
            industry=values.get("industry", ""),
            township=values.get("township", ""),
            sells_permit_goods=flags.get("sells_permit_goods", False),
            trades_in_enterprise_name=flags.get("trades_in_enterprise_name", False),
        )
        site = {site_key: values.get(key, "") for key, site_key in WEBSITE_COLUMNS.items()}
        if site["kind"].strip():
            site["kind"] = self._choice(site["kind"], self.vocabulary.website_kinds) or site["kind"]
        has_site = any(value.strip() for value in site.values())
        filing_data = services.FilingData(
            subject_name=entity_data.name,
            subject_kind=entity_data.kind,
            contact_name=values.get("contact_name", ""),
            contact_phone=values.get("contact_phone", ""),
            contact_email=values.get("contact_email", ""),
            address=entity_data.address,
            websites=[site] if has_site else [],
        )
        clean_entity, entity_errors = services.clean_entity(entity_data, may_override=False)
        clean_filing, filing_errors = services.clean_filing(filing_data)
        for source in (entity_errors, filing_errors):
            for error_key, reason in source.items():
                key = ERROR_COLUMNS.get(error_key, "")  # "": a problem of the row, not of one column
                if key == "website_kind" and site["kind"] not in WebsiteKind.values:
                    reason = f"网站类型“{codes.normalise_text(values['website_kind'])}”无效，应为：{self.website_kind_labels}。"
                problem(key, reason)

        key = ""
        if clean_entity is not None:
            if clean_entity.uscc:
                key, code_column = f"uscc:{clean_entity.uscc}", "uscc"
            else:
                key, code_column = f"rid:{clean_entity.resident_id}", "resident_id"
            first = self.seen.setdefault(key, line_number)
            if first != line_number:
                problem(code_column, f"与第 {first} 行重复：同一{BY_KEY[code_column].header}在文件中出现两次。")

        if errors or clean_entity is None or clean_filing is None:
            order = list(self.columns)
            for key_, reason in sorted(errors.items(), key=lambda item: _position(order, item[0])):
                problems.append(RowProblem(line_number, self.header(key_), reason))
            return None
        return _Row(line_number, clean_entity, clean_filing, key)

    @staticmethod
    def _choice(raw: str, vocabulary: dict[str, str]) -> str | None:
        return vocabulary.get(codes.normalise_name(raw)) if raw.strip() else None

    def _roles(self, raw: str) -> tuple[list[str], list[str]]:
        roles: list[str] = []
        bad: list[str] = []
        for part in _ROLE_SPLIT.split(codes.normalise_text(raw)):
            if not part:
                continue
            role = self.vocabulary.roles.get(codes.normalise_name(part))
            if role is None:
                bad.append(part)
            elif role not in roles:
                roles.append(role)
        return roles, bad


def _position(order: list[str], key: str) -> int:
    """Problems of a row in the order of the file's columns, then those of columns it lacks."""
    if key in order:
        return order.index(key)
    return len(order) + (list(BY_KEY).index(key) if key in BY_KEY else len(BY_KEY))


def _columns(header: list[str]) -> tuple[dict[str, int], list[RowProblem]]:
    """Map the header row to column keys; unknown, repeated and missing headers are problems."""
    problems: list[RowProblem] = []
    columns: dict[str, int] = {}
    for index, raw in enumerate(header):
        text = codes.normalise_text(raw)
        if not text:
            continue
        key = HEADERS.get(_header_key(text))
        if key is None:
            known = "、".join(column.header for column in COLUMNS)
            problems.append(RowProblem(1, raw, f"未知的列“{text}”。可用的列：{known}。"))
        elif key in columns:
            problems.append(RowProblem(1, raw, f"与第 {columns[key] + 1} 列重复（都是“{BY_KEY[key].header}”）。"))
        else:
            columns[key] = index
    for key in REQUIRED:
        if key not in columns:
            problems.append(RowProblem(1, BY_KEY[key].header, f"缺少必填的列“{BY_KEY[key].header}”。"))
    for keys in ONE_OF:
        if not any(key in columns for key in keys):
            names = "”或“".join(BY_KEY[key].header for key in keys)
            problems.append(RowProblem(1, BY_KEY[keys[0]].header, f"缺少列：至少要有“{names}”其中一列。"))
    return columns, problems


def _validate(table: Table) -> tuple[list[_Row], list[RowProblem], int]:
    """Clean every row; returns the rows, every problem, and how many data rows there were."""
    rows_in = iter(_nonblank(table))
    first = next(rows_in, None)
    if first is None:
        raise _refuse("文件中没有内容。")
    header_line, header = first
    columns, problems = _columns(header)
    for problem in problems:
        problem.line_number = header_line
    data = list(rows_in)
    if not data:
        raise _refuse("文件中只有表头，没有数据行。")
    if problems:
        return [], problems, len(data)
    validator = _Validator(columns, header)
    rows: list[_Row] = []
    for line_number, cells in data:
        row = validator.row(line_number, cells, problems)
        if row is not None:
            rows.append(row)
    return rows, problems, len(data)


def _nonblank(table: Table) -> Iterator[tuple[int, list[str]]]:
    for line_number, cells in table:
        if any(cell.strip() for cell in cells):
            yield line_number, cells


# --- writing ----------------------------------------------------------------------------------


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _digested(rows: Iterable[_Row]) -> None:
    """Replace a natural person's key by the keyed digest the database stores."""
    for row in rows:
        if row.key.startswith("rid:"):
            row.key = "rid:" + lookup_digest("resident_id", row.entity.resident_id)


def _registered(rows: list[_Row]) -> set[str]:
    """The keys of the rows whose code is already registered."""
    usccs = [row.key[5:] for row in rows if row.key.startswith("uscc:")]
    digests = [row.key[4:] for row in rows if row.key.startswith("rid:")]
    found: set[str] = set()
    for chunk in _chunks(usccs, LOOKUP_BATCH):
        found.update(f"uscc:{code}" for code in Entity.objects.filter(uscc__in=chunk).values_list("uscc", flat=True))
    for chunk in _chunks(digests, LOOKUP_BATCH):
        found.update(
            f"rid:{digest}"
            for digest in Entity.objects.filter(resident_id_digest__in=chunk).values_list(
                "resident_id_digest", flat=True
            )
        )
    return found


def _version_values(data: services.FilingData) -> dict[str, Any]:
    """``services._version_values`` without ``asdict``'s deep copy: the cleaned data is ours alone."""
    values = {name: getattr(data, name) for name in services.VERSION_FIELDS}
    values["contact_phone_masked"] = services._mask_phone(data.contact_phone) if data.contact_phone else ""
    return values


def _write(actor: Actor, filename: str, rows: list[_Row]) -> None:
    now = timezone.now()
    today = timezone.localdate()
    declared_by = f"批量导入（{actor.label}）"[:200]
    reasons = f"批量导入：{filename}"
    numbers = iter(services.next_filing_numbers(len(rows)))
    for batch in _chunks(rows, BATCH):
        entities = Entity.objects.bulk_create(
            [services.entity_from_clean(row.entity, organisation=None, actor=actor) for row in batch]
        )
        filings = Filing.objects.bulk_create(
            [
                Filing(
                    entity_id=entity.pk,
                    number=next(numbers),
                    status=FilingStatus.APPROVED,
                    first_approved_on=today,
                )
                for entity in entities
            ]
        )
        FilingVersion.objects.bulk_create(
            [
                FilingVersion(
                    filing_id=filing.pk,
                    number=1,
                    created_by=actor.label,
                    declared_by=declared_by,
                    declared_at=now,
                    review_decision="approved",
                    review_reasons=reasons,
                    reviewed_by=actor.label,
                    reviewed_at=now,
                    **_version_values(row.filing),
                )
                for row, filing in zip(batch, filings, strict=True)
            ]
        )
        first_version = Subquery(FilingVersion.objects.filter(filing_id=OuterRef("pk"), number=1).values("pk")[:1])
        for chunk in _chunks([filing.pk for filing in filings], LOOKUP_BATCH):
            Filing.objects.filter(pk__in=chunk).update(current_version=first_version, approved_version=first_version)
        Website.objects.bulk_create(
            [
                Website(entity_id=entity.pk, **{key: site.get(key, "") for key in services.WEBSITE_KEYS})
                for row, entity in zip(batch, entities, strict=True)
                for site in row.filing.websites
            ]
        )
        Badge.objects.bulk_create(
            [Badge(entity_id=entity.pk, public_id=secrets.token_urlsafe(16)) for entity in entities]
        )
        # The filings come in force today: the ledger learns it as it does from an approval (Art. 8).
        credit.record_registry_facts(
            actor,
            "filing.current",
            today,
            [(entity, filing.number) for entity, filing in zip(entities, filings, strict=True)],
        )


def import_file(actor: Actor, filename: str, content: bytes, *, dry_run: bool) -> ImportReport:
    """Validate every row of a CSV or XLSX file; if all are good (and not ``dry_run``), import them."""
    if not actor.can(Action.REGISTRY_IMPORT):
        raise DomainError(ErrorCode.FORBIDDEN)
    rows, problems, count = _validate(_read(filename, content))
    if problems:
        return ImportReport(problems=problems, rows=count, created=0, unchanged=0, dry_run=dry_run)
    _digested(rows)
    if dry_run:
        registered = _registered(rows)
        new = [row for row in rows if row.key not in registered]
        return ImportReport(problems=[], rows=count, created=len(new), unchanged=count - len(new), dry_run=True)
    sha256 = hashlib.sha256(content).hexdigest()
    try:
        with transaction.atomic():
            registered = _registered(rows)
            new = [row for row in rows if row.key not in registered]
            if new:
                _write(actor, filename, new)
                audit.record(
                    actor=actor,
                    action="registry.import",
                    target_type="registry.import",
                    target_id=sha256,
                    target_repr=filename[:300],
                    changes={
                        "filename": [None, filename],
                        "sha256": [None, sha256],
                        "rows": [None, count],
                        "created": [None, len(new)],
                        "unchanged": [None, count - len(new)],
                    },
                )
    except IntegrityError:
        raise DomainError(
            ErrorCode.CONFLICT, "导入时有主体被同时登记（可能另有一次导入正在进行），未导入任何数据；请稍后重试。"
        ) from None
    return ImportReport(problems=[], rows=count, created=len(new), unchanged=count - len(new), dry_run=False)
