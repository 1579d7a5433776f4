"""Broken copies of the real pack, and where a fragment sits in them, for the loader's refusal tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecredit.policy.loader import PackError, load_file
from ecredit.policy.packs import PACK_DIR

PACK_ID = "nanan-2023-trial"
REAL = PACK_DIR / f"{PACK_ID}.yaml"


def variant(tmp_path: Path, *edits: tuple[str, str], name: str = f"{PACK_ID}.yaml") -> Path:
    """The real pack with each ``(old, new)`` replaced exactly once, written to ``tmp_path/name``."""
    text = REAL.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, f"fragment must occur once: {old!r}"
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path: Path, fragment: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line containing ``fragment``."""
    found = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if fragment in line]
    assert len(found) >= occurrence, f"{fragment!r} not found"
    return found[occurrence - 1]


def refusal(path: Path) -> PackError:
    with pytest.raises(PackError) as caught:
        load_file(path)
    return caught.value


def only(error: PackError) -> PackError:
    assert len(error.errors) == 1, str(error)
    return error.errors[0]
