"""The inspections API (/api/v1/inspections/…): officers read plans, draws and samples; a laboratory's
client enters a report; a session drafts and draws."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from ecredit.accounts import services as accounts
from ecredit.accounts.actors import SYSTEM
from ecredit.accounts.models import User
from ecredit.inspections import draw, services
from ecredit.inspections.models import SamplingPlan
from tests.cast import Cast
from tests.inspections.helpers import World, drawn_plan, make_world, sample_for

API = "/api/v1/inspections"


def token(user: User, *scopes: str) -> Client:
    _token, raw = accounts.issue_token(actor=SYSTEM, creator=user, name="测试令牌", scopes=list(scopes))
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def world(cast: Cast) -> World:
    return make_world(cast)


def test_it_lists_plans_and_draws_and_serves_the_record(world: World) -> None:
    plan = drawn_plan(world)
    client = token(world.cast.inspector, "inspections.view")
    (row,) = client.get(f"{API}/plans").json()
    assert row["id"] == plan.pk and row["status"] == "in_progress"
    (listed,) = client.get(f"{API}/draws").json()
    record = client.get(f"{API}/draws/{listed['id']}/record").json()
    assert draw.verify(draw.record_from_dict(record)) is None


def test_it_lets_a_lab_client_enter_a_report(world: World) -> None:
    plan = drawn_plan(world)
    sample = sample_for(world, plan.targets.first())
    services.hand_over(
        actor=world.officer,
        sample=sample,
        item="sample",
        handed_on=timezone.localdate(),
        from_party="甲",
        to_party="乙",
    )
    client = token(world.lab_user, "inspections.test_report")
    items = [{"name": "pH值", "clause": "4.1", "measured": "8.2", "limit": "4.0–7.5", "passed": False}]
    response = client.post(
        f"{API}/samples/{sample.pk}/reports",
        {
            "number": "JY-API-1",
            "tested_on": timezone.localdate().isoformat(),
            "items": json.dumps(items),
            "signed_file": SimpleUploadedFile("r.pdf", b"%PDF-1.4"),
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["reports"][0]["conclusion"] == "fail"
    other = token(User.objects.get(username="lab2"), "inspections.test_report")
    refused = other.post(
        f"{API}/samples/{sample.pk}/reports",
        {
            "number": "X",
            "tested_on": timezone.localdate().isoformat(),
            "items": "[]",
            "signed_file": SimpleUploadedFile("r.pdf", b"x"),
        },
    )
    assert refused.status_code == 404


def test_it_refuses_a_malformed_items_list_with_a_clear_message(world: World) -> None:
    plan = drawn_plan(world)
    sample = sample_for(world, plan.targets.first())
    services.hand_over(
        actor=world.officer,
        sample=sample,
        item="sample",
        handed_on=timezone.localdate(),
        from_party="甲",
        to_party="乙",
    )
    client = token(world.lab_user, "inspections.test_report")
    response = client.post(
        f"{API}/samples/{sample.pk}/reports",
        {
            "number": "JY",
            "tested_on": timezone.localdate().isoformat(),
            "items": "{oops",
            "signed_file": SimpleUploadedFile("r.pdf", b"x"),
        },
    )
    assert response.status_code == 422
    assert "JSON" in response.json()["message"]
    assert not sample.reports.exists()


def test_it_drafts_and_draws_through_the_api(world: World) -> None:
    body = {
        "name": "API 抽查",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "standards": [{"category": "童装", "standard": "GB 31701-2015", "clause": "4.1"}],
        "lab_ids": [world.lab_org.pk],
        "inspector_ids": [i.pk for i in world.inspectors],
    }
    created = world.cast.client_for(world.cast.inspector).post(f"{API}/plans", body, content_type="application/json")
    assert created.status_code == 201, created.content
    plan_id = created.json()["id"]
    client = token(world.cast.inspector, "inspections.view", "inspections.manage")
    early = client.post(f"{API}/plans/{plan_id}/draw/commit")
    assert early.status_code == 409 and "已批准" in early.json()["message"]
    services.approve_plan(actor=world.head_actor, plan=SamplingPlan.objects.get(pk=plan_id))
    committed = client.post(f"{API}/plans/{plan_id}/draw/commit")
    assert committed.status_code == 201 and not committed.json()["revealed"]
    revealed = client.post(f"{API}/plans/{plan_id}/draw/reveal")
    assert revealed.json()["revealed"]
