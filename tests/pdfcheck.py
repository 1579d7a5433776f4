"""Checks that a PDF a person will print really shows its Chinese text (poppler-utils' tools)."""

from __future__ import annotations

import subprocess
from pathlib import Path


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    source = tmp_path / "document.pdf"
    source.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(source), "-"], check=True, capture_output=True, text=True).stdout


def embedded_fonts(pdf: bytes, tmp_path: Path) -> list[tuple[str, bool]]:
    """(font name, embedded?) for every font the PDF uses."""
    source = tmp_path / "fonts.pdf"
    source.write_bytes(pdf)
    lines = subprocess.run(["pdffonts", str(source)], check=True, capture_output=True, text=True).stdout.splitlines()
    fonts = []
    for line in lines[2:]:
        parts = line.split()
        # name type… encoding emb sub uni object ID: "emb" is the fifth field from the end.
        fonts.append((parts[0], parts[-5] == "yes"))
    return fonts


def render_png(pdf: bytes, tmp_path: Path, *, page: int = 1, dpi: int = 60) -> Path:
    source = tmp_path / "render.pdf"
    source.write_bytes(pdf)
    prefix = tmp_path / f"page-{page}"
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(source), str(prefix)],
        check=True,
    )
    return prefix.with_suffix(".png")


def assert_renders_chinese(pdf: bytes, expected: str, tmp_path: Path) -> None:
    """The text is in the PDF, drawn with an embedded CJK font, and the first page renders to a PNG."""
    assert expected in pdf_text(pdf, tmp_path).replace(" ", "")
    fonts = embedded_fonts(pdf, tmp_path)
    assert any("CJK" in name and embedded for name, embedded in fonts), fonts
    png = render_png(pdf, tmp_path)
    assert png.stat().st_size > 1000
