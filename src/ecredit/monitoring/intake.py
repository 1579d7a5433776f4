"""Platform data intake: the columns of each kind of batch, streaming readers for CSV, JSONL and XLSX,
and the check of one row. No database: ``services.submit_batch`` reads the file twice through these
(validate every row, then apply), never holding the whole file in memory.

A row is *bad* when it cannot be stored as it stands (a required column empty, a date that does not
parse, an unknown category); what the row *says* that breaks a rule (a listing without a price, a
refused return that was lawful) is not a bad row but a finding.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ecredit.monitoring import returns
from ecredit.policy.model import Pack

FORMATS = ("csv", "jsonl", "xlsx")
TRUE = {"是", "true", "1", "y", "yes", "有", "√"}
FALSE = {"否", "false", "0", "n", "no", "无", ""}
_CODE = re.compile(r"^[0-9A-Z]{18}$")


class IntakeFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, header); the message is Chinese."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Chinese header; either may head the column
    required: bool = False
    type: str = "text"  # text | date | bool | code | int | url
    max_length: int = 200


@dataclass(frozen=True)
class Problem:
    line: int
    field: str  # the column's Chinese header ("" for the row as a whole)
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "field": self.field, "reason": self.reason}


SELLER_CODE = Column("seller_code", "经营者代码", True, "code", 18)
COLUMNS: dict[str, tuple[Column, ...]] = {
    "sellers": (
        Column("seller_ref", "平台内经营者编号", True, max_length=100),
        Column("name", "名称", True),
        Column("kind", "主体类型", True, max_length=24),
        Column("uscc", "统一社会信用代码", False, "code", 18),
        Column("resident_id", "居民身份证号码", False, "code", 18),
        Column("shop_name", "店铺名称"),
        Column("shop_url", "店铺网址", False, "url", 500),
        Column("sells_permit_goods", "经营范围涉及前置许可", False, "bool"),
        Column("trades_in_enterprise_name", "以企业或个体工商户名义经营", False, "bool"),
    ),
    "listings": (
        Column("listing_ref", "商品编号", True, max_length=100),
        SELLER_CODE,
        Column("seller_name", "经营者名称"),
        Column("name", "商品名称", True),
        Column("description", "商品描述", max_length=20000),
        Column("price", "价格", max_length=40),
        Column("shipping_fee", "运费", max_length=40),
        Column("delivery_method", "配送方式"),
        Column("delivery_area", "配送范围"),
        Column("payment", "支付形式"),
        Column("return_policy", "退换货方式", max_length=2000),
        Column("producer", "生产者"),
        Column("category", "种类"),
        Column("quantity", "数量", max_length=60),
        Column("quality", "质量", max_length=200),
        Column("storefront", "店铺"),
        Column("url", "商品网址", False, "url", 500),
        Column("return_category", "退货品类", max_length=32),
    ),
    "complaints": (
        Column("reference", "投诉编号", True, max_length=100),
        SELLER_CODE,
        Column("seller_name", "经营者名称", True),
        Column("received_on", "收到日期", True, "date"),
        Column("subject", "事由", True),
        Column("description", "投诉内容", max_length=5000),
        Column("outcome", "处理结果", max_length=16),
    ),
    "returns": (
        Column("order_ref", "订单编号", True, max_length=100),
        SELLER_CODE,
        Column("category", "退货品类", True, max_length=32),
        Column("received", "签收日期", True, "date"),
        Column("requested", "申请日期", True, "date"),
        Column("not_intact", "商品不完好", False, "bool"),
        Column("custom_made", "定作", False, "bool"),
        Column("perishable", "鲜活易腐", False, "bool"),
        Column("digital_opened", "数字化商品已拆封", False, "bool"),
        Column("periodical", "报纸期刊", False, "bool"),
        Column("confirmed_non_returnable", "购买时确认不宜退货", False, "bool"),
        Column("refused", "经营者拒绝退货", True, "bool"),
    ),
    "retention": (
        Column("what", "记录类型", True, max_length=40),
        Column("value", "保存期限", True, "int"),
        Column("unit", "单位", True, max_length=8),
    ),
}
KEYS = {
    "sellers": "seller_ref",
    "listings": "listing_ref",
    "complaints": "reference",
    "returns": "order_ref",
    "retention": "what",
}
SELLER_KINDS = {
    "natural_person": "natural_person",
    "自然人": "natural_person",
    "individual_business": "individual_business",
    "个体工商户": "individual_business",
    "legal_person": "legal_person",
    "法人": "legal_person",
    "other_org": "other_org",
    "其他经济组织": "other_org",
}
OUTCOMES = {"": "", "resolved": "resolved", "已和解": "resolved", "substantiated": "substantiated",
            "投诉属实": "substantiated", "unfounded": "unfounded", "不属实": "unfounded",
            "withdrawn": "withdrawn", "已撤回": "withdrawn"}  # fmt: skip
UNITS = {"days": "days", "日": "days", "天": "days", "years": "years", "年": "years"}


def format_of(filename: str) -> str:
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix == "json":
        suffix = "jsonl"
    if suffix not in FORMATS:
        raise IntakeFileError(f"不支持的文件格式“{suffix or filename}”：请上传 CSV、JSONL 或 XLSX 文件。")
    return suffix


def template(kind: str) -> str:
    """The CSV header of a kind of batch (Chinese headers; the English keys are accepted too)."""
    return ",".join(column.header for column in COLUMNS[kind])


# --- streaming readers -------------------------------------------------------------------------------


def _header_map(kind: str, header: list[str]) -> dict[int, str]:
    lookup = {c.header: c.key for c in COLUMNS[kind]} | {c.key: c.key for c in COLUMNS[kind]}
    mapping: dict[int, str] = {}
    for index, raw in enumerate(header):
        key = lookup.get(str(raw or "").strip().lstrip("\ufeff"))
        if key is not None:
            mapping[index] = key
    missing = [c.header for c in COLUMNS[kind] if c.required and c.key not in mapping.values()]
    if missing:
        raise IntakeFileError(f"表头缺少必填列：{'、'.join(missing)}（模板：{template(kind)}）")
    return mapping


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(stream: IO[str], kind: str) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.reader(stream)
    try:
        header = next(reader, None)
    except UnicodeDecodeError:
        raise IntakeFileError("文件不是 UTF-8 编码的 CSV。") from None
    if header is None:
        raise IntakeFileError("文件为空。")
    mapping = _header_map(kind, header)
    line = reader.line_num
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError:
            raise IntakeFileError(f"第 {line + 1} 行附近不是 UTF-8 编码。") from None
        except csv.Error as exc:
            raise IntakeFileError(f"第 {reader.line_num} 行 CSV 格式有误：{exc}") from None
        start, line = line + 1, reader.line_num
        if any(v.strip() for v in values):
            yield start, {key: values[i].strip() for i, key in mapping.items() if i < len(values)}


def _jsonl_rows(stream: IO[str], kind: str) -> Iterator[tuple[int, dict[str, str] | str]]:
    lookup = {c.header: c.key for c in COLUMNS[kind]} | {c.key: c.key for c in COLUMNS[kind]}
    seen_any = False
    for number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        seen_any = True
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield number, f"不是有效的 JSON：{exc.msg}（第 {exc.colno} 个字符）"
            continue
        if not isinstance(data, dict):
            yield number, "每行应为一个 JSON 对象"
            continue
        yield number, {lookup[k]: _cell(v) for k, v in data.items() if k in lookup}
    if not seen_any:
        raise IntakeFileError("文件为空。")


def _xlsx_rows(path: Path, kind: str) -> Iterator[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook  # imported here: only XLSX batches need it

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:
        raise IntakeFileError("无法读取 XLSX 文件：文件已损坏或不是 Excel 工作簿。") from None
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise IntakeFileError("文件为空。")
        mapping = _header_map(kind, [_cell(v) for v in header])
        for number, values in enumerate(rows, start=2):
            cells = [_cell(v) for v in values]
            if any(cells):
                yield number, {key: cells[i] for i, key in mapping.items() if i < len(cells)}
    finally:
        book.close()


def read_rows(path: Path, file_format: str, kind: str) -> Iterator[tuple[int, dict[str, str] | str]]:
    """(line, row) for every non-blank row, streaming; a row that cannot even be parsed comes as its
    reason (a string). Raises :class:`IntakeFileError` for a file that cannot be read at all."""
    if file_format == "xlsx":
        yield from _xlsx_rows(path, kind)
        return
    with path.open(encoding="utf-8-sig", newline="") as stream:
        if file_format == "csv":
            yield from _csv_rows(stream, kind)
        else:
            try:
                yield from _jsonl_rows(stream, kind)
            except UnicodeDecodeError:
                raise IntakeFileError("文件不是 UTF-8 编码。") from None


# --- checking one row --------------------------------------------------------------------------------


def _typed(column: Column, raw: str) -> tuple[Any, str]:
    """The value and "" — or None and the reason it is bad."""
    if len(raw) > column.max_length:
        return None, f"不能超过 {column.max_length} 个字符"
    if column.type == "date":
        try:
            return dt.date.fromisoformat(raw.replace("/", "-")), ""
        except ValueError:
            return None, f"“{raw}”不是日期（应写作 YYYY-MM-DD）"
    if column.type == "bool":
        folded = raw.strip().lower()
        if folded in TRUE:
            return True, ""
        if folded in FALSE:
            return False, ""
        return None, f"“{raw}”应为“是”或“否”"
    if column.type == "int":
        try:
            value = int(raw)
        except ValueError:
            return None, f"“{raw}”不是整数"
        return (value, "") if value >= 0 else (None, "不能为负数")
    if column.type == "code":
        code = "".join(raw.split()).upper()
        if not _CODE.fullmatch(code):
            return None, f"“{raw}”不是18位统一社会信用代码或居民身份证号码"
        return code, ""
    if column.type == "url" and not raw.startswith(("http://", "https://")):
        return None, f"“{raw}”不是以 http:// 或 https:// 开头的网址"
    return raw, ""


def check_row(kind: str, line: int, raw: dict[str, str], pack: Pack) -> tuple[dict[str, Any], list[Problem]]:
    """The row's typed values, and every problem of it (empty when the row is good)."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for column in COLUMNS[kind]:
        text = (raw.get(column.key) or "").strip()
        if not text:
            if column.required:
                problems.append(Problem(line, column.header, "必填，不能为空"))
            values[column.key] = (
                False if column.type == "bool" else ("" if column.type in ("text", "url", "code") else None)
            )
            continue
        value, reason = _typed(column, text)
        if reason:
            problems.append(Problem(line, column.header, reason))
        values[column.key] = value
    if not problems:
        problems.extend(_check_meaning(kind, line, values, pack))
    return values, problems


