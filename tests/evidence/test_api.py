"""The evidence API (/api/v1/evidence/…), with browser sessions and API tokens."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings

from ecredit.accounts import services as accounts
from ecredit.accounts.actors import SYSTEM
from ecredit.accounts.services import actor_for_user
from ecredit.evidence import services
from ecredit.evidence.models import Evidence
from tests.cast import Cast
from tests.evidence.helpers import upload

API = "/api/v1/evidence"


@pytest.fixture(autouse=True)
def _media(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def test_it_queues_a_capture_and_reports_its_status(
    cast: Cast, allow_private: None, django_capture_on_commit_callbacks: object
) -> None:
    _token, raw = accounts.issue_token(
        actor=SYSTEM, creator=cast.inspector, name="执法终端", scopes=["evidence.capture", "evidence.view"]
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        answer = client.post(
            f"{API}/captures", {"url": "http://127.0.0.1:9/a", "note": "接口"}, content_type="application/json"
        )
    assert answer.status_code == 202, answer.content
    body = answer.json()
    assert body["status"] == "queued" and DBTaskResult.objects.count() == 1
    status = client.get(f"{API}/{body['id']}/status").json()
    assert status == {"id": body["id"], "number": body["number"], "status": "queued", "error": ""}


def test_it_refuses_a_private_address_with_a_chinese_message(cast: Cast) -> None:
    client = cast.client_for(cast.inspector)
    answer = client.post(f"{API}/captures", {"url": "http://10.0.0.1/"}, content_type="application/json")
    assert answer.status_code == 422 and "不允许固定内网" in answer.json()["message"]
    assert not Evidence.objects.exists()


def test_it_refuses_capture_to_roles_without_the_right(cast: Cast) -> None:
    answer = cast.client_for(cast.auditor).post(
        f"{API}/captures", {"url": "https://example.com/"}, content_type="application/json"
    )
    assert answer.status_code == 403


def test_it_lists_and_details_items(cast: Cast) -> None:
    evidence = upload(cast.inspector)
    client = cast.client_for(cast.inspector)
    listing = client.get(f"{API}/").json()
    assert listing["count"] == 1 and listing["items"][0]["number"] == evidence.number
    detail = client.get(f"{API}/{evidence.pk}").json()
    assert {f["name"] for f in detail["files"]} == {"承诺.eml", "manifest.json", "manifest.sig"}
    assert detail["custody"][0]["action"] == "uploaded"
    assert detail["metadata"]["emails"]["承诺.eml"]["subject"] == "关于减肥茶的承诺"
    assert cast.client_for(cast.seller_a).get(f"{API}/{evidence.pk}").status_code == 403


def test_it_verifies_an_item_and_a_bundle(cast: Cast) -> None:
    evidence = upload(cast.inspector)
    client = cast.client_for(cast.inspector)
    assert client.get(f"{API}/{evidence.pk}/verify").json()["verified"] is True
    bundle = services.export_bundle(actor=actor_for_user(cast.inspector), evidence=evidence)
    answer = client.post(f"{API}/verify", {"bundle": SimpleUploadedFile("b.zip", bundle)})
    assert answer.json()["verified"] is True
    answer = client.post(f"{API}/verify", {"bundle": SimpleUploadedFile("b.zip", b"nope")})
    assert answer.status_code == 422 and "不是有效的证据包" in answer.json()["message"]
    assert client.get(f"{API}/99999/verify").status_code == 404
