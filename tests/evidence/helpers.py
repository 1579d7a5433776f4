"""Evidence items for tests, made through the real services."""

from __future__ import annotations

from email.message import EmailMessage

from ecredit.accounts.models import User
from ecredit.accounts.services import actor_for_user
from ecredit.evidence import services
from ecredit.evidence.models import Evidence
from ecredit.registry.models import Entity


def _build_eml() -> bytes:
    message = EmailMessage()
    message["From"] = "卖家甲 <shop@seller-a.example>"
    message["To"] = "buyer@example.com"
    message["Subject"] = "关于减肥茶的承诺"
    message["Date"] = "Tue, 03 Nov 2026 10:15:00 +0800"
    message["Message-ID"] = "<20261103101500.1@seller-a.example>"
    message.set_content("本品三天见效，假一赔十。")
    message.add_attachment(b"%PDF-1.4 invoice", maintype="application", subtype="pdf", filename="发票.pdf")
    return bytes(message)


EML = _build_eml()  # built once: the MIME boundary is random


def make_eml() -> bytes:
    return EML


def upload(by: User, *, entity: Entity | None = None, data: bytes | None = None, name: str = "承诺.eml") -> Evidence:
    return services.upload_evidence(
        actor=actor_for_user(by),
        kind="email",
        title="卖家承诺邮件",
        files=[services.Upload(name, data if data is not None else make_eml(), "message/rfc822")],
        entity=entity,
        case_ref="南市监案〔2026〕12号",
    )
