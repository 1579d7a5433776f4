"""The monitoring API: a platform's client submits batches; anyone checks a return."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from ecredit.accounts import services as accounts
from ecredit.accounts.actors import SYSTEM
from ecredit.accounts.roles import Action, Role
from ecredit.monitoring.models import Batch, Listing
from ecredit.registry.models import Entity
from tests.cast import Cast, make_user
from tests.monitoring.helpers import listing, write_csv
from tests.registry.helpers import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(cast: Cast) -> str:
    system = make_user(cast.platform_org, "platform-system", Role.PLATFORM_SYSTEM)
    _t, raw = accounts.issue_token(actor=SYSTEM, creator=system, name="对接", scopes=[Action.MONITORING_SUBMIT.value])
    return raw


@pytest.fixture
def seller(cast: Cast) -> Entity:
    return register(cast.credit_officer, "南安市示例茶业有限公司", organisation=cast.seller_a_org)


def post(token: str, path: Path, batch_id: str = "P-1") -> dict[str, object]:
    with path.open("rb") as stream:
        response = Client().post(
            "/api/v1/monitoring/batches",
            {"kind": "listings", "batch_id": batch_id, "file": stream},
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
    assert response.status_code == 200, response.content
    return response.json()  # type: ignore[no-any-return]


def test_it_takes_a_platform_batch_once(token: str, seller: Entity, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "l.csv", "listings", [listing(seller.uscc or "", "SP-1", description="A货")])
    first = post(token, path)
    assert (first["status"], first["rows"], first["findings"]) == ("applied", 1, 1)
    again = post(token, path)
    assert again["id"] == first["id"] and Listing.objects.count() == 1
    status = Client().get("/api/v1/monitoring/batches/P-1", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert status.json()["status"] == "applied"


def test_it_answers_every_bad_row_to_the_platform(token: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "l.csv", "listings", [listing("", "SP-1"), listing("", "SP-2", name="")])
    answer = post(token, path)
    assert answer["status"] == "rejected" and answer["problem_count"] == 3
    assert [(p["line"], p["field"]) for p in answer["problems"]] == [
        (2, "经营者代码"),
        (3, "经营者代码"),
        (3, "商品名称"),
    ]  # type: ignore[index, union-attr]
    assert Listing.objects.count() == 0


def test_it_refuses_a_token_without_the_scope(cast: Cast, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "l.csv", "listings", [listing("", "SP-1")])
    with path.open("rb") as stream:
        response = Client().post(
            "/api/v1/monitoring/batches",
            {"kind": "listings", "batch_id": "X", "file": stream},
            HTTP_AUTHORIZATION=f"Bearer {cast.platform_token}",
        )
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert Batch.objects.count() == 0


def test_it_hides_another_organisations_batch(cast: Cast, token: str, seller: Entity, tmp_path: Path) -> None:
    post(token, write_csv(tmp_path / "l.csv", "listings", [listing(seller.uscc or "", "SP-1")]))
    other = make_user(cast.seller_b_org, "other-system", Role.OPERATOR_USER)
    assert other.pk
    client = cast.client_for(cast.credit_officer)
    assert client.get("/api/v1/monitoring/batches/P-1").status_code == 404


def test_it_lists_pending_findings_to_officers_only(cast: Cast, token: str, seller: Entity, tmp_path: Path) -> None:
    post(token, write_csv(tmp_path / "l.csv", "listings", [listing(seller.uscc or "", "SP-1", description="高 仿")]))
    found = cast.client_for(cast.inspector).get("/api/v1/monitoring/findings").json()
    assert [(f["list"], f["term"], f["span"]) for f in found] == [("counterfeit_signals", "高仿", [0, 3])]
    refused = Client().get("/api/v1/monitoring/findings", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert refused.status_code == 403
