"""The demo evidence: two uploaded items, custody entries, the seller's confirmation, a platform certificate."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone
from pytest_django.fixtures import Settings

from ecredit.accounts.services import actor_for_user
from ecredit.evidence import demo, services
from ecredit.evidence.models import Evidence
from tests.cast import Cast
from tests.registry.helpers import register


@pytest.fixture(autouse=True)
def _media(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def test_it_loads_demo_evidence_that_verifies(cast: Cast) -> None:
    entity = register(cast.credit_officer, organisation=cast.seller_a_org)
    demo.load(
        inspector=actor_for_user(cast.inspector),
        seller=actor_for_user(cast.seller_a),
        entity=entity,
        today=timezone.localdate(),
    )
    mail, orders = Evidence.objects.order_by("pk")
    assert mail.metadata["emails"]["回复邮件.eml"]["attachments"][0]["filename"] == "认证清单.csv"
    assert [c.action for c in mail.custody.all()] == ["uploaded", "viewed", "attached", "attested"]
    assert mail.attestations.get().kind == "party"
    assert orders.attestations.get().kind == "platform"
    for item in (mail, orders):
        assert services.verify_stored(item) == []
