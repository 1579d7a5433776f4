"""The evidence certificate: a PDF laid out like an 电子数据提取笔录, with a QR code to the public check."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from ecredit.evidence import keys, storage
from ecredit.evidence.models import Evidence, FileRole
from ecredit.evidence.services import BEIJING, custody_lines
from ecredit.pdf import qr_data_uri, render_template_pdf


def public_base_url() -> str:
    """Where the public verification page lives, for the QR code (``ECREDIT_PUBLIC_URL``)."""
    return str(settings.PUBLIC_URL)


def verify_url(evidence: Evidence, base_url: str | None = None) -> str:
    query = urlencode({"sha256": evidence.manifest_sha256})
    return f"{(base_url or public_base_url()).rstrip('/')}{reverse('evidence:verify')}?{query}"


def certificate_context(evidence: Evidence, base_url: str | None = None) -> dict[str, Any]:
    files = list(evidence.files.select_related("artefact"))
    screenshot = next((f for f in files if f.role == FileRole.SCREENSHOT), None)
    capture = getattr(evidence, "capture", None)
    url = verify_url(evidence, base_url)
    return {
        "evidence": evidence,
        "capture": capture,
        "record": capture.record if capture else {},
        "files": files,
        "attestations": list(evidence.attestations.all()),
        "custody": custody_lines(evidence),
        "fingerprint": evidence.key_fingerprint or keys.fingerprint(),
        "signature": next(
            (storage.read(f.artefact.sha256).decode().strip() for f in files if f.role == FileRole.SIGNATURE), ""
        ),
        "created_beijing": evidence.created_at.astimezone(BEIJING),
        "screenshot_uri": (
            "data:image/png;base64," + base64.b64encode(storage.read(screenshot.artefact.sha256)).decode()
            if screenshot is not None and screenshot.artefact.size < 8 * 1024 * 1024
            else ""
        ),
        "verify_url": url,
        "qr": qr_data_uri(url),
    }


def certificate_pdf(evidence: Evidence, base_url: str | None = None) -> bytes:
    return render_template_pdf("evidence/certificate.html", certificate_context(evidence, base_url))
