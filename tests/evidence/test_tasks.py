"""The capture runs as a django-tasks task, picked up by `ecredit db_worker`, never in the request."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from pytest_django.fixtures import Settings

from ecredit.accounts.services import actor_for_user
from ecredit.evidence import services
from ecredit.evidence.models import Evidence
from tests.cast import Cast


@pytest.fixture(autouse=True)
def _media(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def test_it_captures_when_the_worker_runs_the_task(
    transactional_db: None, cast: Cast, site: str, allow_private: None
) -> None:
    # A real commit (transactional_db): the worker reads the queue from the database.
    queued = services.request_capture(
        actor=actor_for_user(cast.inspector),
        request=services.CaptureRequest(url=f"{site}/product", case_ref="南市监案〔2026〕9号"),
    )
    assert Evidence.objects.get(pk=queued.pk).status == "queued"
    call_command("db_worker", "--batch", "--no-startup-delay")
    evidence = Evidence.objects.get(pk=queued.pk)
    assert evidence.status == "ready", evidence.error
    assert evidence.title == "测试商品页"
    record = evidence.capture.record
    assert record["officer"] == actor_for_user(cast.inspector).label
    assert record["organisation"] == "南安市市场监督管理局" and record["case_ref"] == "南市监案〔2026〕9号"
    assert [e.action for e in evidence.custody.all()] == ["captured"]
    assert evidence.custody.get().organisation_name == "南安市市场监督管理局"
    assert services.verify_stored(evidence) == []


def test_it_fixes_an_error_page_as_served(transactional_db: None, cast: Cast, site: str, allow_private: None) -> None:
    queued = services.request_capture(
        actor=actor_for_user(cast.inspector), request=services.CaptureRequest(url=f"{site}/nothing-here")
    )
    call_command("db_worker", "--batch", "--no-startup-delay")
    evidence = Evidence.objects.get(pk=queued.pk)
    # a 404 page is still a page: it is fixed as it was served
    assert evidence.status == "ready" and evidence.capture.http_status == 404
