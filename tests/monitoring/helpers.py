"""Files and entities for the monitoring tests."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from openpyxl import Workbook

from ecredit.monitoring.intake import COLUMNS

LISTING = {
    "listing_ref": "SP-0001",
    "seller_code": "",
    "seller_name": "南安市示例茶业有限公司",
    "name": "安溪铁观音 500克",
    "description": "传统工艺炒制，香气浓郁。",
    "price": "128.00",
    "shipping_fee": "包邮",
    "delivery_method": "快递",
    "delivery_area": "全国（港澳台除外）",
    "payment": "在线支付",
    "return_policy": "支持七天无理由退货",
    "producer": "南安市示例茶业有限公司",
    "category": "茶叶",
    "quantity": "500克",
    "quality": "一级",
    "storefront": "示例茶业旗舰店",
    "url": "https://shop.example.cn/item/1",
    "return_category": "food",
}


def headers(kind: str) -> list[str]:
    return [column.header for column in COLUMNS[kind]]


def write_csv(path: Path, kind: str, rows: list[dict[str, str]]) -> Path:
    keys = [column.key for column in COLUMNS[kind]]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers(kind))
    for row in rows:
        writer.writerow([row.get(key, "") for key in keys])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def write_jsonl(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def write_xlsx(path: Path, kind: str, rows: list[dict[str, str]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    keys = [column.key for column in COLUMNS[kind]]
    sheet.append(headers(kind))
    for row in rows:
        sheet.append([row.get(key, "") for key in keys])
    book.save(path)
    return path


def listing(seller_code: str, ref: str, **changes: str) -> dict[str, str]:
    return {**LISTING, "seller_code": seller_code, "listing_ref": ref, **changes}
