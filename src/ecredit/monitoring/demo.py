"""Demo monitoring data: a platform's batch of listings with findings (some confirmed, one dismissed,
the rest pending), complaints in each state, and a quality-safety incident reported late.

Recorded through ``monitoring.services`` as the platform, the officers and an operator would. Called
from ``demo.services.load_demo`` once the registry and the credit history exist.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from pathlib import Path

from ecredit.accounts.actors import Actor
from ecredit.monitoring import services
from ecredit.monitoring.intake import COLUMNS
from ecredit.monitoring.models import Finding, FindingKind
from ecredit.registry.models import Entity

# What a handful of listings say; the rest are clean. (Everything is invented.)
CLAIMS = (
    ("本店铁观音全网第一，国家级品质", "food"),
    ("高仿大牌运动鞋，原单品质，支持验货", "clothing"),
    ("本品为商务局推荐产品，政府指定礼品", "food"),
    ("特价清仓，一经售出概不退换，最终解释权归本店所有", "clothing"),
    ("拆封不退，请确认后下单", "clothing"),
    ("加入会员发展下线，下线提成高，躺赚收益", "general"),
)
CLEAN = "传统工艺，做工精细，支持七天无理由退货，欢迎选购。"


def _listing_rows(sellers: list[Entity]) -> list[dict[str, str]]:
    rows = []
    for number, entity in enumerate(sellers, start=1):
        text, category = CLAIMS[(number // 3) % len(CLAIMS)] if number % 3 == 0 else (CLEAN, "clothing")
        rows.append(
            {
                "listing_ref": f"YP-{number:05d}",
                "seller_code": entity.uscc or "",
                "seller_name": entity.name,
                "name": f"{entity.industry or '精选'}商品 {number} 号",
                "description": text,
                "price": f"{30 + number * 7}.00",
                "shipping_fee": "" if number % 7 == 0 else "包邮",
                "delivery_method": "快递",
                "delivery_area": "全国（港澳台除外）",
                "payment": "在线支付",
                "return_policy": "支持七天无理由退货" if number % 5 else "一经售出概不退换",
                "producer": entity.name,
                "category": entity.industry or "日用品",
                "quantity": "1件",
                "quality": "合格品",
                "storefront": f"{entity.name}旗舰店",
                "url": f"https://shop.minnan-youpin.example/item/{number}",
                "return_category": category,
            }
        )
    return rows


def _write(path: Path, kind: str, rows: list[dict[str, str]]) -> Path:
    keys = [column.key for column in COLUMNS[kind]]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow([column.header for column in COLUMNS[kind]])
        writer.writerows([row.get(key, "") for key in keys] for row in rows)
    return path


def load(*, platform: Actor, officer: Actor, operator: Actor, entities: dict[str, Entity], today: dt.date) -> None:
    # The demo seller's own record stays as the credit demo shapes it (grade A); the others take the findings.
    sellers = [
        e for e in entities.values() if e.is_seller and e.uscc and e.organisation_id != operator.organisation_id
    ][:36]
    with tempfile.TemporaryDirectory(prefix="ecredit-demo-") as tmp:
        listings = _write(Path(tmp) / "listings.csv", "listings", _listing_rows(sellers))
        services.submit_batch(actor=platform, kind="listings", batch_id="YP-2026-11-LISTINGS", path=listings)
        complaints = [
            {"reference": f"YP-TS-{n:04d}", "seller_code": e.uscc or "", "seller_name": e.name,
             "received_on": (today - dt.timedelta(days=3 + n * 9)).isoformat(), "subject": subject}
            for n, (e, subject) in enumerate(zip(sellers[:3], ("发错货", "商品与描述不符", "拒绝退货"), strict=True))
        ]  # fmt: skip
        path = _write(Path(tmp) / "complaints.csv", "complaints", complaints)
        services.submit_batch(actor=platform, kind="complaints", batch_id="YP-2026-11-COMPLAINTS", path=path)

    pending = Finding.objects.filter(status="pending").order_by("pk")
    for kind, term in ((FindingKind.TERM, "全网第一"), (FindingKind.DISCLOSURE, "shipping_fee")):
        first = pending.filter(kind=kind, term=term, entity__isnull=False).first()
        if first is not None:
            services.confirm_finding(
                actor=officer, finding=first, occurred_on=today - dt.timedelta(days=2), note="经核实属实（演示）"
            )
    dismissible = pending.filter(term="拆封不退").first()
    if dismissible is not None:
        services.dismiss_finding(
            actor=officer, finding=dismissible, reason="商品为定制鞋垫，拆封不退已在购买时确认（演示）"
        )

    data = services.ComplaintData(
        seller_name=sellers[0].name, seller_code=sellers[0].uscc or "", subject="收到的商品有破损",
        description="商家承诺补发，十天未处理（演示）。", received_on=today - dt.timedelta(days=20),
    )  # fmt: skip
    complaint = services.file_complaint(actor=officer, data=data, source="officer")
    complaint = services.accept_complaint(actor=officer, complaint=complaint, accept=True, on=complaint.received_on)
    services.close_complaint(
        actor=officer, complaint=complaint, outcome="substantiated", on=today - dt.timedelta(days=3)
    )

    # The demo seller reports its incident the same day (no credit event); an officer finds another
    # seller's incident unreported and records it.
    own = [e for e in entities.values() if e.organisation_id == operator.organisation_id]
    if own:
        services.report_incident(
            actor=operator, entity=own[0], what="一批童鞋鞋底开胶，消费者扭伤脚踝（演示）", goods="儿童运动鞋 26 码",
            occurred_on=today - dt.timedelta(days=1), reported_on=today - dt.timedelta(days=1),
            measures="已下架同批次商品，联系购买者召回（演示）",
        )  # fmt: skip
    found = services.report_incident(
        actor=officer, entity=sellers[1], what="消费者反映饮用后腹泻，经查同批次茶饮料菌落总数超标（演示）",
        goods="冷泡茶饮料 500 毫升", occurred_on=today - dt.timedelta(days=15), measures="", found_by_officer=True,
    )  # fmt: skip
    services.record_incident_late(actor=officer, incident=found)
