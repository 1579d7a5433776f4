from __future__ import annotations

from pathlib import Path

import pytest

from ecredit.pdf import qr_data_uri, render_pdf
from tests.pdfcheck import assert_renders_chinese


def test_it_embeds_the_cjk_font_so_chinese_prints(tmp_path: Path) -> None:
    html = f'<html><body style="font-family: {"Noto Serif CJK SC"!r}"><h1>行政处罚决定书</h1>'
    html += f'<img src="{qr_data_uri("https://example.org/d/1")}" alt="QR"></body></html>'
    assert_renders_chinese(render_pdf(html), "行政处罚决定书", tmp_path)


def test_it_loads_nothing_from_outside(tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not an image")
    with_file = f'<html><body><p>外部</p><img src="file://{secret}"><img src="http://127.0.0.1:9/x.png"></body></html>'
    plain = "<html><body><p>外部</p></body></html>"
    # A refused image is left out: the document is the same as one without it.
    assert len(render_pdf(with_file)) == pytest.approx(len(render_pdf(plain)), rel=0.05)
