"""PDF documents from HTML templates (WeasyPrint), with the CJK font embedded.

Used by the evidence certificate (issue 6) and the enforcement documents (issue 7). The font comes
from the system (``fonts-noto-cjk``, installed by ``make sysdeps``); WeasyPrint subsets and embeds it,
so the PDF shows Chinese on any machine. Rendering never reaches the network: only ``data:`` URLs
(QR codes, seals drawn as SVG) are loaded.
"""

from __future__ import annotations

import base64
from typing import Any

import segno
import weasyprint
from django.template.loader import render_to_string

# The one font stack of every document; Noto Serif CJK reads like the 宋体 of printed official forms.
FONT_STACK = '"Noto Serif CJK SC", "Noto Sans CJK SC", "Noto Serif CJK", serif'


def _fetcher() -> Any:
    """WeasyPrint's own fetcher, allowed only ``data:`` URLs (refused URLs are left out, with a warning)."""
    return weasyprint.urls.URLFetcher(allowed_protocols={"data"}, allow_redirects=False)


def render_pdf(html: str) -> bytes:
    """The PDF of one HTML document (a whole page with its own ``<style>``)."""
    document = weasyprint.HTML(string=html, url_fetcher=_fetcher())
    return bytes(document.write_pdf())


def render_template_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render a Django template to HTML, then to PDF. Templates may use ``{{ font_stack }}``."""
    return render_pdf(render_to_string(template_name, {"font_stack": FONT_STACK, **context}))


def qr_data_uri(url: str) -> str:
    """A QR code of ``url`` as an SVG ``data:`` URI, for ``<img src=…>`` in a document."""
    svg = segno.make(url, error="m").svg_inline(scale=4, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
