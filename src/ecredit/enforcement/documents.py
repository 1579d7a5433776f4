"""Rendering and storing the PDFs of issued documents. A PDF is written once, under
``MEDIA_ROOT/enforcement/documents/<year>/<token>.pdf``, and never overwritten or deleted."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse

from ecredit.pdf import qr_data_uri, render_template_pdf

if TYPE_CHECKING:
    from ecredit.enforcement.models import Document

TEMPLATE = "enforcement/pdf/document.html"


def new_token() -> str:
    return secrets.token_urlsafe(18)


def safe_name(name: str) -> str:
    base = Path(name).name
    cleaned = re.sub(r"[^\w.\-]+", "_", base)[-100:]
    return cleaned or "evidence.bin"


def content_file(data: bytes) -> ContentFile[bytes]:
    return ContentFile(data)


def check_url(document: Document) -> str:
    """The public page confirming the document (number, date, issuing department only)."""
    return str(settings.PUBLIC_URL) + reverse("enforcement:check", kwargs={"token": document.token})


def render(document: Document) -> bytes:
    url = check_url(document)
    return render_template_pdf(
        TEMPLATE,
        {
            "doc": document,
            "c": document.content,
            "case": document.case,
            "kind_label": document.get_kind_display(),
            "qr": qr_data_uri(url),
            "check_url": url,
        },
    )


def relative_path(document: Document) -> str:
    return f"enforcement/documents/{document.year}/{document.token}.pdf"


def store(document: Document, pdf: bytes) -> str:
    """Write the PDF once; refuse to overwrite anything."""
    relative = relative_path(document)
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("xb") as handle:
        handle.write(pdf)
    path.chmod(0o444)
    return relative


def absolute_path(document: Document) -> Path:
    return Path(settings.MEDIA_ROOT) / document.pdf_path
