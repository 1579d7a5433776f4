"""The system check: an installation whose pack does not load does not start."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from ecredit.policy import packs
from ecredit.policy.apps import check_active_pack
from tests.policy.helpers import PACK_ID, line_of, variant


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    packs.load_pack.cache_clear()
    yield
    packs.load_pack.cache_clear()


def test_it_passes_with_the_installed_pack() -> None:
    assert check_active_pack() == []


@override_settings(POLICY_PACK="nanan-2099")
def test_it_fails_for_a_pack_that_is_not_installed() -> None:
    (error,) = check_active_pack()
    assert error.id == "policy.E002" and "没有政策包“nanan-2099”" in error.msg


def test_it_fails_with_every_problem_of_a_broken_pack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_cache: None
) -> None:
    path = variant(tmp_path, ('cites: ["12.7"]', 'cites: ["12.70"]'))
    monkeypatch.setattr(packs, "PACK_DIR", tmp_path)
    (error,) = check_active_pack()
    assert error.id == "policy.E001"
    assert f"{PACK_ID}.yaml:{line_of(path, '12.70')}: indicators[26].cites[0]" in error.msg
