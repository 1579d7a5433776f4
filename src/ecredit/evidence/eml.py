"""What an e-mail file (.eml, RFC 5322) says about itself: pure, stdlib ``email`` only."""

from __future__ import annotations

import hashlib
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

HEADERS = ("Message-ID", "In-Reply-To", "Return-Path", "X-Mailer", "X-Originating-IP")


def _text(value: object) -> str:
    return str(value) if value is not None else ""


def parse_eml(data: bytes) -> dict[str, Any]:
    """Subject, sender, recipients, date, selected headers, the ``Received`` chain and every
    attachment (name, type, size, SHA-256). Raises ``ValueError`` if it is not an e-mail at all."""
    message = BytesParser(policy=policy.default).parsebytes(data)
    if not isinstance(message, EmailMessage) or not (message["From"] or message["Date"] or message["Subject"]):
        raise ValueError("not an e-mail message")
    date_iso = ""
    if message["Date"]:
        try:
            date_iso = parsedate_to_datetime(str(message["Date"])).isoformat()
        except (TypeError, ValueError):
            date_iso = ""
    attachments = []
    for part in message.iter_attachments() if message.is_multipart() else []:
        payload = part.get_payload(decode=True) or b""
        if not isinstance(payload, bytes):
            payload = b""
        attachments.append(
            {
                "filename": part.get_filename() or "",
                "content_type": part.get_content_type(),
                "size": len(payload),
                "sha256": hashlib.sha256(payload).hexdigest(),
            }
        )
    return {
        "subject": _text(message["Subject"]),
        "from": [addr for _name, addr in getaddresses([_text(message["From"])]) if addr],
        "from_display": _text(message["From"]),
        "to": [addr for _name, addr in getaddresses([_text(v) for v in message.get_all("To", [])]) if addr],
        "cc": [addr for _name, addr in getaddresses([_text(v) for v in message.get_all("Cc", [])]) if addr],
        "date": _text(message["Date"]),
        "date_iso": date_iso,
        "headers": {name: _text(message[name]) for name in HEADERS if message[name]},
        "received": [_text(v) for v in message.get_all("Received", [])],
        "attachments": attachments,
    }
