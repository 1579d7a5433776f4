"""Demo evidence: an e-mail the seller sent and a platform's order export, with custody entries, a
case link, the seller's own confirmation and a platform certificate. No page is captured: a capture
needs a live site, and the demo never reaches the internet."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

from ecredit.accounts.actors import Actor
from ecredit.evidence import services
from ecredit.evidence.models import CustodyAction
from ecredit.pdf import FONT_STACK, render_pdf
from ecredit.registry.models import Entity

CASE = "南市监案〔2026〕3号"


def _email(today: dt.date, seller: str) -> bytes:
    message = EmailMessage()
    message["From"] = f"{seller} <service@demo-seller.example>"
    message["To"] = "buyer-li@example.com"
    message["Subject"] = "回复：铁观音是否有机认证"
    message["Date"] = f"{today - dt.timedelta(days=9):%a, %d %b %Y} 09:41:00 +0800"
    message["Message-ID"] = "<demo-20260101.1@demo-seller.example>"
    message.set_content("您好，本店铁观音全部通过有机认证，假一赔十，三天内可无理由退货。")
    message.add_attachment(
        "品名,认证编号\n铁观音特级,ORG-2026-0001\n".encode(),
        maintype="text",
        subtype="csv",
        filename="认证清单.csv",
    )
    return bytes(message)


def _orders() -> bytes:
    rows = ["订单号,下单时间,商品,数量,金额（元）,买家所在地"]
    for n in range(1, 13):
        rows.append(
            f"DD2026{n:06d},2026-01-{n:02d} 10:{n:02d},安溪铁观音特级 500g,{n % 3 + 1},{(n % 3 + 1) * 298},福建泉州"
        )
    return ("\n".join(rows) + "\n").encode("utf-8-sig")


def _certificate_pdf(platform: str) -> bytes:
    html = f"""<html><head><meta charset="utf-8"><style>body {{ font-family: {FONT_STACK}; }}</style></head>
    <body><h1>平台数据证明</h1><p>兹证明所附订单数据导出文件系本平台系统于导出时的原始记录，未经修改。</p>
    <p>{platform}</p></body></html>"""
    return render_pdf(html)


def load(*, inspector: Actor, seller: Actor, entity: Entity | None, today: dt.date) -> None:
    mail = services.upload_evidence(
        actor=inspector,
        kind="email",
        title="卖家宣称“有机认证”的回复邮件",
        files=[services.Upload("回复邮件.eml", _email(today, entity.name if entity else "卖家"), "message/rfc822")],
        entity=entity,
        note="消费者投诉时提供的原始邮件文件。",
    )
    services.note_custody(actor=inspector, evidence=mail, action=CustodyAction.VIEWED)
    services.attach_to_case(actor=inspector, evidence=mail, case_ref=CASE)
    if entity is not None and entity.organisation_id == seller.organisation_id:
        services.confirm_as_party(actor=seller, evidence=mail, statement="确认该邮件系本店客服发出。")

    orders = services.upload_evidence(
        actor=inspector,
        kind="database",
        title="平台订单数据导出（2026 年 1 月）",
        files=[services.Upload("订单导出.csv", _orders(), "text/csv")],
        entity=entity,
        case_ref=CASE,
    )
    services.record_attestation(
        actor=inspector,
        evidence=orders,
        kind="platform",
        authority="闽南优选电商平台",
        reference="平台证字〔2026〕15号",
        statement="平台证明导出数据与系统记录一致。",
        document=services.Upload("平台数据证明.pdf", _certificate_pdf("闽南优选电商平台"), "application/pdf"),
    )
    services.note_custody(
        actor=inspector, evidence=orders, action=CustodyAction.DOWNLOADED, details={"file": "订单导出.csv"}
    )
