"""The demo's cases: every state a visitor should see, a document of each kind, the platform's
acknowledged notice, and the demo seller's own document in its portal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings

from ecredit.accounts.actors import cli_actor
from ecredit.accounts.models import User
from ecredit.demo.services import load_demo
from ecredit.enforcement.models import Case, Document, DocumentKind, Lead, Notice

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        load_demo(actor=cli_actor("ecredit demo"))
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _media() -> None:
    """The module's demo keeps its own MEDIA_ROOT (overrides the package's per-test one)."""


def test_it_has_cases_in_several_states_and_a_document_of_each_kind() -> None:
    states = set(Case.objects.values_list("state", flat=True))
    assert {"lead", "investigating", "pending_decision", "closed", "withdrawn"} <= states
    assert set(Document.objects.values_list("kind", flat=True)) == set(DocumentKind.values)
    assert set(Lead.objects.values_list("status", flat=True)) == {"open", "proposed", "referred", "closed"}


def test_it_shows_the_acknowledged_notice_to_the_platform_and_the_document_to_the_seller() -> None:
    notice = Notice.objects.get(document__kind=DocumentKind.SUSPENSION)
    assert notice.acknowledged_at is not None and notice.complied_at is not None
    platform, seller = Client(), Client()
    platform.force_login(User.objects.get(username="platform"))
    seller.force_login(User.objects.get(username="seller"))
    assert notice.document.number in platform.get("/enforcement/notices/").content.decode()
    assert notice.document.number in seller.get("/enforcement/mine/").content.decode()


def test_it_flags_the_overdue_case_on_the_inspectors_dashboard() -> None:
    inspector = Client()
    inspector.force_login(User.objects.get(username="inspector"))
    page = inspector.get("/accounts/dashboard/").content.decode()
    assert "已逾期" in page and "虚假宣传保健功效" in page and "还剩" in page