def _header(kind: str, key: str) -> str:
    return next(c.header for c in COLUMNS[kind] if c.key == key)


def _check_meaning(kind: str, line: int, values: dict[str, Any], pack: Pack) -> list[Problem]:
    problems: list[Problem] = []
    if kind == "sellers":
        seller_kind = SELLER_KINDS.get(values["kind"])
        if seller_kind is None:
            problems.append(
                Problem(line, _header(kind, "kind"), f"“{values['kind']}”应为自然人、个体工商户、法人或其他经济组织")
            )
        else:
            values["kind"] = seller_kind
            if seller_kind == "natural_person" and not values["resident_id"]:
                problems.append(Problem(line, _header(kind, "resident_id"), "自然人须填写居民身份证号码"))
            if seller_kind != "natural_person" and not values["uscc"]:
                problems.append(Problem(line, _header(kind, "uscc"), "非自然人须填写统一社会信用代码"))
    elif kind == "listings":
        category = values["return_category"]
        if category and (pack.returns is None or pack.returns.category(category) is None):
            problems.append(
                Problem(
                    line, _header(kind, "return_category"), f"没有退货品类“{category}”（见 ecredit returns categories）"
                )
            )
    elif kind == "complaints":
        outcome = OUTCOMES.get(values["outcome"])
        if outcome is None:
            problems.append(
                Problem(line, _header(kind, "outcome"), f"“{values['outcome']}”应为已和解、投诉属实、不属实或已撤回")
            )
        else:
            values["outcome"] = outcome
    elif kind == "returns":
        try:
            returns.check(pack, goods_of(values))
        except returns.ReturnsInputError as exc:
            header = _header(kind, "category" if exc.field == "category" else "requested")
            problems.append(Problem(line, header, exc.message.rstrip("。")))
    elif kind == "retention":
        unit = UNITS.get(values["unit"])
        whats = {item.what for item in pack.retention}
        if values["what"] not in whats:
            problems.append(Problem(line, _header(kind, "what"), f"记录类型应为：{'、'.join(sorted(whats))}"))
        if unit is None:
            problems.append(Problem(line, _header(kind, "unit"), "单位应为“日”或“年”"))
        else:
            values["unit"] = unit
    return problems


def goods_of(values: dict[str, Any]) -> returns.Goods:
    return returns.Goods(
        category=values["category"],
        received=values["received"],
        requested=values["requested"],
        intact=not values["not_intact"],
        **{flag: bool(values[flag]) for flag in returns.FLAGS},
    )
