from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.evidence.site import serve


@pytest.fixture(scope="session")
def site() -> Iterator[str]:
    with serve() as base:
        yield base


@pytest.fixture
def allow_private(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECREDIT_CAPTURE_ALLOW_PRIVATE", "1")
