"""The auditor's page: browse and filter the log by actor, object, action and date range."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.cast import Cast

pytestmark = pytest.mark.django_db


def test_it_filters_by_action_and_object(cast: Cast) -> None:
    client = cast.client_for(cast.auditor)
    html = client.get("/audit/", {"action": "accounts.token", "target_type": "accounts.apitoken"}).content.decode()
    assert "accounts.token.issue" in html and "accounts.user.create" not in html
    assert "共 1 条" in html


def test_it_filters_by_actor_and_date_range(cast: Cast) -> None:
    client = cast.client_for(cast.auditor)
    today = timezone.localdate()
    html = client.get("/audit/", {"actor": "系统", "date_from": today, "date_to": today}).content.decode()
    assert "accounts.organisation.create" in html
    tomorrow = today + timedelta(days=1)
    empty = client.get("/audit/", {"date_from": tomorrow}).content.decode()
    assert "没有符合条件的记录" in empty


def test_it_explains_an_inverted_date_range(cast: Cast) -> None:
    response = cast.client_for(cast.auditor).get("/audit/", {"date_from": "2026-12-01", "date_to": "2026-11-01"})
    assert response.status_code == 400 and "起始日期不能晚于截止日期" in response.content.decode()


def test_it_refuses_people_who_are_not_auditors(cast: Cast) -> None:
    for user in (cast.seller_a, cast.credit_officer, cast.inspector):
        assert cast.client_for(user).get("/audit/").status_code == 403
